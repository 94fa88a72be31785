package io.reflex.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflex.app.config.CliOverrides;
import io.reflex.app.config.ConfigLoader;
import io.reflex.app.config.ReflexConfig;
import io.reflex.app.demo.Demo;
import io.reflex.model.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The walking skeleton end to end, as {@code ./reflex up} runs it: the embedded broker, every
 * role, the demo-shop process and its probe. Nothing is mocked: alerts go through the HTTP
 * hook into Kafka, the rules stage decides, the process connector restarts a real process.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReflexUpIT {
    private static final Duration HEAL_BOUND = Duration.ofSeconds(60);

    private Path dataDir;

    private final HttpClient http = HttpClient.newHttpClient();
    private Reflex reflex;
    private String webhookIncident;
    private final Instant testsStarted = Instant.now();

    @BeforeAll
    void start(@TempDir Path dir) {
        dataDir = dir;
        reflex = startReflex();
    }

    @AfterAll
    void stop() {
        if (reflex != null) {
            reflex.close();
        }
    }

    private Reflex startReflex() {
        ReflexConfig config = new ConfigLoader(new Demo())
                .load(new CliOverrides(null, 0, dataDir, null, null, false), Map.of());
        Reflex started = new Reflex(config, Clock.systemUTC()).start();
        await("Reflex healthy").atMost(HEAL_BOUND).until(() -> get(started, "/health").statusCode() == 200);
        return started;
    }

    /** No token is configured: every /api call uses the admin token Reflex made in the data dir. */
    private String token() throws IOException {
        return Files.readString(dataDir.resolve("auth/admin.token")).strip();
    }

    @Test
    @Order(1)
    void healthSaysUpWithKafkaAndEveryRole() throws Exception {
        JsonNode health = json(get(reflex, "/health"));
        assertThat(health.path("status").asText()).isEqualTo("UP");
        assertThat(health.path("kafka").path("status").asText()).isEqualTo("UP");
        assertThat(health.path("roles").size()).isEqualTo(5);
        assertThat(health.path("roles").path("drill").asText()).isEqualTo("UP");
        assertThat(reflex.adminTokenFile()).contains(dataDir.resolve("auth/admin.token"));
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dataDir.resolve("auth/admin.token")))).isEqualTo("rw-------");
        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + reflex.httpPort() + "/api/incidents")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        HttpResponse<String> broken = post("/api/rules/validate", "package x;\nrule \"r\" when then end oops");
        assertThat(broken.statusCode()).isEqualTo(422);
        assertThat(json(broken).path("errors").get(0).path("line").asInt()).isEqualTo(2);
    }

    @Test
    @Order(5)
    void aNewRulesVersionDeploysWithoutARestartAndRollsBack() throws Exception {
        String drl = new String(getClass().getResourceAsStream("/io/reflex/rules/demo/demo.drl").readAllBytes(),
                java.nio.charset.StandardCharsets.UTF_8).replace("restart service on ServiceDown", "restart v2");
        assertThat(post("/api/rules", "rule broken when then").statusCode()).isEqualTo(422);
        HttpResponse<String> deployed = post("/api/rules", drl);
        assertThat(deployed.statusCode()).as(deployed.body()).isEqualTo(201);
        long version = json(deployed).path("version").asLong();
        assertThat(version).isGreaterThanOrEqualTo(2);
        JsonNode listed = json(get(reflex, "/api/rules"));
        assertThat(listed.path("active").asLong()).isEqualTo(version);
        assertThat(listed.path("versions").size()).isGreaterThanOrEqualTo(2);
        HttpResponse<String> back = post("/api/rules/rollback/1", "");
        assertThat(back.statusCode()).as(back.body()).isIn(200, 202);
        await("v1 active again").atMost(HEAL_BOUND)
                .until(() -> json(get(reflex, "/api/rules")).path("active").asLong() == 1);
    }

    @Test
    @Order(6)
    void theCommandLineDeploysAPackageOrShowsWhereItIsWrong(@TempDir Path dir) throws Exception {
        Path good = dir.resolve("good.drl");
        Files.writeString(good, new String(getClass().getResourceAsStream("/io/reflex/rules/demo/demo.drl")
                .readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        Path bad = dir.resolve("bad.drl");
        Files.writeString(bad, "package x;\nrule \"r\" when then end oops");
        String url = "http://127.0.0.1:" + reflex.httpPort();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.PrintStream print = new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8);
        assertThat(Main.run(new String[] {"rules", "deploy", bad.toString(), "--url", url, "--data-dir",
                dataDir.toString()}, print, print))
                .isEqualTo(Main.FAILED);
        assertThat(out.toString(java.nio.charset.StandardCharsets.UTF_8)).contains(bad + ":2:").contains("not deployed");
        out.reset();
        long before = json(get(reflex, "/api/rules")).path("active").asLong();
        assertThat(Main.run(new String[] {"rules", "deploy", good.toString(), "--url", url, "--author", "it",
                "--data-dir", dataDir.toString()}, print, print)).isEqualTo(Main.OK);
        assertThat(out.toString(java.nio.charset.StandardCharsets.UTF_8)).contains("deployed as version");
        assertThat(json(get(reflex, "/api/rules")).path("active").asLong()).isGreaterThan(before);
    }

    @Test
    @Order(7)
    void aReplayOfTheDemoPackageOverTheRecordedAlertsDecidesAsWasDecided(@TempDir Path dir) throws Exception {
        Path demo = dir.resolve("demo.drl");
        Files.writeString(demo, new String(getClass().getResourceAsStream("/io/reflex/rules/demo/demo.drl")
                .readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.PrintStream print = new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8);
        int code = Main.run(new String[] {"rules", "replay", demo.toString(), "--from", testsStarted.toString(),
                "--to", Instant.now().toString(), "--url", "http://127.0.0.1:" + reflex.httpPort(), "--token", token(), "--json"}, print, print);
        JsonNode report = Json.MAPPER.readTree(out.toString(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(report.path("summary").path("same").asInt()).as(report.toString()).isGreaterThanOrEqualTo(2);
        assertThat(report.path("summary").path("onlyCandidate").asInt()).as(report.toString()).isZero();
        assertThat(code).isIn(Main.OK, Main.FAILED);
        HttpResponse<String> noRange = post("/api/rules/replay", "rule x when then end");
        assertThat(noRange.statusCode()).isEqualTo(400);
    }

    @Test
    @Order(2)
    void aServiceDownWebhookDeliveredThreeTimesRestartsDemoShopOnce() throws Exception {
        awaitDemoShopHealthy();
        long pidBefore = demoShopPid();
        Instant startsAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        String body = SendAlert.payload("ServiceDown", labels(), startsAt, false).toString();
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> answer = post("/hooks/alertmanager", body);
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
        }

        JsonNode incident = awaitIncident(i -> i.path("resource").path("name").asText().equals("demo-shop")
                && actionsWithStatus(i, "SUCCEEDED") == 1, "restart of demo-shop succeeded");
        webhookIncident = incident.path("id").asText();
        assertThat(incident.path("actions").get(0).path("type").asText()).isEqualTo("restart_service");
        long pidAfter = demoShopPid();
        assertThat(pidAfter).isNotEqualTo(pidBefore);
        assertThat(ProcessHandle.of(pidAfter)).hasValueSatisfying(p -> assertThat(p.isAlive()).isTrue());

        // The two repeats were read and dropped by the rules stage, not merely still in flight.
        await("both repeats dropped").atMost(HEAL_BOUND)
                .until(() -> metric("reflex_rules_alerts_total", "outcome=\"duplicate\"") >= 2);
        List<JsonNode> demoShopIncidents = incidents().stream()
                .filter(i -> i.path("resource").path("name").asText().equals("demo-shop")).toList();
        assertThat(demoShopIncidents).hasSize(1);
        assertThat(demoShopIncidents.get(0).path("actions")).hasSize(1);
        assertThat(metric("reflex_remediator_actions_total", "status=\"SUCCEEDED\"")).isEqualTo(1);

        JsonNode detail = json(get(reflex, "/api/incidents/" + webhookIncident));
        List<String> kinds = new ArrayList<>();
        detail.path("timeline").forEach(step -> kinds.add(step.path("kind").asText()));
        assertThat(kinds).startsWith("ALERT_RECEIVED", "RULE_FIRED")
                .contains("ACTION_DISPATCHED", "ACTION_RESULT");

        assertThat(post("/hooks/alertmanager", SendAlert.payload("ServiceDown", labels(), startsAt, true).toString()).statusCode())
                .isEqualTo(202);
        awaitIncident(i -> i.path("id").asText().equals(webhookIncident) && i.path("status").asText().equals("RESOLVED"),
                "webhook incident resolved");
    }

    @Test
    @Order(3)
    void killingDemoShopByHandIsHealedThroughTheProbeWithoutAnyWebhook() throws Exception {
        awaitDemoShopHealthy();
        List<String> earlier = incidents().stream().map(i -> i.path("id").asText()).toList();
        long victim = demoShopPid();
        assertThat(ProcessHandle.of(victim).orElseThrow().destroyForcibly()).isTrue();

        JsonNode incident = awaitIncident(i -> !earlier.contains(i.path("id").asText())
                && i.path("resource").path("name").asText().equals("demo-shop")
                && actionsWithStatus(i, "SUCCEEDED") >= 1, "probe incident healed");
        long healed = demoShopPid();
        assertThat(healed).isNotEqualTo(victim);
        assertThat(ProcessHandle.of(healed)).hasValueSatisfying(p -> assertThat(p.isAlive()).isTrue());
        String probeIncident = incident.path("id").asText();
        awaitIncident(i -> i.path("id").asText().equals(probeIncident) && i.path("status").asText().equals("RESOLVED"),
                "probe saw demo-shop healthy again and resolved the incident");
        JsonNode detail = json(get(reflex, "/api/incidents/" + probeIncident));
        assertThat(detail.path("timeline").get(0).path("summary").asText()).contains("probe");
    }

    @Test
    @Order(4)
    void aSecondStartOnTheSameDataDirStillListsTheEarlierIncidents() throws Exception {
        List<String> before = incidents().stream().map(i -> i.path("id").asText()).toList();
        assertThat(before).hasSizeGreaterThanOrEqualTo(2);
        String tokenBefore = token();
        reflex.close();
        reflex = startReflex();
        assertThat(token()).as("the admin token is reused on the next start").isEqualTo(tokenBefore);
        await("earlier incidents listed again").atMost(HEAL_BOUND).untilAsserted(() ->
                assertThat(incidents().stream().map(i -> i.path("id").asText()).toList())
                        .containsAll(before));
        JsonNode detail = json(get(reflex, "/api/incidents/" + webhookIncident));
        assertThat(detail.path("status").asText()).isEqualTo("RESOLVED");
        assertThat(detail.path("actions").get(0).path("status").asText()).isEqualTo("SUCCEEDED");
    }

    private static Map<String, String> labels() {
        Map<String, String> labels = new TreeMap<>();
        labels.put("service", Demo.SERVICE);
        return labels;
    }

    private void awaitDemoShopHealthy() {
        await("demo-shop running").atMost(HEAL_BOUND).until(() -> Files.exists(pidFile())
                && ProcessHandle.of(demoShopPid()).map(ProcessHandle::isAlive).orElse(false));
    }

    private Path pidFile() {
        return dataDir.resolve("run").resolve(Demo.SERVICE + ".pid");
    }

    private long demoShopPid() throws IOException {
        return Long.parseLong(Files.readString(pidFile()).trim());
    }

    private static int actionsWithStatus(JsonNode incident, String status) {
        int n = 0;
        for (JsonNode action : incident.path("actions")) {
            n += action.path("status").asText().equals(status) ? 1 : 0;
        }
        return n;
    }

    private JsonNode awaitIncident(java.util.function.Predicate<JsonNode> match, String what) {
        JsonNode[] found = new JsonNode[1];
        await(what).atMost(HEAL_BOUND).pollInterval(Duration.ofMillis(250)).until(() -> {
            found[0] = incidents().stream().filter(match).findFirst().orElse(null);
            return found[0] != null;
        });
        return found[0];
    }

    private List<JsonNode> incidents() throws Exception {
        List<JsonNode> items = new ArrayList<>();
        json(get(reflex, "/api/incidents?limit=500")).path("items").forEach(items::add);
        return items;
    }

    private double metric(String name, String label) throws Exception {
        String text = get(reflex, "/metrics").body();
        Matcher m = Pattern.compile("(?m)^" + name + "\\{[^}]*" + Pattern.quote(label) + "[^}]*} ([0-9.eE+-]+)$")
                .matcher(text);
        double sum = 0;
        while (m.find()) {
            sum += Double.parseDouble(m.group(1));
        }
        return sum;
    }

    private HttpResponse<String> get(Reflex target, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + target.httpPort() + path))
                .header("Authorization", "Bearer " + token())
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + reflex.httpPort() + path))
                .header("Authorization", "Bearer " + token())
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        return Json.MAPPER.readTree(response.body());
    }
}
