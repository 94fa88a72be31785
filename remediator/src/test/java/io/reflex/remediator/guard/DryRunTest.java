package io.reflex.remediator.guard;

import static io.reflex.remediator.guard.Fixtures.T0;
import static io.reflex.remediator.guard.Fixtures.isolate;
import static io.reflex.remediator.guard.Fixtures.restart;
import static io.reflex.remediator.guard.Fixtures.result;
import static org.assertj.core.api.Assertions.assertThat;

import io.reflex.model.Action;
import io.reflex.model.ActionMode;
import io.reflex.model.ActionStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

class DryRunTest {
    private final MutableClock clock = new MutableClock(T0);
    private final ActivityLog activity = new ActivityLog();

    private Guardrails guardrails(DryRun.Config dryRun, List<RateLimits.Limit> limits) {
        return new Guardrails(new GuardrailsConfig(null, dryRun, limits, null, null, null, null), activity, clock);
    }

    @Test
    void rehearsesPerRuleAndPerTypeAndNeverCountsTheRehearsal() {
        Guardrails guardrails = guardrails(new DryRun.Config(false, List.of("restart-on-down"), List.of("isolate_host")),
                List.of(new RateLimits.Limit("one-restart", "target", null, 1, "1h")));
        Action restart = restart("r1", "inc-1", "checkout", T0);

        Verdict byRule = guardrails.check(restart);
        Verdict byType = guardrails.check(isolate("i1", "web-1", "eu-1", T0));

        assertThat(byRule).isEqualTo(Verdict.dryRun("dryRun:rule",
                "Dry run: rule restart-on-down is rehearsed (remediator.guardrails.dryRun.rules)"));
        assertThat(byType).isEqualTo(Verdict.dryRun("dryRun:type",
                "Dry run: isolate_host actions are rehearsed (remediator.guardrails.dryRun.types)"));
        // The rehearsal reports STARTED and SUCCEEDED like a run; the rate limit must not see it.
        activity.onResult(result(restart, ActionStatus.STARTED, T0, null), T0);
        activity.onResult(result(restart, ActionStatus.SUCCEEDED, T0, T0.plusSeconds(1)), T0.plusSeconds(1));
        assertThat(activity.startedAfter(T0.minusSeconds(1), e -> true)).isEmpty();
        assertThat(guardrails.describe().rateLimits().get(0).usage()).isEmpty();
    }

    @Test
    void globalDryRunLeavesRehearsalsAndShadowsAsTheyAre() {
        Guardrails guardrails = guardrails(new DryRun.Config(true, null, null), List.of());
        Action restart = restart("r1", "inc-1", "checkout", T0);

        assertThat(guardrails.check(restart).decision()).isEqualTo(Decision.DRY_RUN);
        assertThat(guardrails.check(restart).reason()).contains("every action is rehearsed");
        assertThat(guardrails.check(restart.withMode(ActionMode.SHADOW)).allowed()).isTrue();
        assertThat(activity.inFlight()).isEmpty();
    }
}
