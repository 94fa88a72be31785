package io.reflex.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflex.app.config.CliOverrides;
import io.reflex.app.config.ConfigLoader;
import io.reflex.app.config.ReflexConfig;
import io.reflex.app.demo.Demo;
import io.reflex.drill.DrillDefinition;
import io.reflex.drill.DrillFile;
import io.reflex.drill.DrillReport;
import io.reflex.drill.DrillRunner;
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
 * A dry-run alert storm against a whole Reflex (embedded broker, every role): 1,000 synthetic
 * HostDown alerts on 1,000 hosts in 10 zones, a rule that isolates the host of each, and a
 * blast-radius limit of 5 hosts per zone. The drill passes only when the blast radius held, and
 * nothing real happened: no real incident, no connector call, the real ledger untouched.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DrillStormIT {
    private static final Duration BOUND = Duration.ofSeconds(60);
    private static final String ADMIN = "storm-admin-token-0123456789";
    private static final String RULE = "isolate host on HostDown";
    private static final int ALERTS = 1_000;
    private static final int ZONES = 10;
    private static final int PER_ZONE = 5;

    private Path dataDir;
    private Reflex reflex;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void start(@TempDir Path dir) throws IOException {
        dataDir = dir.resolve("data");
        Path rules = Files.writeString(dir.resolve("hosts.drl"), """
                package io.reflex.rules.stormit;

                import io.reflex.model.AlertEvent;
                import io.reflex.model.AlertStatus;

                global io.reflex.rules.Remediate remediate;

                rule "%s"
                when
                    $a : AlertEvent(name == "HostDown", status == AlertStatus.FIRING)
                then
                    remediate.isolateHost($a, $a.resource().name());
                end
                """.formatted(RULE));
        Path config = Files.writeString(dir.resolve("reflex.yml"), """
                auth:
                  tokens:
                    - {name: ana, role: admin, token: %s}
                rules:
                  rulesFile: %s
                remediator:
                  guardrails:
                    blastRadius:
                      - {name: hosts-per-zone, label: zone, max: %d, types: [isolate_host]}
                """.formatted(ADMIN, rules, PER_ZONE));
        ReflexConfig loaded = new ConfigLoader(new Demo())
                .load(new CliOverrides(config, 0, dataDir, null, null, true), Map.of());
        reflex = new Reflex(loaded, Clock.systemUTC()).start();
        await("Reflex healthy").atMost(BOUND).ignoreExceptions().until(() -> get("/health").statusCode() == 200);
    }

    @AfterAll
    void stop() {
        if (reflex != null) {
            reflex.close();
        }
    }

    @Test
    void aDryRunStormOfAThousandAlertsIsHeldByTheBlastRadiusAndTouchesNothingReal() throws Exception {
        DrillDefinition drill = DrillFile.parse("""
                name: host-storm
                mode: dry-run
                fault:
                  type: alert-storm
                  alerts: %d
                  over: 10s
                  alert: HostDown
                  resource: "host:storm-{i}"
                  labels: {zone: "zone-{i%%%d}"}
                expect: {rule: "%s", action: isolate_host, guardrail: blastRadius}
                slo: 30s
                timeout: 3m
                """.formatted(ALERTS, ZONES, RULE), "host-storm.yaml");

        DrillReport report = DrillRunner.connectedTo(Map.of("bootstrap.servers", reflex.bootstrapServers()), dataDir,
                Clock.systemUTC()).run(drill);
        System.out.println(report.readable());

        assertThat(report.passed()).as(report.readable()).isTrue();
        assertThat(report.mode()).isEqualTo("dry-run");
        DrillReport.StormCounts storm = report.storm();
        assertThat(storm.alertsSent()).isEqualTo(ALERTS);
        assertThat(storm.incidents()).isEqualTo(ALERTS);
        assertThat(storm.actionsDecided()).isEqualTo(ALERTS);
        assertThat(storm.wouldRun()).as("5 hosts per zone").isEqualTo(PER_ZONE * ZONES);
        assertThat(storm.byGuardrail()).containsKey("blastRadius:hosts-per-zone");
        assertThat(storm.byGuardrail().get("blastRadius:hosts-per-zone").held()).isEqualTo(ALERTS - PER_ZONE * ZONES);
        assertThat(report.phases().recoverMs()).as("a dry run recovers nothing").isNull();

        // Everything it caused is marked as the drill's; nothing real happened.
        JsonNode drills = json(get("/api/incidents?drill=true&limit=5"));
        assertThat(drills.path("items")).isNotEmpty();
        assertThat(drills.path("items").get(0).path("drillId").asText()).isEqualTo(report.id());
        assertThat(json(get("/api/incidents?drill=false&limit=5")).path("items")).as("real incidents").isEmpty();
        // The real ledger holds no disruption: every zone has all of its 5 isolations to give.
        JsonNode blastRadius = json(get("/api/guardrails")).path("guardrails").path("blastRadius");
        assertThat(blastRadius).hasSize(1);
        for (JsonNode group : blastRadius.get(0).path("groups")) {
            assertThat(group.path("disrupted").asInt()).as(group.toString()).isZero();
        }
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + reflex.httpPort() + path))
                .header("Authorization", "Bearer " + ADMIN).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return Json.MAPPER.readTree(response.body());
    }
}
