package io.reflex.connectors.spi;

/**
 * Creates a {@link Connector} from its configuration. Implementations are found with
 * {@link java.util.ServiceLoader}: list the class in
 * {@code META-INF/services/io.reflex.connectors.spi.ConnectorProvider}. A public no-argument
 * constructor is required.
 */
public interface ConnectorProvider {

    /** The config key under {@code connectors.} and the {@code target.connector} of actions. */
    String name();

    /**
     * Builds the connector. Report every configuration problem at once by throwing a
     * {@link ConnectorConfigException}; anything else thrown aborts start-up as is.
     */
    Connector create(ConnectorContext context);
}
