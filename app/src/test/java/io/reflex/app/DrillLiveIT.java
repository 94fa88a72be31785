package io.reflex.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflex.app.config.CliOverrides;
import io.reflex.app.config.ConfigLoader;
import io.reflex.app.config.ReflexConfig;
import io.reflex.app.demo.Demo;
import io.reflex.app.demo.DemoDrill;
import io.reflex.drill.DrillDefinition;
import io.reflex.drill.DrillFile;
import io.reflex.drill.DrillReport;
import io.reflex.drill.DrillRunner;
import io.reflex.model.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live drills against a real Reflex as {@code ./reflex up} runs it (embedded broker, every role,
 * demo-shop as a real process watched by a probe, the demo rules): a real kill of demo-shop, graded
 * from Reflex's own topics.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DrillLiveIT {
    private static final Duration BOUND = Duration.ofSeconds(60);
    private static final String RESTART_RULE = "restart service on ServiceDown";

    private Path dataDir;
    private Reflex reflex;
    private String healthUrl;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void start(@TempDir Path dir) {
        dataDir = dir;
        ReflexConfig config = new ConfigLoader(new Demo())
                .load(new CliOverrides(null, 0, dataDir, null, null, false), Map.of());
        healthUrl = config.ingest().probes().stream().filter(p -> p.name().equals(Demo.SERVICE)).findFirst()
                .orElseThrow().url();
        reflex = new Reflex(config, Clock.systemUTC()).start();
        await("Reflex healthy").atMost(BOUND).until(() -> get("/health").statusCode() == 200);
        await("demo-shop healthy").atMost(BOUND).until(() -> Files.exists(pidFile())
                && http.send(HttpRequest.newBuilder(URI.create(healthUrl)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
    }

    @AfterAll
    void stop() {
        if (reflex != null) {
            reflex.close();
        }
    }

    private String drill(String name, String rule, String slo, String timeout) {
        return """
                name: %s
                steadyState:
                  http: {url: "%s", status: 200}
                  interval: 500ms
                  timeout: 2s
                fault: {type: kill, connector: process, service: demo-shop, signal: KILL}
                expect: {rule: "%s", action: restart_service, target: "service:demo-shop"}
                slo: %s
                timeout: %s
                undo: restart
                """.formatted(name, healthUrl, rule, slo, timeout);
    }

    @Test
    @Order(1)
    void killingDemoShopIsHealedByTheExpectedRuleAndThePassingReportHasEveryPhase(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("kill-demo-shop.yaml");
        Files.writeString(file, drill("kill-demo-shop", RESTART_RULE, "45s", "60s"));
        long before = pid();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"drill", "run", file.toString(), "--url", "http://127.0.0.1:" + reflex.httpPort(),
                "--data-dir", dataDir.toString(), "--json"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as(printed + err.toString(StandardCharsets.UTF_8)).isEqualTo(Main.OK);

        DrillReport report = Json.MAPPER.readValue(printed, DrillReport.class);
        assertThat(report.passed()).as(report.reason()).isTrue();
        assertThat(report.id()).startsWith("drill-kill-demo-shop-");
        assertThat(report.phases().complete()).as(printed).isTrue();
        assertThat(report.phases().recoverMs()).isLessThanOrEqualTo(report.sloMs());
        assertThat(report.actualRules()).contains(RESTART_RULE);
        assertThat(report.incidentId()).isNotBlank();
        assertThat(report.undone()).isFalse();
        long after = pid();
        assertThat(after).isNotEqualTo(before);
        assertThat(ProcessHandle.of(after)).hasValueSatisfying(p -> assertThat(p.isAlive()).isTrue());
        assertThat(ProcessHandle.of(before).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }

    @Test
    @Order(2)
    void theDemosDryRunDrillRehearsesTheRestartFromTheCommandLineAndTouchesNothing() throws Exception {
        Path file = dataDir.resolve("drills").resolve(DemoDrill.DRY_RUN_FILE);
        assertThat(file).as("written by the demo at start").exists();
        long before = pid();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"drill", "run", file.toString(), "--url", "http://127.0.0.1:" + reflex.httpPort(),
                "--data-dir", dataDir.toString(), "--json"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String printed = out.toString(StandardCharsets.UTF_8);
        String progress = err.toString(StandardCharsets.UTF_8);
        assertThat(code).as(printed + progress).isEqualTo(Main.OK);

        DrillReport report = Json.MAPPER.readValue(printed, DrillReport.class);
        assertThat(report.mode()).isEqualTo("dry-run");
        assertThat(report.passed()).as(report.readable()).isTrue();
        assertThat(report.reason()).startsWith("rehearsed: ");
        assertThat(report.actualRules()).contains(RESTART_RULE);
        assertThat(report.actualActions()).anySatisfy(a -> assertThat(a).contains("restart_service"));
        assertThat(report.phases().detectMs()).isNotNull();
        assertThat(report.phases().recoverMs()).isNull();
        // With --json the progress lines go to stderr, each with the drill id.
        assertThat(progress).contains(report.id() + ": dry run: nothing real is touched");
        assertThat(pid()).as("a dry run kills nothing").isEqualTo(before);
    }

    @Test
    @Order(3)
    void withoutTheRestartRuleTheDrillFailsSayingWhyAndUndoesItsFault() throws Exception {
        // Rules that keep opening incidents but restart nothing: the remediation the drill expects cannot happen.
        HttpResponse<String> deployed = post("/api/rules", """
                package io.reflex.rules.drillit;

                import io.reflex.model.AlertEvent;

                global io.reflex.rules.Remediate remediate;

                rule "only a rule for another alert"
                when
                    AlertEvent(name == "NoSuchAlert")
                then
                end
                """);
        assertThat(deployed.statusCode()).as(deployed.body()).isEqualTo(201);
        await("no earlier incident left open on demo-shop").atMost(BOUND).until(() -> {
            for (JsonNode incident : json(get("/api/incidents?limit=100")).path("items")) {
                if (incident.path("resource").path("name").asText().equals(Demo.SERVICE)
                        && !incident.path("status").asText().equals("RESOLVED")) {
                    return false;
                }
            }
            return true;
        });
        long before = pid();
        DrillDefinition drill = DrillFile.parse(drill("kill-no-rule", RESTART_RULE, "10s", "15s"), "kill-no-rule.yaml");
        DrillReport report = DrillRunner.connectedTo(Map.of("bootstrap.servers", reflex.bootstrapServers()), dataDir,
                Clock.systemUTC()).run(drill);

        assertThat(report.passed()).isFalse();
        assertThat(report.reason()).as(report.readable())
                .startsWith("the expected rule \"" + RESTART_RULE + "\" did not fire for incident " + report.incidentId())
                .contains("no rule fired");
        assertThat(report.phases().detectMs()).as("the probe still raised the alert").isNotNull();
        assertThat(report.phases().decideMs()).isNull();
        assertThat(report.phases().recoverMs()).isNull();
        assertThat(report.undone()).as(report.readable()).isTrue();
        assertThat(report.undo()).contains("restart_service service:demo-shop").contains("not healed by the timeout");
        long after = pid();
        assertThat(after).isNotEqualTo(before);
        assertThat(ProcessHandle.of(after)).hasValueSatisfying(p -> assertThat(p.isAlive()).isTrue());
        assertThat(http.send(HttpRequest.newBuilder(URI.create(healthUrl)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
    }

    @Test
    @Order(4)
    void aDrillIsRefusedBeforeAnyFaultWhenTheFileIsWrongOrTheTargetIsNotSteady(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "name: x\nmode: sideways\nfault: {type: kill}\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertThat(Main.run(new String[] {"drill", "run", bad.toString(), "--data-dir", dataDir.toString()}, print, print))
                .isEqualTo(Main.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("mode: 'sideways' is not a mode")
                .contains("fault.service: is missing").contains("steadyState: is missing");

        long before = pid();
        DrillDefinition unsteady = DrillFile.parse(drill("unsteady", RESTART_RULE, "10s", "15s")
                .replace(healthUrl, "http://127.0.0.1:1/health"), "unsteady.yaml");
        DrillReport report = DrillRunner.connectedTo(Map.of("bootstrap.servers", reflex.bootstrapServers()), dataDir,
                Clock.systemUTC()).run(unsteady);
        assertThat(report.passed()).isFalse();
        assertThat(report.injectedAt()).isNull();
        assertThat(report.reason()).startsWith("not in the steady state before the fault");
        assertThat(pid()).isEqualTo(before);
    }

    private Path pidFile() {
        return dataDir.resolve("run").resolve(Demo.SERVICE + ".pid");
    }

    private long pid() throws IOException {
        return Long.parseLong(Files.readString(pidFile()).trim());
    }

    private String token() throws IOException {
        return Files.readString(dataDir.resolve("auth/admin.token")).strip();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + reflex.httpPort() + path))
                .header("Authorization", "Bearer " + token()).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + reflex.httpPort() + path))
                .header("Authorization", "Bearer " + token()).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        return Json.MAPPER.readTree(response.body());
    }
}
