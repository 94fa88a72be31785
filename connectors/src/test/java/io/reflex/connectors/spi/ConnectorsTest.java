package io.reflex.connectors.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reflex.connectors.process.ProcessConnector;
import io.reflex.model.Action;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConnectorsTest {

    private static final Path DATA = Path.of("not-used-by-fakes");
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-01-01T00:00:00Z"), ZoneOffset.UTC);

    /** A provider whose connectors record what happened to them. */
    private static final class FakeProvider implements ConnectorProvider {
        final String name;
        final List<String> problems;
        final List<ConnectorContext> contexts = new ArrayList<>();
        final List<FakeConnector> created = new ArrayList<>();

        FakeProvider(String name, String... problems) {
            this.name = name;
            this.problems = List.of(problems);
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Connector create(ConnectorContext context) {
            contexts.add(context);
            if (!problems.isEmpty()) {
                throw ConnectorConfigException.of(name, problems);
            }
            final FakeConnector connector = new FakeConnector(name);
            created.add(connector);
            return connector;
        }
    }

    private static final class FakeConnector implements Connector {
        final String name;
        boolean closed;
        boolean failOnClose;

        FakeConnector(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Outcome execute(Action action) {
            return Outcome.succeeded("done");
        }

        @Override
        public void close() {
            closed = true;
            if (failOnClose) {
                throw new IllegalStateException("cannot close " + name);
            }
        }
    }

    private static Map<String, Map<String, Object>> settings(String... names) {
        final Map<String, Map<String, Object>> settings = new LinkedHashMap<>();
        for (String name : names) {
            settings.put(name, Map.of("key", "value-of-" + name));
        }
        return settings;
    }

    @Test
    void createsOnlyConnectorsThatHaveSettings() {
        final FakeProvider ssh = new FakeProvider("ssh");
        final FakeProvider http = new FakeProvider("http");
        try (Connectors connectors = Connectors.create(List.of(ssh, http), settings("http"), DATA, CLOCK)) {
            assertThat(connectors.names()).containsExactly("http");
            assertThat(connectors.get("http")).containsSame(http.created.get(0));
            assertThat(connectors.get("ssh")).isEmpty();
            assertThat(ssh.contexts).isEmpty();
            assertThat(http.contexts).singleElement().satisfies(context -> {
                assertThat(context.settings()).containsEntry("key", "value-of-http");
                assertThat(context.dataDir()).isEqualTo(DATA);
                assertThat(context.clock()).isSameAs(CLOCK);
            });
        }
    }

    @Test
    void aSectionWithoutValuesEnablesTheConnectorWithEmptySettings() {
        final FakeProvider http = new FakeProvider("http");
        final Map<String, Map<String, Object>> settings = new HashMap<>();
        settings.put("http", null); // YAML "connectors: {http: }"
        try (Connectors connectors = Connectors.create(List.of(http), settings, DATA, CLOCK)) {
            assertThat(connectors.names()).containsExactly("http");
            assertThat(http.contexts.get(0).settings()).isEmpty();
        }
    }

    @Test
    void unknownConnectorNamesAreReportedTogetherBeforeAnythingIsCreated() {
        final FakeProvider http = new FakeProvider("http");
        assertThatThrownBy(() -> Connectors.create(List.of(http), settings("http", "sshh", "kubernets"), DATA, CLOCK))
                .isInstanceOf(ConnectorConfigException.class)
                .satisfies(e -> assertThat(((ConnectorConfigException) e).problems()).containsExactly(
                        "connectors.kubernets: unknown connector; available: http. Check the spelling, or put the"
                                + " module that provides it on the class path",
                        "connectors.sshh: unknown connector; available: http. Check the spelling, or put the"
                                + " module that provides it on the class path"));
        assertThat(http.contexts).isEmpty();
    }

    @Test
    void settingsProblemsOfAllConnectorsAreReportedTogetherAndCreatedConnectorsClosed() {
        final FakeProvider ansible = new FakeProvider("ansible");
        final FakeProvider http = new FakeProvider("http", "timeout: must be positive");
        final FakeProvider ssh = new FakeProvider("ssh", "hosts: missing", "user: missing");
        assertThatThrownBy(() -> Connectors.create(List.of(ssh, http, ansible), settings("ssh", "http", "ansible"), DATA, CLOCK))
                .isInstanceOf(ConnectorConfigException.class)
                .hasMessageStartingWith("invalid connector configuration (3 problems)")
                .satisfies(e -> assertThat(((ConnectorConfigException) e).problems()).containsExactly(
                        "connectors.http.timeout: must be positive",
                        "connectors.ssh.hosts: missing",
                        "connectors.ssh.user: missing"));
        assertThat(ansible.created).singleElement().satisfies(c -> assertThat(c.closed).isTrue());
    }

    @Test
    void twoProvidersWithOneNameAreAnError() {
        assertThatThrownBy(() -> Connectors.create(List.of(new FakeProvider("http"), new FakeProvider("http")),
                settings(), DATA, CLOCK))
                .hasMessageContaining("connectors.http: two providers claim this name");
    }

    @Test
    void closeClosesEveryConnectorEvenWhenOneFails() {
        final FakeProvider ansible = new FakeProvider("ansible");
        final FakeProvider http = new FakeProvider("http");
        final Connectors connectors = Connectors.create(List.of(ansible, http), settings("ansible", "http"), DATA, CLOCK);
        ansible.created.get(0).failOnClose = true;

        assertThatThrownBy(connectors::close).hasMessageContaining("closing connector ansible failed");
        assertThat(ansible.created.get(0).closed).isTrue();
        assertThat(http.created.get(0).closed).isTrue();
    }

    @Test
    void loadFindsTheProvidersOfThisModuleOnTheClassPath() {
        // No services: the process connector is created but starts nothing.
        final Map<String, Map<String, Object>> settings = Map.of(ProcessConnector.NAME, Map.of("autostart", true));
        try (Connectors connectors = Connectors.load(settings, DATA, CLOCK)) {
            assertThat(connectors.names()).containsExactly(ProcessConnector.NAME);
            assertThat(connectors.get(ProcessConnector.NAME)).get().isInstanceOf(ProcessConnector.class);
        }
        assertThatThrownBy(() -> Connectors.load(Map.of("proces", Map.of()), DATA, CLOCK))
                .hasMessageContaining("connectors.proces: unknown connector; available: ansible, http, kubernetes, process, ssh");
    }
}
