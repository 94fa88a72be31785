package io.reflex.remediator.guard;

import static io.reflex.remediator.guard.Fixtures.T0;
import static io.reflex.remediator.guard.Fixtures.isolate;
import static io.reflex.remediator.guard.Fixtures.ran;
import static io.reflex.remediator.guard.Fixtures.restart;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reflex.model.Action;
import io.reflex.model.ActionMode;
import io.reflex.model.ActionStatus;
import io.reflex.model.Json;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GuardrailsTest {
    private final MutableClock clock = new MutableClock(T0);
    private final ActivityLog activity = new ActivityLog();

    private final RateLimits.Limit oneRestart = new RateLimits.Limit("one-restart", "target", null, 1, "1h");
    private final Silence checkoutSilence = new Silence("s1", List.of(new LabelMatcher("target", null,
            "service:checkout")), null, T0.plus(Duration.ofHours(1)), "ops", null);

    @Test
    void theFirstGuardrailThatDoesNotAllowDecidesInTheDocumentedOrder() {
        Guardrails guardrails = new Guardrails(new GuardrailsConfig(null, new DryRun.Config(false, null,
                List.of("restart_service")), List.of(oneRestart), null, new Flapping.Config(1, "1h"), null,
                List.of(checkoutSilence)), activity, clock);
        ran(activity, restart("r0", "inc-1", "checkout", T0), ActionStatus.SUCCEEDED, T0, T0.plusSeconds(1));
        Action again = restart("r1", "inc-1", "checkout", T0);

        guardrails.killSwitch().pause("alice", null, T0);
        assertThat(guardrails.check(again).guardrail()).isEqualTo("killSwitch");
        guardrails.killSwitch().resume("alice", T0);
        assertThat(guardrails.check(again).guardrail()).isEqualTo("silence:s1");
        guardrails.holds().removeSilence("s1");
        assertThat(guardrails.check(again).guardrail()).isEqualTo("dryRun:type");
        // Same action as a rehearsal: no dry-run conversion, then rate limit before flapping.
        assertThat(guardrails.check(again.withMode(ActionMode.DRY_RUN)).guardrail()).isEqualTo("rateLimit:one-restart");
        Action elsewhere = Fixtures.action("i1", "inc-1", "isolate", io.reflex.model.ActionType.ISOLATE_HOST, "host",
                "web-1", Map.of(), T0);
        assertThat(guardrails.check(elsewhere).guardrail()).isEqualTo("flapping");
    }

    @Test
    void describeShowsEveryLimitWithItsUsage() {
        Guardrails guardrails = new Guardrails(new GuardrailsConfig(null, null, List.of(oneRestart),
                List.of(new BlastRadius.Limit("hosts-per-zone", "zone", null, null, 50,
                        Map.of("eu-1", List.of("web-1", "web-2", "web-3", "web-4")), null)),
                null, null, List.of(checkoutSilence)), activity, clock);
        ran(activity, restart("r0", "inc-1", "cart", T0), ActionStatus.SUCCEEDED, T0, T0.plusSeconds(1));
        ran(activity, isolate("i1", "web-2", "eu-1", T0), ActionStatus.SUCCEEDED, T0, T0.plusSeconds(1));
        clock.advance(Duration.ofMinutes(1));

        Guardrails.Status status = guardrails.describe();

        assertThat(status.killSwitch().paused()).isFalse();
        assertThat(status.silences()).extracting(Silence::id).containsExactly("s1");
        assertThat(status.rateLimits()).singleElement().satisfies(l -> assertThat(l.usage())
                .containsExactlyInAnyOrderEntriesOf(Map.of("service:cart", 1, "host:web-2", 1)));
        assertThat(status.blastRadius()).singleElement().satisfies(l -> assertThat(l.groups()).containsExactly(
                new BlastRadius.GroupStatus("eu-1", 4, 2, 1, List.of("host:web-2"))));
        assertThat(status.executionsKnown()).isEqualTo(2);
        // The API answers it as JSON through the shared mapper.
        var json = Json.MAPPER.valueToTree(status);
        assertThat(json.path("blastRadius").get(0).path("groups").get(0).path("disrupted").asInt()).isEqualTo(1);
        assertThat(json.path("silences").get(0).path("until").asText()).isEqualTo("2026-11-26T13:00:00Z");
        assertThat(json.path("killSwitch").path("paused").asBoolean()).isFalse();
    }

    @Test
    void verdictsCarryWhatTheTimelineNeeds() {
        assertThat(Verdict.allow().allowed()).isTrue();
        assertThatThrownBy(() -> Verdict.hold("x", "why", null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("retryAt");
        assertThatThrownBy(() -> new Verdict(Decision.REFUSE, "x", "why", T0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Verdict.refuse("x", null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void pruneForgetsWhatNoLimitLooksAtAnyMore() {
        Guardrails guardrails = new Guardrails(new GuardrailsConfig(null, null, List.of(oneRestart), null, null, null,
                null), activity, clock);
        ran(activity, restart("r0", "inc-1", "cart", T0), ActionStatus.SUCCEEDED, T0, T0.plusSeconds(1));
        ran(activity, isolate("i1", "web-2", "eu-1", T0), ActionStatus.SUCCEEDED, T0, T0.plusSeconds(1));

        clock.advance(Duration.ofHours(23));
        assertThat(guardrails.prune()).as("kept for a day at least").isZero();
        clock.advance(Duration.ofHours(2));
        assertThat(guardrails.prune()).isEqualTo(1);
        assertThat(activity.disrupted()).as("the isolation still holds").containsOnlyKeys("host:web-2");
    }

    @Test
    void refusesToStartWithAnInvalidConfig() {
        GuardrailsConfig bad = new GuardrailsConfig(null, null, List.of(new RateLimits.Limit("x", null, null, 0, "soon")),
                null, null, null, null);

        assertThatThrownBy(() -> new Guardrails(bad, activity, clock)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("remediator.guardrails.rateLimits[0].max must be at least 1")
                .hasMessageContaining("remediator.guardrails.rateLimits[0].window: 'soon' is not a duration");
    }
}
