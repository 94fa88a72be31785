package io.reflex.remediator.guard;

import static io.reflex.remediator.guard.Fixtures.T0;
import static io.reflex.remediator.guard.Fixtures.restart;
import static org.assertj.core.api.Assertions.assertThat;

import io.reflex.model.Action;
import io.reflex.model.ActionMode;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class KillSwitchTest {
    private final MutableClock clock = new MutableClock(T0);
    private final ActivityLog activity = new ActivityLog();

    @Test
    void pausedHoldsEveryExecutingActionUntilResumed() {
        Guardrails guardrails = new Guardrails(GuardrailsConfig.defaults(), activity, clock);
        guardrails.killSwitch().pause("alice", "database migration", T0);
        clock.advance(Duration.ofMinutes(3));
        Action action = restart("r1", "inc-1", "checkout", clock.instant());

        Verdict held = guardrails.check(action);

        assertThat(held.decision()).isEqualTo(Decision.HOLD);
        assertThat(held.guardrail()).isEqualTo("killSwitch");
        assertThat(held.reason()).isEqualTo("All actions are paused by alice at 2026-11-26T12:00:00Z (database"
                + " migration); held until resumed (POST /api/resume)");
        assertThat(held.retryAt()).isEqualTo(clock.instant().plusSeconds(1));
        assertThat(activity.inFlight()).as("a held action is not admitted").isEmpty();
        assertThat(guardrails.describe().killSwitch()).isEqualTo(
                new KillSwitch.State(true, "alice", T0, "database migration"));

        assertThat(guardrails.check(action.withMode(ActionMode.DRY_RUN)).allowed()).as("a rehearsal").isTrue();
        assertThat(guardrails.check(action.withMode(ActionMode.SHADOW)).allowed()).as("a shadow").isTrue();
        assertThat(activity.inFlight()).as("neither is counted as an execution").isEmpty();

        guardrails.killSwitch().resume("bob", clock.instant());
        assertThat(guardrails.check(action).allowed()).isTrue();
        assertThat(guardrails.killSwitch().state().by()).isEqualTo("bob");
    }

    @Test
    void configuredPauseSaysWherePausingCameFrom() {
        Guardrails guardrails = new Guardrails(new GuardrailsConfig(true, null, null, null, null, null, null),
                activity, clock);

        Verdict held = guardrails.check(restart("r1", "inc-1", "checkout", T0));

        assertThat(held.decision()).isEqualTo(Decision.HOLD);
        assertThat(held.reason()).startsWith("All actions are paused by configuration (remediator.guardrails.paused)");
    }
}
