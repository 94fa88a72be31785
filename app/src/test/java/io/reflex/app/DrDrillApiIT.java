package io.reflex.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflex.app.config.CliOverrides;
import io.reflex.app.config.ConfigLoader;
import io.reflex.app.config.ReflexConfig;
import io.reflex.app.demo.Demo;
import io.reflex.drill.dr.DrDrillReport;
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
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A DR drill over the API of a whole Reflex in this JVM, the process that hosts the embedded
 * broker: 300 alerts over 10 s while the drill restarts the broker at 4 s. Every acked alert must be
 * decided exactly once and every action end once, with the broker restarted under the running roles.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DrDrillApiIT {
    private static final Duration BOUND = Duration.ofSeconds(60);
    private static final Duration DRILL_BOUND = Duration.ofMinutes(4);
    private static final String ADMIN = "dr-admin-token-0123456789";
    private static final int ALERTS = 300;

    private Path dataDir;
    private Reflex reflex;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void start(@TempDir Path dir) throws IOException {
        dataDir = dir.resolve("data");
        Path rules = Files.writeString(dir.resolve("dr.drl"), """
                package io.reflex.rules.drapiit;

                import io.reflex.model.AlertEvent;
                import io.reflex.model.AlertStatus;

                global io.reflex.rules.Remediate remediate;

                rule "notify drops on DrTest"
                when
                    $a : AlertEvent(name == "DrTest", status == AlertStatus.FIRING)
                then
                    remediate.notify($a, "drops", "DR test alert on " + $a.resource().key());
                end
                """);
        Path config = Files.writeString(dir.resolve("reflex.yml"), """
                auth:
                  tokens:
                    - {name: ana, role: admin, token: %s}
                rules:
                  rulesFile: %s
                """.formatted(ADMIN, rules));
        ReflexConfig loaded = new ConfigLoader(new Demo())
                .load(new CliOverrides(config, 0, dataDir, null, null, true), Map.of());
        reflex = new Reflex(loaded, Clock.systemUTC()).start();
        await("Reflex healthy").atMost(BOUND).ignoreExceptions().until(() -> send("GET", "/health", null)
                .statusCode() == 200);
    }

    @AfterAll
    void stop() {
        if (reflex != null) {
            reflex.close();
        }
    }

    @Test
    void aBrokerRestartUnderTrafficLosesAndRepeatsNothing() throws Exception {
        Files.createDirectories(dataDir.resolve("drills"));
        Files.writeString(dataDir.resolve("drills/bounce.yaml"), """
                name: listed-bounce
                kind: dr
                traffic: {alerts: 10, over: 2s}
                restartBroker: {after: 1s}
                """);
        JsonNode listed = json(send("GET", "/api/drills", null), 200);
        JsonNode file = null;
        for (JsonNode f : listed.path("files")) {
            if (f.path("file").asText().equals("bounce.yaml")) {
                file = f;
            }
        }
        assertThat(file).as(listed.toString()).isNotNull();
        assertThat(file.path("kind").asText()).isEqualTo("dr");
        assertThat(file.path("problems")).isEmpty();

        HttpResponse<String> posted = send("POST", "/api/drills", Json.MAPPER.writeValueAsString(Map.of("yaml", """
                name: broker-bounce
                kind: dr
                traffic: {alerts: %d, over: 10s}
                restartBroker: {after: 4s}
                timeout: 3m
                """.formatted(ALERTS))));
        JsonNode queued = json(posted, 202);
        assertThat(queued.path("kind").asText()).isEqualTo("dr");
        String id = queued.path("id").asText();

        JsonNode[] run = new JsonNode[1];
        await("the DR drill ends").atMost(DRILL_BOUND).pollInterval(Duration.ofSeconds(1)).until(() -> {
            run[0] = json(send("GET", "/api/drills/runs/" + id, null), 200);
            String status = run[0].path("status").asText();
            return status.equals("PASSED") || status.equals("FAILED");
        });
        DrDrillReport report = Json.MAPPER.treeToValue(run[0].path("drReport"), DrDrillReport.class);
        System.out.println(report.readable());
        run[0].path("progress").forEach(line -> System.out.println("  progress: " + line.asText()));

        assertThat(run[0].path("kind").asText()).isEqualTo("dr");
        assertThat(run[0].path("status").asText()).as(report.readable()).isEqualTo("PASSED");
        assertThat(report.alertsSent()).isEqualTo(ALERTS);
        assertThat(report.alertsAcked()).as(report.readable()).isEqualTo(ALERTS);
        assertThat(report.alertsLost()).as(report.readable()).isZero();
        assertThat(report.alertsDecidedTwice()).as(report.readable()).isZero();
        assertThat(report.actionsDecided()).as("one notify per alert").isEqualTo(ALERTS);
        assertThat(report.actionsDuplicated()).as(report.readable()).isZero();
        assertThat(report.resultsDuplicated()).as(report.readable()).isZero();
        assertThat(report.actionsWithoutResult()).as(report.readable()).isZero();
        assertThat(report.brokerRestartedAt()).as("the broker was restarted").isNotNull();
        assertThat(report.killedAt()).as("nothing was killed").isNull();
        assertThat(run[0].path("progress").toString()).contains("the Kafka broker is back at");

        HttpResponse<String> page = send("GET", "/api/drills/runs/" + id + "/report.html", null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t)
                .startsWith("text/html"));
        assertThat(page.body()).contains("broker-bounce", "PASS", ALERTS + " / " + ALERTS);

        JsonNode runs = json(send("GET", "/api/drills", null), 200).path("runs");
        assertThat(runs.toString()).contains("\"id\":\"" + id + "\"");
        for (JsonNode summary : runs) {
            if (summary.path("id").asText().equals(id)) {
                assertThat(summary.path("kind").asText()).isEqualTo("dr");
            }
        }
        // Every role is up again after the broker came back (/health answers 200 only then).
        await("every role UP after the broker restart").atMost(BOUND).until(() -> send("GET", "/health", null)
                .statusCode() == 200);
        System.out.println("health after the drill: " + send("GET", "/health", null).body());
    }

    @Test
    void aDrDrillWithNeitherKillNorBrokerRestartIsRefused() throws Exception {
        HttpResponse<String> refused = send("POST", "/api/drills", Json.MAPPER.writeValueAsString(Map.of("yaml", """
                name: idle
                kind: dr
                traffic: {alerts: 10, over: 2s}
                """)));
        JsonNode error = json(refused, 400);
        assertThat(error.path("details").toString()).contains("yaml.kill: is missing, and so is restartBroker");
    }

    private HttpResponse<String> send(String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + reflex.httpPort() + path))
                .header("Authorization", "Bearer " + ADMIN)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response, int status) throws IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        return Json.MAPPER.readTree(response.body());
    }
}
