package io.reflex.ingest.probe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The probe section of the YAML config: each type read, defaulted and validated as the app's loader does. */
class ProbeConfigTest {

    // As strict as the app's loader: an unknown key is an error.
    private static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    private static List<ProbeConfig> read(String yaml) throws Exception {
        return YAML.readValue(yaml, new TypeReference<List<ProbeConfig>>() { });
    }

    private static List<String> problems(String yaml) throws Exception {
        List<ProbeConfig> probes = read(yaml);
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < probes.size(); i++) {
            problems.addAll(probes.get(i).problems("probes[" + i + "]"));
        }
        return problems;
    }

    @Test
    void readsOneProbeOfEachType() throws Exception {
        List<ProbeConfig> probes = read("""
                - name: shop
                  url: http://127.0.0.1:8081/health
                  expectStatus: [200, 204]
                  bodyContains: '"status":"UP"'
                  bodyMatches: 'db: (ok|degraded)'
                  labels: {service: shop}
                - name: orders-db
                  type: tcp
                  host: db.internal
                  port: 5432
                  interval: 5s
                  timeout: 500ms
                - name: queue
                  type: command
                  command: [/usr/local/bin/check-queue, --max, "1000"]
                  expectExitCode: 3
                  timeout: 10s
                  alertName: QueueStuck
                  severity: warning
                """);

        assertThat(probes).containsExactly(
                ProbeConfig.http("shop", "http://127.0.0.1:8081/health", Map.of("service", "shop"))
                        .withExpectations(List.of(200, 204), "\"status\":\"UP\"", "db: (ok|degraded)"),
                ProbeConfig.tcp("orders-db", "db.internal", 5432, Map.of())
                        .withTiming(Duration.ofSeconds(5), Duration.ofMillis(500), 2, 1),
                ProbeConfig.command("queue", List.of("/usr/local/bin/check-queue", "--max", "1000"), Map.of())
                        .withExpectExitCode(3)
                        .withTiming(Duration.ofSeconds(1), Duration.ofSeconds(10), 2, 1)
                        .withAlert("QueueStuck", "warning"));
        assertThat(probes).extracting(ProbeConfig::kind)
                .containsExactly(ProbeConfig.Type.HTTP, ProbeConfig.Type.TCP, ProbeConfig.Type.COMMAND);
        assertThat(probes).allSatisfy(p -> assertThat(p.problems("p")).isEmpty());
    }

    @Test
    void aProbeWithoutTypeIsAnHttpProbeWithEveryDefault() throws Exception {
        ProbeConfig probe = read("[{name: shop, url: 'http://shop/health'}]").get(0);

        assertThat(probe.type()).isEqualTo("http");
        assertThat(probe.expectStatus()).as("any 2xx").isEmpty();
        assertThat(probe.bodyContains()).isNull();
        assertThat(probe.bodyMatches()).isNull();
        assertThat(probe.interval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(probe.timeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(probe.failureThreshold()).isEqualTo(2);
        assertThat(probe.successThreshold()).isEqualTo(1);
        assertThat(probe.alertName()).isEqualTo("ServiceDown");
        assertThat(probe.severity()).isEqualTo("critical");
        assertThat(probe).isEqualTo(ProbeConfig.of("shop", "http://shop/health", Map.of()));
    }

    @Test
    void oneStatusCodeNeedsNoList() throws Exception {
        assertThat(read("[{name: a, url: 'http://a/', expectStatus: 204}]").get(0).expectStatus()).containsExactly(204);
    }

    @Test
    void saysWhatEachProbeTargetIs() {
        assertThat(ProbeConfig.http("a", "http://a/health", Map.of()).target()).isEqualTo("GET http://a/health");
        assertThat(ProbeConfig.tcp("b", "db", 5432, Map.of()).target()).isEqualTo("TCP connect db:5432");
        assertThat(ProbeConfig.tcp("c", "::1", 22, Map.of()).targetAnnotations()).containsExactly(Map.entry("address", "[::1]:22"));
        assertThat(ProbeConfig.command("d", List.of("check", "--name", "two words", "it's", ""), Map.of()).target())
                .as("quoted for reading only").isEqualTo("run check --name 'two words' 'it'\\''s' ''");
    }

    @Test
    void validatesEachTypeByItsOwnKeys() throws Exception {
        assertThat(problems("""
                - {name: h1}
                - {name: h2, url: 'ftp://x/', expectStatus: [99, 200, 600], bodyContains: '', bodyMatches: '(unclosed'}
                - {name: t1, type: tcp}
                - {name: t2, type: tcp, host: db, port: 70000}
                - {name: c1, type: command}
                - {name: c2, type: command, command: [check, null], expectExitCode: 256}
                """)).containsExactly(
                "probes[0].url: missing; e.g. http://127.0.0.1:8081/health",
                "probes[1].url: \"ftp://x/\" is not an http(s) URL",
                "probes[1].expectStatus: 99 is not an HTTP status; use codes from 100 to 599",
                "probes[1].expectStatus: 600 is not an HTTP status; use codes from 100 to 599",
                "probes[1].bodyContains: empty; give the text the body must contain, or leave it out",
                "probes[1].bodyMatches: \"(unclosed\" is not a regular expression: Unclosed group near index 9",
                "probes[2].host: missing; e.g. 127.0.0.1 or db.internal",
                "probes[2].port: missing; e.g. 5432",
                "probes[3].port: must be between 1 and 65535, got 70000",
                "probes[4].command: missing; give the program and its arguments as a list, e.g."
                        + " [pg_isready, -h, 127.0.0.1] (it runs directly, not in a shell)",
                "probes[5].command[1]: empty; remove it or quote it as ''",
                "probes[5].expectExitCode: must be between 0 and 255, got 256");
    }

    @Test
    void aCommandLineInOneStringIsRefusedBecauseNoShellSplitsIt() throws Exception {
        assertThat(problems("[{name: c, type: command, command: 'pg_isready -h db'}]")).containsExactly(
                "probes[0].command: \"pg_isready -h db\" looks like a command line, but no shell splits it;"
                        + " write the program and each argument as a list, e.g. [pg_isready, -h, db]");
        assertThat(problems("[{name: c, type: command, command: uptime}]")).as("one word is a program").isEmpty();
    }

    @Test
    void aKeyOfAnotherTypeIsAMistakeNotSilentlyIgnored() throws Exception {
        assertThat(problems("""
                - {name: forgot-type, host: db, port: 5432}
                - {name: t, type: tcp, host: db, port: 5432, url: 'http://db/', command: [x], expectExitCode: 1}
                - {name: c, type: command, command: [x], bodyContains: ok, expectStatus: 200}
                """)).containsExactly(
                "probes[0].url: missing; e.g. http://127.0.0.1:8081/health",
                "probes[0].host: not used by http probes; remove it, or set type: tcp",
                "probes[0].port: not used by http probes; remove it, or set type: tcp",
                "probes[1].url: not used by tcp probes; remove it, or set type: http",
                "probes[1].command: not used by tcp probes; remove it, or set type: command",
                "probes[1].expectExitCode: not used by tcp probes; remove it, or set type: command",
                "probes[2].expectStatus: not used by command probes; remove it, or set type: http",
                "probes[2].bodyContains: not used by command probes; remove it, or set type: http");
    }

    @Test
    void anUnknownTypeNamesTheKnownOnes() throws Exception {
        assertThat(problems("[{name: x, type: icmp, host: h}]"))
                .containsExactly("probes[0].type: \"icmp\" is not a probe type; use http, tcp or command");
    }

    @Test
    void theTypeIsReadWhateverItsCase() throws Exception {
        assertThat(read("[{name: x, type: TCP, host: h, port: 1}]").get(0).kind()).isEqualTo(ProbeConfig.Type.TCP);
    }
}
