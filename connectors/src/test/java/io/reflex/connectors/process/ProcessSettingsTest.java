package io.reflex.connectors.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reflex.connectors.spi.ConnectorConfigException;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProcessSettingsTest {

    private static Map<String, Object> services(Object services) {
        final Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("services", services);
        return settings;
    }

    private static List<String> problemsOf(Map<String, ?> settings) {
        try {
            ProcessSettings.parse("process", settings);
        } catch (ConnectorConfigException e) {
            return e.problems();
        }
        throw new AssertionError("expected configuration problems for " + settings);
    }

    @Test
    void readsAFullServiceDefinition() {
        final ProcessSettings settings = ProcessSettings.parse("process", Map.of(
                "autostart", true,
                "services", Map.of("demo-shop", Map.of(
                        "command", List.of("java", "-cp", "shop.jar", "Shop", 8081),
                        "workdir", "/srv/shop",
                        "env", Map.of("SHOP_MODE", "demo", "SHOP_THREADS", 4),
                        "health", "http://127.0.0.1:8081/health",
                        "startTimeout", "PT30S"))));

        assertThat(settings.autostart()).isTrue();
        assertThat(settings.services()).containsOnlyKeys("demo-shop");
        assertThat(settings.services().get("demo-shop")).isEqualTo(new ServiceSpec("demo-shop",
                List.of("java", "-cp", "shop.jar", "Shop", "8081"), Optional.of(Path.of("/srv/shop")),
                Map.of("SHOP_MODE", "demo", "SHOP_THREADS", "4"), Optional.of(URI.create("http://127.0.0.1:8081/health")),
                Duration.ofSeconds(30)));
    }

    @Test
    void onlyCommandIsRequired() {
        final ProcessSettings settings = ProcessSettings.parse("process",
                services(Map.of("worker", Map.of("command", List.of("/usr/bin/worker")))));

        assertThat(settings.autostart()).isFalse();
        final ServiceSpec worker = settings.services().get("worker");
        assertThat(worker.workdir()).isEmpty();
        assertThat(worker.env()).isEmpty();
        assertThat(worker.health()).isEmpty();
        assertThat(worker.startTimeout()).isEqualTo(ProcessSettings.DEFAULT_START_TIMEOUT).isEqualTo(Duration.ofSeconds(20));
    }

    @Test
    void emptySettingsManageNothing() {
        assertThat(ProcessSettings.parse("process", Map.of()).services()).isEmpty();
        assertThat(ProcessSettings.parse("process", null).services()).isEmpty();
    }

    @Test
    void startTimeoutIsIsoOrSeconds() {
        final List<String> problems = new ArrayList<>();
        assertThat(ProcessSettings.parseDuration("PT1M", "t", problems)).isEqualTo(Duration.ofMinutes(1));
        assertThat(ProcessSettings.parseDuration(15, "t", problems)).isEqualTo(Duration.ofSeconds(15));
        assertThat(ProcessSettings.parseDuration(2.5, "t", problems)).isEqualTo(Duration.ofMillis(2500));
        assertThat(ProcessSettings.parseDuration(new BigDecimal("0.25"), "t", problems)).isEqualTo(Duration.ofMillis(250));
        assertThat(ProcessSettings.parseDuration("45", "t", problems)).isEqualTo(Duration.ofSeconds(45));
        assertThat(problems).isEmpty();

        ProcessSettings.parseDuration("20 seconds", "t", problems);
        ProcessSettings.parseDuration(0, "t", problems);
        ProcessSettings.parseDuration("-PT5S", "t", problems);
        ProcessSettings.parseDuration(List.of(1), "t", problems);
        assertThat(problems).hasSize(4).allSatisfy(p -> assertThat(p).startsWith("t: must be a positive duration"));
    }

    @Test
    void environmentOverridesArriveAsStrings() {
        final ProcessSettings settings = ProcessSettings.parse("process", Map.of("autostart", "TRUE",
                "services", Map.of("a", Map.of("command", List.of("a"), "startTimeout", "5"))));
        assertThat(settings.autostart()).isTrue();
        assertThat(settings.services().get("a").startTimeout()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void everyProblemIsReportedAtOnceWithItsServiceAndKey() {
        final Map<String, Object> all = new LinkedHashMap<>();
        all.put("string-command", Map.of("command", "python3 -m http.server 8081"));
        all.put("no-command", Map.of("health", "http://127.0.0.1:1/health"));
        all.put("empty-command", Map.of("command", List.of()));
        all.put("bad-url", Map.of("command", List.of("x"), "health", "127.0.0.1:8081/health"));
        all.put("no-host", Map.of("command", List.of("x"), "health", "http:///health"));
        all.put("ftp-url", Map.of("command", List.of("x"), "health", "ftp://127.0.0.1/health"));
        all.put("secret-url", Map.of("command", List.of("x"), "health", "http://admin:hunter2@127.0.0.1/health"));
        all.put("bad-timeout", Map.of("command", List.of("x"), "startTimeout", "soon"));
        all.put("typo", Map.of("command", List.of("x"), "helth", "http://127.0.0.1/"));
        all.put("bad-env", Map.of("command", List.of("x"), "env", List.of("A=1")));
        all.put("nested-arg", Map.of("command", List.of("x", Map.of("a", 1))));
        all.put("bad name!", Map.of("command", List.of("x")));
        all.put("not-a-map", "python3");
        final Map<String, Object> settings = services(all);
        settings.put("autostart", "yes");
        settings.put("servces", Map.of());

        assertThat(problemsOf(settings)).containsExactlyInAnyOrder(
                "connectors.process.servces: unknown key; expected one of [autostart, services]",
                "connectors.process.autostart: must be true or false, not the string 'yes'",
                "connectors.process.services.string-command.command: must be a list of arguments, e.g. [python3, -m,"
                        + " http.server, \"8081\"], not a string: a string would need a shell to split it, and Reflex never uses one",
                "connectors.process.services.no-command.command: missing; give the program and its arguments as a list,"
                        + " e.g. [python3, -m, http.server, \"8081\"]",
                "connectors.process.services.empty-command.command: is empty; give at least the program to run",
                "connectors.process.services.bad-url.health: not a valid URL (Illegal character in scheme name at"
                        + " index 0: 127.0.0.1:8081/health); must be an http URL like http://127.0.0.1:8081/health",
                "connectors.process.services.no-host.health: has no host; must be an http URL like"
                        + " http://127.0.0.1:8081/health",
                "connectors.process.services.ftp-url.health: must be an http URL like http://127.0.0.1:8081/health;"
                        + " got scheme 'ftp'",
                "connectors.process.services.secret-url.health: must not carry credentials (user:password@);"
                        + " health checks are anonymous GETs",
                "connectors.process.services.bad-timeout.startTimeout: must be a positive duration such as 20s,"
                        + " 2m or PT20S, not the string 'soon'",
                "connectors.process.services.typo.helth: unknown key; expected one of [command, env, health, startTimeout, workdir]",
                "connectors.process.services.bad-env.env: must be a map of variable name to value, not a list",
                "connectors.process.services.nested-arg.command[1]: must be a non-empty string, not a map",
                "connectors.process.services.bad name!: service name 'bad name!' is not allowed: a name starts with a"
                        + " letter or digit, has at most 63 characters, and uses only letters, digits, '_', '.' and '-'",
                "connectors.process.services.not-a-map: must be a map with at least 'command', not the string 'python3'");
    }

    @Test
    void problemsNeverEchoSecretsFromEnvOrUrl() {
        final Map<String, Object> env = new LinkedHashMap<>();
        env.put("DB_PASSWORD", null);
        env.put("TOKEN", Map.of("value", "s3cr3t-token"));
        final List<String> problems = problemsOf(services(Map.of(
                "a", Map.of("command", List.of("a"), "env", env, "health", "http://u:s3cr3t-pass@127.0.0.1/"))));
        assertThat(problems).hasSize(3).noneMatch(p -> p.contains("s3cr3t"));
    }

    @Test
    void theExceptionMessageListsEveryProblem() {
        assertThatThrownBy(() -> ProcessSettings.parse("process", services(Map.of("a", Map.of(), "b", Map.of()))))
                .isInstanceOf(ConnectorConfigException.class)
                .hasMessageStartingWith("invalid connector configuration (2 problems):")
                .hasMessageContaining("connectors.process.services.a.command: missing")
                .hasMessageContaining("connectors.process.services.b.command: missing");
    }
}
