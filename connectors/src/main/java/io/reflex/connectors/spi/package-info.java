/**
 * The connector SPI: how Reflex acts on the real world.
 *
 * <h2>Writing a connector</h2>
 * <ol>
 *   <li>Implement {@link io.reflex.connectors.spi.Connector}. {@code execute(Action)} runs on a
 *       worker thread, may be called from several threads at once, and must return by the
 *       action's {@code deadline()}: bound every wait (connect, read, poll) by the time left,
 *       computed from the injected clock.</li>
 *   <li>Answer with an {@link io.reflex.connectors.spi.Outcome}: {@code succeeded} with what
 *       changed, {@code failed(detail, retriable)} where retriable says whether trying again
 *       may help, {@code refused} when the action is not allowed (unknown type, unknown or
 *       malformed target name). The detail is read by people on the incident timeline: say
 *       what happened and what to do next.</li>
 *   <li>Target names come from alert labels, that is from outside. Check them against a
 *       pattern and against the configured targets before touching anything; never pass
 *       them to a shell: build argument lists ({@code ProcessBuilder(List)}).</li>
 *   <li>Implement {@link io.reflex.connectors.spi.ConnectorProvider}: parse and validate the
 *       settings map, report every problem at once with
 *       {@link io.reflex.connectors.spi.ConnectorConfigException}, and build the connector.</li>
 *   <li>Register the provider in
 *       {@code META-INF/services/io.reflex.connectors.spi.ConnectorProvider};
 *       {@code ConnectorRegistrationTest} fails for a provider that is not listed.</li>
 *   <li>Release everything in {@code close()}: the application closes
 *       {@link io.reflex.connectors.spi.Connectors} on shutdown.</li>
 * </ol>
 * A connector is created only when {@code connectors.<name>:} appears in the configuration.
 */
package io.reflex.connectors.spi;
