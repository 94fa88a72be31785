package io.reflex.rules.vocabulary;

import static org.assertj.core.api.Assertions.assertThat;

import io.reflex.model.ActionResult;
import io.reflex.model.ActionStatus;
import io.reflex.model.ActionType;
import io.reflex.model.Resource;
import io.reflex.rules.RuleCompiler;
import io.reflex.rules.RuleSession;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** How an action ended, as an event that expires like alerts, whether or not a rule names it. */
class ActionOutcomeTest {
    private static final long T0 = Instant.parse("2026-11-26T10:00:00Z").toEpochMilli();
    private static final Resource SHOP = Resource.of("service", "shop");

    private static ActionOutcome outcome(ActionStatus status) {
        return ActionOutcome.of(new ActionResult("act-1", "inc-1", status, 1, "exit 0", null, null,
                ActionType.RESTART_SERVICE), SHOP, "ServiceDown");
    }

    @Test
    void carriesTheResultAndTheIncidentsResourceAndAlert() {
        ActionOutcome outcome = outcome(ActionStatus.SUCCEEDED);

        assertThat(outcome).isEqualTo(new ActionOutcome("act-1", "inc-1", ActionType.RESTART_SERVICE,
                ActionStatus.SUCCEEDED, "exit 0", SHOP, "ServiceDown"));
        assertThat(outcome.succeeded()).isTrue();
        assertThat(outcome.failed()).isFalse();
        assertThat(outcome.is("restart_service")).isTrue();
        assertThat(outcome(ActionStatus.TIMED_OUT).failed()).isTrue();
        assertThat(outcome(ActionStatus.TIMED_OUT).succeeded()).isFalse();
    }

    @Test
    void expiresWithAlertsInAPackageThatMatchesIt() {
        assertExpiresAfterAlertExpiry(Drl.HEADER + """
                import io.reflex.rules.vocabulary.ActionOutcome;
                rule "sees outcomes"
                when ActionOutcome(succeeded)
                then
                end
                """);
    }

    @Test
    void expiresWithAlertsInAPackageThatDoesNotNameIt() {
        assertExpiresAfterAlertExpiry(Drl.HEADER + MatchTest.RULE);
    }

    private static void assertExpiresAfterAlertExpiry(String drl) {
        try (RuleSession session = new RuleSession(RuleCompiler.compile("test", drl))) {
            session.advanceTo(T0);
            session.insert(outcome(ActionStatus.SUCCEEDED));
            session.fire();
            assertThat(session.factCount()).isEqualTo(1);

            session.advanceTo(T0 + RuleCompiler.ALERT_EXPIRY.minus(Duration.ofSeconds(1)).toMillis());
            session.fire();
            assertThat(session.factCount()).as("not expired yet").isEqualTo(1);

            session.advanceTo(T0 + RuleCompiler.ALERT_EXPIRY.plus(Duration.ofSeconds(1)).toMillis());
            session.fire();
            assertThat(session.factCount()).as("expired as an alert does").isZero();
        }
    }
}
