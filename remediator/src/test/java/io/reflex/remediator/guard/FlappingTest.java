package io.reflex.remediator.guard;

import static io.reflex.remediator.guard.Fixtures.T0;
import static io.reflex.remediator.guard.Fixtures.ran;
import static io.reflex.remediator.guard.Fixtures.restart;
import static org.assertj.core.api.Assertions.assertThat;

import io.reflex.model.ActionStatus;
import io.reflex.model.ActionType;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FlappingTest {
    private final MutableClock clock = new MutableClock(T0);
    private final ActivityLog activity = new ActivityLog();
    private final Guardrails guardrails = new Guardrails(new GuardrailsConfig(null, null, null, null,
            new Flapping.Config(3, "30m"), null, null), activity, clock);

    @Test
    void anIncidentRemediatedThreeTimesInThirtyMinutesEscalates() {
        for (int i = 0; i < 3; i++) {
            var at = T0.plus(Duration.ofMinutes(5L * i));
            ran(activity, restart("r" + i, "inc-1", "checkout", at), ActionStatus.SUCCEEDED, at, at.plusSeconds(2));
        }
        clock.set(T0.plus(Duration.ofMinutes(12)));

        Verdict fourth = guardrails.check(restart("r3", "inc-1", "checkout", clock.instant()));

        assertThat(fourth.decision()).isEqualTo(Decision.ESCALATE);
        assertThat(fourth.guardrail()).isEqualTo("flapping");
        assertThat(fourth.reason()).isEqualTo("Flapping: incident inc-1 was remediated 3 times in the last 30m"
                + " (limit 3; first at 2026-11-26T12:00:00Z, last at 2026-11-26T12:10:00Z); escalating instead of"
                + " running restart_service on service:checkout again");
        assertThat(guardrails.check(restart("x", "inc-2", "checkout", clock.instant())).allowed())
                .as("another incident").isTrue();
        var notify = Fixtures.action("n", "inc-1", "tell", ActionType.NOTIFY, "channel", "ops", Map.of(),
                clock.instant());
        assertThat(guardrails.check(notify).allowed()).as("a notification is not a remediation").isTrue();
        assertThat(guardrails.describe().flapping().executionsPerIncident()).containsEntry("inc-1", 3);

        clock.set(T0.plus(Duration.ofMinutes(31)));
        assertThat(guardrails.check(restart("r4", "inc-1", "checkout", clock.instant())).allowed())
                .as("the first one left the window").isTrue();
    }
}
