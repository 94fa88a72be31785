package io.reflex.remediator.guard;

import static io.reflex.remediator.guard.Fixtures.T0;
import static io.reflex.remediator.guard.Fixtures.ran;
import static io.reflex.remediator.guard.Fixtures.restart;
import static io.reflex.remediator.guard.Fixtures.result;
import static org.assertj.core.api.Assertions.assertThat;

import io.reflex.model.Action;
import io.reflex.model.ActionStatus;
import io.reflex.model.ActionType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RateLimitsTest {
    private final MutableClock clock = new MutableClock(T0);
    private final ActivityLog activity = new ActivityLog();

    private Guardrails guardrails(RateLimits.Limit... limits) {
        return new Guardrails(new GuardrailsConfig(null, null, List.of(limits), null, null, null, null), activity, clock);
    }

    private void restarted(String id, String service, Instant at) {
        ran(activity, restart(id, "inc-" + id, service, at), ActionStatus.SUCCEEDED, at, at.plusSeconds(5));
    }

    @Test
    void atMostThreeRestartsOfOneServicePerHour() {
        Guardrails guardrails = guardrails(new RateLimits.Limit("restarts-per-service", "target",
                List.of("restart_service"), 3, "1h"));
        restarted("r1", "checkout", T0);
        restarted("r2", "checkout", T0.plus(Duration.ofMinutes(10)));
        restarted("r3", "checkout", T0.plus(Duration.ofMinutes(20)));
        // Neither a refused nor a skipped one counts: they never ran.
        Action skipped = restart("r0", "inc-0", "checkout", T0);
        activity.onAction(skipped, T0);
        activity.onResult(result(skipped, ActionStatus.SKIPPED, null, T0), T0);
        clock.set(T0.plus(Duration.ofMinutes(30)));

        Verdict fourth = guardrails.check(restart("r4", "inc-4", "checkout", clock.instant()));

        assertThat(fourth.decision()).isEqualTo(Decision.REFUSE);
        assertThat(fourth.guardrail()).isEqualTo("rateLimit:restarts-per-service");
        assertThat(fourth.reason()).isEqualTo("Rate limit restarts-per-service: 3 restart_service actions on"
                + " service:checkout in the last 1h (limit 3); next allowed at 2026-11-26T13:00:00Z");
        assertThat(guardrails.check(restart("c1", "inc-5", "cart", clock.instant())).allowed())
                .as("another service has its own count").isTrue();
        Action stop = Fixtures.action("s1", "inc-6", "stop", ActionType.STOP_SERVICE, "service", "checkout", Map.of(),
                clock.instant());
        assertThat(guardrails.check(stop).allowed()).as("the limit counts restarts only").isTrue();

        clock.set(T0.plus(Duration.ofHours(1)));
        assertThat(guardrails.check(restart("r5", "inc-7", "checkout", clock.instant())).allowed())
                .as("the first restart has left the window").isTrue();
    }

    @Test
    void limitPerRuleCountsEveryTargetOfTheRule() {
        Guardrails guardrails = guardrails(new RateLimits.Limit("per-rule", "rule", null, 2, "10m"));
        restarted("r1", "a", T0);
        restarted("r2", "b", T0.plusSeconds(30));
        clock.set(T0.plus(Duration.ofMinutes(1)));

        Verdict third = guardrails.check(restart("r3", "inc-3", "c", clock.instant()));

        assertThat(third.decision()).isEqualTo(Decision.REFUSE);
        assertThat(third.reason()).contains("2 actions by rule restart-on-down in the last 10m (limit 2)")
                .contains("next allowed at 2026-11-26T12:10:00Z");
        RateLimits.LimitStatus status = guardrails.describe().rateLimits().get(0);
        assertThat(status.usage()).containsExactly(Map.entry("restart-on-down", 2));
    }
}
