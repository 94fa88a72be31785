package io.reflex.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflex.app.config.CliOverrides;
import io.reflex.app.config.ConfigLoader;
import io.reflex.app.config.ReflexConfig;
import io.reflex.app.demo.Demo;
import io.reflex.app.demo.DemoDrill;
import io.reflex.drill.DrillReport;
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
import java.util.ArrayList;
import java.util.List;
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
 * The drill role over HTTP against a real Reflex as {@code ./reflex up} runs it (embedded broker,
 * every role, demo-shop as a real process watched by a probe): the demo drill {@code reflex up}
 * writes is run through {@code POST /api/drills}, really kills demo-shop, and its report is kept
 * across a restart.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DrillsApiIT {
    private static final Duration BOUND = Duration.ofSeconds(60);
    /** A drill lasts until demo-shop is healed (seconds) or its timeout of 2 minutes. */
    private static final Duration DRILL_BOUND = Duration.ofMinutes(3);
    private static final String ADMIN = "drills-admin-token";
    private static final String OPERATOR = "drills-operator-token";
    private static final String VIEWER = "drills-viewer-token";

    private final HttpClient http = HttpClient.newHttpClient();
    private Path configFile;
    private Path dataDir;
    private Reflex reflex;
    private String runId;

    @BeforeAll
    void start(@TempDir Path dir) throws IOException {
        configFile = Files.writeString(dir.resolve("reflex.yaml"), """
                auth:
                  tokens:
                    - {name: ana, role: admin, token: %s}
                    - {name: olga, role: operator, token: %s}
                    - {name: val, role: viewer, token: %s}
                """.formatted(ADMIN, OPERATOR, VIEWER));
        dataDir = dir.resolve("data");
        reflex = startReflex();
    }

    @AfterAll
    void stop() {
        if (reflex != null) {
            reflex.close();
        }
    }

    private Reflex startReflex() throws IOException {
        ReflexConfig config = new ConfigLoader(new Demo())
                .load(new CliOverrides(configFile, 0, dataDir, null, null, false), Map.of());
        Reflex started = new Reflex(config, Clock.systemUTC()).start();
        await("Reflex healthy").atMost(BOUND).until(() -> send("GET", started, "/health", null, null).statusCode() == 200);
        String health = healthUrl();
        await("demo-shop healthy").atMost(BOUND).until(() -> Files.exists(dataDir.resolve("run/demo-shop.pid"))
                && http.send(HttpRequest.newBuilder(URI.create(health)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
        return started;
    }

    private Path drillFile() {
        return dataDir.resolve("drills").resolve(DemoDrill.FILE);
    }

    /** demo-shop's health URL, as the demo drill file has it. */
    private String healthUrl() throws IOException {
        String text = Files.readString(drillFile());
        int start = text.indexOf("http://127.0.0.1:");
        return text.substring(start, text.indexOf('"', start));
    }

    @Test
    @Order(1)
    void theDemoDrillIsWrittenToTheDrillDirAndListedWithWhatItDoes() throws Exception {
        assertThat(drillFile()).exists();
        Files.writeString(dataDir.resolve("drills/broken.yaml"), "name: broken\nfault: {type: kill}\n");
        HttpResponse<String> list = send("GET", reflex, "/api/drills", null, VIEWER);
        assertThat(list.statusCode()).as(list.body()).isEqualTo(200);
        JsonNode body = json(list);
        assertThat(body.path("runs")).isEmpty();
        List<String> files = new ArrayList<>();
        body.path("files").forEach(f -> files.add(f.path("file").asText()));
        assertThat(files).contains("broken.yaml", DemoDrill.FILE);
        JsonNode demo = body.path("files").get(files.indexOf(DemoDrill.FILE));
        assertThat(demo.path("name").asText()).isEqualTo("kill-demo-shop");
        assertThat(demo.path("mode").asText()).isEqualTo("live");
        assertThat(demo.path("resource").asText()).isEqualTo("service:demo-shop");
        assertThat(demo.path("expect").asText()).contains(DemoDrill.RULE).contains("restart_service service:demo-shop");
        assertThat(demo.path("sloMs").asLong()).isEqualTo(30_000);
        assertThat(demo.path("problems")).isEmpty();
        assertThat(demo.path("kind").asText()).isEqualTo("drill");
        assertThat(body.path("files").get(files.indexOf("broken.yaml")).path("problems").toString())
                .contains("fault.service: is missing");
    }

    @Test
    @Order(2)
    void aBadRequestNamesTheProblemAndQueuesNothing() throws Exception {
        HttpResponse<String> invalid = send("POST", reflex, "/api/drills", Json.MAPPER.writeValueAsString(Map.of("yaml",
                "name: bad drill\nmode: dry-run\nfault: {type: kill}\nslo: soon\n")), OPERATOR);
        assertThat(invalid.statusCode()).as(invalid.body()).isEqualTo(400);
        JsonNode error = json(invalid);
        assertThat(error.path("error").asText()).isEqualTo("invalid_drill");
        assertThat(error.path("details").toString()).contains("yaml.name: 'bad drill' is not a drill name")
                .contains("yaml.fault.service: is missing").contains("yaml.slo:");

        HttpResponse<String> noPrometheus = send("POST", reflex, "/api/drills", Json.MAPPER.writeValueAsString(Map.of(
                "yaml", """
                        name: prom-drill
                        steadyState: {prometheus: {query: up}}
                        fault: {type: kill, service: demo-shop}
                        expect: {rule: x, action: restart_service, target: "service:demo-shop"}
                        slo: 30s
                        """)), OPERATOR);
        assertThat(noPrometheus.statusCode()).as(noPrometheus.body()).isEqualTo(400);
        assertThat(json(noPrometheus).path("details").get(0).asText()).startsWith("yaml.steadyState.prometheus.url: ");

        HttpResponse<String> path = send("POST", reflex, "/api/drills", "{\"file\": \"../x\"}", OPERATOR);
        assertThat(path.statusCode()).as(path.body()).isEqualTo(400);
        assertThat(json(path).path("details").get(0).asText()).startsWith("file: '../x' is a path");

        HttpResponse<String> missing = send("POST", reflex, "/api/drills", "{\"file\": \"nope.yaml\"}", OPERATOR);
        assertThat(missing.statusCode()).as(missing.body()).isEqualTo(400);
        assertThat(missing.body()).contains("there is no drill file 'nope.yaml'").contains(DemoDrill.FILE);

        HttpResponse<String> both = send("POST", reflex, "/api/drills", "{\"file\": \"a.yaml\", \"yaml\": \"x\"}", OPERATOR);
        assertThat(both.statusCode()).isEqualTo(400);
        assertThat(json(both).path("details").get(0).asText()).isEqualTo("file, yaml: both given");

        HttpResponse<String> tooBig = send("POST", reflex, "/api/drills", "{\"yaml\": \"" + "x".repeat(70_000) + "\"}",
                OPERATOR);
        assertThat(tooBig.statusCode()).isEqualTo(413);

        HttpResponse<String> viewer = send("POST", reflex, "/api/drills", "{\"file\": \"" + DemoDrill.FILE + "\"}",
                VIEWER);
        assertThat(viewer.statusCode()).as(viewer.body()).isEqualTo(403);
        assertThat(json(viewer).path("message").asText()).contains("needs role operator");

        assertThat(json(send("GET", reflex, "/api/drills", null, VIEWER)).path("runs")).isEmpty();
        assertThat(send("GET", reflex, "/api/drills/runs/drill-nope-20260101T000000Z", null, VIEWER).statusCode())
                .isEqualTo(404);
    }

    @Test
    @Order(3)
    void theDemoDrillRunFromItsFileNamePassesWithAllFourPhasesAndItsReportIsKept() throws Exception {
        long before = pid();
        HttpResponse<String> posted = send("POST", reflex, "/api/drills", "{\"file\": \"" + DemoDrill.FILE + "\"}",
                OPERATOR);
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);
        assertThat(json(posted).path("status").asText()).isEqualTo("QUEUED");
        runId = json(posted).path("id").asText();
        assertThat(runId).startsWith("drill-kill-demo-shop-");

        JsonNode run = await("the drill ends").atMost(DRILL_BOUND).pollInterval(Duration.ofMillis(500))
                .until(() -> json(send("GET", reflex, "/api/drills/runs/" + runId, null, VIEWER)),
                        r -> r.path("status").asText().matches("PASSED|FAILED"));
        DrillReport report = Json.MAPPER.treeToValue(run.path("report"), DrillReport.class);
        assertThat(run.path("status").asText()).as(report.readable()).isEqualTo("PASSED");
        assertThat(report.passed()).isTrue();
        assertThat(report.phases().complete()).as(report.readable()).isTrue();
        assertThat(report.phases().recoverMs()).isLessThanOrEqualTo(30_000L);
        assertThat(report.actualRules()).contains(DemoDrill.RULE);
        assertThat(report.incidentId()).isNotBlank();
        assertThat(run.path("file").asText()).isEqualTo(DemoDrill.FILE);
        assertThat(run.path("progress").toString()).contains("queued from kill-demo-shop.yaml").contains("started")
                .contains("PASSED: recovered in");
        assertThat(pid()).isNotEqualTo(before);

        JsonNode runs = json(send("GET", reflex, "/api/drills", null, VIEWER)).path("runs");
        assertThat(runs.get(0).path("id").asText()).isEqualTo(runId);
        assertThat(runs.get(0).path("status").asText()).isEqualTo("PASSED");
        assertThat(dataDir.resolve("drills/runs/" + runId + ".json")).exists();
    }

    @Test
    @Order(4)
    void theDemoDrillFilePassesWithTheDrillCommandToo() throws Exception {
        await("the demo incident of the last drill resolved").atMost(BOUND).until(this::noOpenDemoIncident);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"drill", "run", drillFile().toString(), "--url", reflex.url(),
                "--data-dir", dataDir.toString(), "--json"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as(printed + err.toString(StandardCharsets.UTF_8)).isEqualTo(Main.OK);
        DrillReport report = Json.MAPPER.readValue(printed, DrillReport.class);
        assertThat(report.passed()).as(report.reason()).isTrue();
        assertThat(report.phases().complete()).isTrue();
    }

    @Test
    @Order(5)
    void aRestartedReflexStillListsTheRunWithItsReport() throws Exception {
        // Stopped mid-incident, the next Reflex would never see demo-shop's probe recover (it was never
        // down for that process) and the incident would stay open, in the way of the GameDay's drills.
        await("the demo incident of the last drill resolved").atMost(BOUND).until(this::noOpenDemoIncident);
        reflex.close();
        reflex = startReflex();
        JsonNode run = json(send("GET", reflex, "/api/drills/runs/" + runId, null, VIEWER));
        assertThat(run.path("status").asText()).isEqualTo("PASSED");
        assertThat(run.path("report").path("phases").path("recoverMs").isNumber()).isTrue();
        assertThat(run.path("progress").toString()).contains("PASSED: recovered in");
        assertThat(json(send("GET", reflex, "/api/drills", null, VIEWER)).path("runs").get(0).path("id").asText())
                .isEqualTo(runId);
        assertThat(Files.readString(drillFile())).as("rewritten with demo-shop's port of this start")
                .contains(healthUrl());
    }

    @Test
    @Order(6)
    void aGameDayFileRunsItsDrillsAsRunsAndReportsItsCoverage() throws Exception {
        await("the demo incident of the last drill resolved").atMost(BOUND).until(this::noOpenDemoIncident);
        Path drills = dataDir.resolve("drills");
        Files.writeString(drills.resolve("it-dry-run.yaml"), """
                name: it-dry-run
                mode: dry-run
                fault: {type: kill, service: demo-shop}
                alert: {name: ServiceDown, labels: {service: demo-shop}}
                expect: {rule: "%s", action: restart_service, target: "service:demo-shop"}
                slo: 30s
                timeout: 1m
                """.formatted(DemoDrill.RULE));
        Files.writeString(drills.resolve("it-gameday.yaml"), """
                name: it
                drills:
                  - {file: %s, repeat: 2, pauseBetween: 3s}
                  - it-dry-run.yaml
                """.formatted(DemoDrill.FILE));
        JsonNode listed = json(send("GET", reflex, "/api/drills", null, VIEWER));
        assertThat(listed.path("files").findValues("file").stream().map(JsonNode::asText).toList())
                .contains("it-gameday.yaml");
        for (JsonNode f : listed.path("files")) {
            if (f.path("file").asText().equals("it-gameday.yaml")) {
                assertThat(f.path("kind").asText()).isEqualTo("gameday");
                assertThat(f.path("runs").asInt()).isEqualTo(3);
            }
        }

        HttpResponse<String> posted = send("POST", reflex, "/api/drills", "{\"file\": \"it-gameday.yaml\"}", OPERATOR);
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);
        JsonNode answer = json(posted);
        assertThat(answer.path("kind").asText()).isEqualTo("gameday");
        assertThat(answer.path("status").asText()).isEqualTo("QUEUED");
        String id = answer.path("id").asText();
        assertThat(id).startsWith("gameday-it-");

        JsonNode day = await("the GameDay ends").atMost(DRILL_BOUND.multipliedBy(3)).pollInterval(Duration.ofSeconds(1))
                .until(() -> json(send("GET", reflex, "/api/drills/gamedays/" + id, null, VIEWER)),
                        g -> g.path("status").asText().matches("PASSED|FAILED"));
        assertThat(day.path("status").asText()).as(day.toPrettyString()).isEqualTo("PASSED");
        assertThat(day.path("runs")).hasSize(3);
        JsonNode totals = day.path("report").path("totals");
        assertThat(totals.path("passed").asInt()).isEqualTo(3);
        assertThat(totals.path("faultsInjected").asInt()).isEqualTo(2);
        assertThat(totals.path("faultsHealed").asInt()).isEqualTo(2);
        assertThat(totals.path("coveragePercent").asDouble()).isEqualTo(100.0);
        assertThat(day.path("progress").toString()).contains("drill 1/3: kill-demo-shop").contains("drill 3/3: it-dry-run");
        List<String> modes = new ArrayList<>();
        for (JsonNode runId : day.path("runs")) {
            JsonNode run = json(send("GET", reflex, "/api/drills/runs/" + runId.asText(), null, VIEWER));
            assertThat(run.path("gameday").asText()).isEqualTo(id);
            assertThat(run.path("status").asText()).isEqualTo("PASSED");
            modes.add(run.path("report").path("mode").asText());
        }
        assertThat(modes).containsExactly("live", "live", "dry-run");
        assertThat(dataDir.resolve("drills/gamedays/" + id + ".json")).exists();

        JsonNode summary = json(send("GET", reflex, "/api/drills", null, VIEWER)).path("gamedays").get(0);
        assertThat(summary.path("id").asText()).isEqualTo(id);
        assertThat(summary.path("coveragePercent").asDouble()).isEqualTo(100.0);
        assertThat(summary.path("passed").asInt()).isEqualTo(3);

        HttpResponse<String> html = send("GET", reflex, "/api/drills/gamedays/" + id + "/report.html", null, VIEWER);
        assertThat(html.statusCode()).isEqualTo(200);
        assertThat(html.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(html.body()).contains("kill-demo-shop").contains("it-dry-run");
        HttpResponse<String> runHtml = send("GET", reflex, "/api/drills/runs/" + day.path("runs").get(0).asText()
                + "/report.html", null, VIEWER);
        assertThat(runHtml.statusCode()).isEqualTo(200);
        assertThat(runHtml.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(runHtml.body()).contains("kill-demo-shop");
        assertThat(send("GET", reflex, "/api/drills/gamedays/" + id + "/report.html", null, null).statusCode())
                .isEqualTo(401);

        String metrics = send("GET", reflex, "/metrics", null, VIEWER).body();
        assertThat(metrics).contains("reflex_drill_runs_total{drill=\"kill-demo-shop\",mode=\"live\",result=\"pass\"} 2.0")
                .contains("reflex_drill_runs_total{drill=\"it-dry-run\",mode=\"dry-run\",result=\"pass\"} 1.0")
                .contains("reflex_gameday_coverage_ratio{gameday=\"it\"} 1.0")
                .contains("reflex_drill_running 0.0");
    }

    private boolean noOpenDemoIncident() throws Exception {
        for (JsonNode incident : json(send("GET", reflex, "/api/incidents?limit=100", null, VIEWER)).path("items")) {
            if (incident.path("resource").path("name").asText().equals(Demo.SERVICE)
                    && !incident.path("status").asText().equals("RESOLVED")) {
                return false;
            }
        }
        return true;
    }

    private long pid() throws IOException {
        return Long.parseLong(Files.readString(dataDir.resolve("run/demo-shop.pid")).trim());
    }

    private HttpResponse<String> send(String method, Reflex target, String path, String body, String token)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + target.httpPort() + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        return Json.MAPPER.readTree(response.body());
    }
}
