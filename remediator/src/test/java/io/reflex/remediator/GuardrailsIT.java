package io.reflex.remediator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflex.model.Action;
import io.reflex.model.ActionResult;
import io.reflex.model.ActionStatus;
import io.reflex.model.ActionType;
import io.reflex.model.Json;
import io.reflex.model.TimelineEntry;
import io.reflex.model.TimelineKind;
import io.reflex.remediator.guard.BlastRadius;
import io.reflex.remediator.guard.DryRun;
import io.reflex.remediator.guard.Flapping;
import io.reflex.remediator.guard.GuardrailsConfig;
import io.reflex.remediator.guard.RateLimits;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each guardrail, wired into a real remediator on a real broker, hits its limit and leaves its
 * GUARDRAIL entry on the timeline; the run-time switches go through the HTTP API and Kafka.
 * The tests use distinct targets and incidents, so their limits do not meet.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GuardrailsIT {
    private static final List<String> HOSTS = IntStream.range(0, 10).mapToObj(i -> "h" + i).toList();

    private Harness harness;
    private Harness.Running running;

    @BeforeAll
    void start(@TempDir Path dir) {
        harness = new Harness(dir);
        GuardrailsConfig guardrails = new GuardrailsConfig(false,
                new DryRun.Config(null, null, List.of("scale")),
                List.of(new RateLimits.Limit("restarts-per-service", "target", List.of("restart_service"), 3, "1h")),
                List.of(new BlastRadius.Limit("hosts-per-zone", "zone", List.of("isolate_host"), null, 20,
                        Map.of("z1", HOSTS), "1s")),
                new Flapping.Config(2, "1h"), null, null);
        RemediatorConfig config = new RemediatorConfig("it-guardrails", null, null, null, Duration.ofMillis(200),
                null, null, null, null, null, guardrails, null);
        running = harness.start(config);
    }

    @AfterAll
    void stop() {
        running.close();
        harness.close();
    }

    private static Action restart(String id, String incident, String service) {
        return Harness.action(id, incident, ActionType.RESTART_SERVICE, "service", service, false, Map.of());
    }

    @Test
    void theFourthRestartOfOneServiceWithinAnHourIsRefused() {
        for (int i = 1; i <= 3; i++) {
            harness.deliver(restart("rl-" + i, "inc-rl-" + i, "rated"));
            assertThat(harness.awaitTerminal("rl-" + i).status()).isEqualTo(ActionStatus.SUCCEEDED);
        }
        harness.deliver(restart("rl-4", "inc-rl-4", "rated"));
        ActionResult fourth = harness.awaitTerminal("rl-4");
        assertThat(fourth.status()).isEqualTo(ActionStatus.REJECTED);
        assertThat(fourth.detail()).contains("restarts-per-service");
        TimelineEntry entry = harness.awaitEntry("rl-4", TimelineKind.GUARDRAIL);
        assertThat(entry.refs()).containsEntry("guardrail", "rateLimit:restarts-per-service");
        assertThat(entry.summary()).contains("Rate limit restarts-per-service");
        assertThat(harness.fake.runs("rl-4")).isZero();
    }

    @Test
    void neverMoreThanTwoOfTenHostsOfAZoneAreIsolatedAndAReleaseLetsTheNextOneRun() {
        for (String host : HOSTS) {
            harness.deliver(Harness.action("br-" + host, "inc-br-" + host, ActionType.ISOLATE_HOST, "host", host,
                    false, Map.of("zone", "z1")));
        }
        await("8 isolations held by the blast radius").atMost(Duration.ofSeconds(30)).until(() -> HOSTS.stream()
                .filter(h -> harness.timeline("br-" + h, TimelineKind.GUARDRAIL).stream()
                        .anyMatch(e -> e.refs().get("guardrail").startsWith("blastRadius"))).count() == 8);
        List<String> isolated = isolatedHosts();
        assertThat(isolated).hasSize(2);
        HOSTS.stream().filter(h -> !isolated.contains(h)).forEach(h -> {
            assertThat(harness.statuses("br-" + h)).isEmpty();
            assertThat(harness.timeline("br-" + h, TimelineKind.GUARDRAIL).get(0).summary())
                    .contains("Blast radius hosts-per-zone").contains("2 of");
        });

        // People bring one host back: exactly one more may go, never more than 2 out at once.
        HttpResponse<String> released = running.call("POST", "/api/guardrails/release/host:" + isolated.get(0),
                "{\"reason\":\"re-imaged\"}", "dave");
        assertThat(released.statusCode()).isEqualTo(200);
        await("a third isolation after the release").atMost(Duration.ofSeconds(30))
                .until(() -> isolatedHosts().size() == 3);
        assertThat(running.remediator.guardrails().activity().disrupted()).hasSize(2);
    }

    private List<String> isolatedHosts() {
        return harness.fake.executed().stream().filter(a -> a.type() == ActionType.ISOLATE_HOST)
                .map(a -> a.target().name()).toList();
    }

    @Test
    void aSilenceAddedOverTheApiHoldsTheActionUntilItIsDeleted() throws Exception {
        String silence = "{\"matchers\":[{\"name\":\"target\",\"value\":\"service:quiet\"}],\"until\":\""
                + Instant.now().plus(Duration.ofHours(1)) + "\",\"comment\":\"deploying\"}";
        HttpResponse<String> added = running.call("POST", "/api/silences", silence, "erin");
        assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
        String id = Json.MAPPER.readTree(added.body()).get("id").asText();

        harness.deliver(restart("si-1", "inc-si-1", "quiet"));
        TimelineEntry held = harness.awaitEntry("si-1", TimelineKind.GUARDRAIL);
        assertThat(held.refs()).containsEntry("guardrail", "silence:" + id).containsEntry("decision", "HOLD");
        assertThat(held.summary()).contains("by erin").contains("deploying");
        assertThat(harness.fake.runs("si-1")).isZero();

        assertThat(running.call("DELETE", "/api/silences/" + id, null, "erin").statusCode()).isEqualTo(204);
        assertThat(harness.awaitTerminal("si-1").status()).isEqualTo(ActionStatus.SUCCEEDED);
        assertThat(harness.fake.runs("si-1")).isEqualTo(1);
        assertThat(running.call("DELETE", "/api/silences/" + id, null, "erin").statusCode()).isEqualTo(404);
    }

    @Test
    void aSilenceWithProblemsIsRefusedListingThemAll() throws Exception {
        HttpResponse<String> bad = running.call("POST", "/api/silences",
                "{\"matchers\":[{\"name\":\"zone\",\"op\":\"=~\",\"value\":\"(\"}]}", "erin");
        assertThat(bad.statusCode()).isEqualTo(422);
        JsonNode body = Json.MAPPER.readTree(bad.body());
        assertThat(body.get("error").asText()).isEqualTo("invalid_silence");
        assertThat(body.get("details")).hasSizeGreaterThanOrEqualTo(2);
        assertThat(body.get("details").toString()).contains("silence.until is required");
    }

    @Test
    void aTypeInDryRunIsSkippedWithoutReachingTheConnector() {
        harness.deliver(Harness.action("dr-1", "inc-dr-1", ActionType.SCALE, "deployment", "web", false, Map.of()));
        ActionResult result = harness.awaitTerminal("dr-1");
        assertThat(result.status()).isEqualTo(ActionStatus.SKIPPED);
        assertThat(result.detail()).startsWith("dry run");
        assertThat(harness.awaitEntry("dr-1", TimelineKind.GUARDRAIL).refs()).containsEntry("guardrail", "dryRun:type");
        assertThat(harness.fake.runs("dr-1")).isZero();
    }

    @Test
    void pausedOverTheApiEveryActionIsHeldNamingWhoAndResumeRunsItOnce() throws Exception {
        HttpResponse<String> paused = running.call("POST", "/api/pause", "{\"reason\":\"storm\"}", "carol");
        assertThat(paused.statusCode()).as(paused.body()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(paused.body()).get("paused").asBoolean()).isTrue();
        JsonNode guardrails = Json.MAPPER.readTree(running.call("GET", "/api/guardrails", null, null).body());
        assertThat(guardrails.get("paused").asBoolean()).isTrue();
        assertThat(guardrails.at("/guardrails/killSwitch/by").asText()).isEqualTo("carol");
        assertThat(guardrails.at("/guardrails/rateLimits/0/name").asText()).isEqualTo("restarts-per-service");

        harness.deliver(restart("ks-1", "inc-ks-1", "paused"));
        TimelineEntry held = harness.awaitEntry("ks-1", TimelineKind.GUARDRAIL);
        assertThat(held.refs()).containsEntry("guardrail", "killSwitch");
        assertThat(held.summary()).contains("paused by carol").contains("storm");
        assertThat(harness.fake.runs("ks-1")).isZero();

        assertThat(running.call("POST", "/api/resume", null, "carol").statusCode()).isEqualTo(200);
        assertThat(harness.awaitTerminal("ks-1").status()).isEqualTo(ActionStatus.SUCCEEDED);
        assertThat(harness.fake.runs("ks-1")).isEqualTo(1);
        assertThat(harness.timeline("ks-1", TimelineKind.GUARDRAIL)).hasSize(1);
    }

    @Test
    void anIncidentRemediatedAgainAndAgainEscalatesInsteadOfLooping() {
        for (int i = 1; i <= 2; i++) {
            harness.deliver(restart("fl-" + i, "inc-flap", "flappy-" + i));
            assertThat(harness.awaitTerminal("fl-" + i).status()).isEqualTo(ActionStatus.SUCCEEDED);
        }
        harness.deliver(restart("fl-3", "inc-flap", "flappy-3"));
        ActionResult third = harness.awaitTerminal("fl-3");
        assertThat(third.status()).isEqualTo(ActionStatus.SKIPPED);
        assertThat(harness.awaitEntry("fl-3", TimelineKind.GUARDRAIL).refs()).containsEntry("guardrail", "flapping");
        assertThat(harness.awaitEntry("fl-3", TimelineKind.ESCALATED).summary()).contains("Flapping");
        assertThat(harness.fake.runs("fl-3")).isZero();
    }
}
