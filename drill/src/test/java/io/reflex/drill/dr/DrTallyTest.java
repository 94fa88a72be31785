package io.reflex.drill.dr;

import static org.assertj.core.api.Assertions.assertThat;

import io.reflex.model.Action;
import io.reflex.model.ActionMode;
import io.reflex.model.ActionResult;
import io.reflex.model.ActionStatus;
import io.reflex.model.ActionType;
import io.reflex.model.RuleRef;
import io.reflex.model.Target;
import io.reflex.model.TimelineEntry;
import io.reflex.model.TimelineKind;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DrTallyTest {
    private static final String DRILL = "drill-kill-rules-20261126T160000Z";
    private static final Instant T = Instant.parse("2026-11-26T16:00:00Z");
    private static final String RULE = "notify every DrTest";

    private final DrTally tally = new DrTally(DRILL);

    /** What the rules stage writes for one alert of the drill: its entry, the action and the rule's entry. */
    private Action decide(String alertId, String incidentId, int step) {
        tally.record(new TimelineEntry(incidentId, T, TimelineKind.ALERT_RECEIVED, "DrTest FIRING from drill",
                Map.of("alertId", alertId, "drillId", DRILL, "source", "drill")));
        Action action = action(alertId, incidentId, step);
        tally.record(action);
        tally.record(new TimelineEntry(incidentId, T, TimelineKind.RULE_FIRED, "rule fired",
                Map.of("rule", RULE, "actionId", action.id(), "alertId", alertId)));
        return action;
    }

    private static Action action(String alertId, String incidentId, int step) {
        return new Action(Action.idFor(incidentId, RULE, alertId + "#" + step), incidentId, new RuleRef(RULE, 1),
                ActionType.NOTIFY, new Target("http", "channel", "drops"), Map.of("message", "hi"),
                ActionMode.EXECUTE, false, T, T.plusSeconds(120), "service:x", Map.of());
    }

    private void ended(Action action) {
        tally.record(new ActionResult(action.id(), action.incidentId(), ActionStatus.STARTED, 1, "", T, null));
        tally.record(new ActionResult(action.id(), action.incidentId(), ActionStatus.SUCCEEDED, 1, "ok", T, T));
    }

    @Test
    void everyAlertDecidedOnceWithOneEndedActionEachIsCaughtUpWithNothingLostOrRepeated() {
        for (int i = 0; i < 3; i++) {
            tally.acked("alt-" + i);
            ended(decide("alt-" + i, "inc-" + i, 0));
        }

        DrTally.Counts counts = tally.counts();

        assertThat(tally.caughtUp()).isTrue();
        assertThat(counts.alertsAcked()).isEqualTo(3);
        assertThat(counts.alertsLost()).isZero();
        assertThat(counts.actionsDecided()).isEqualTo(3);
        assertThat(counts.actionsDuplicated()).isZero();
        assertThat(counts.resultsDuplicated()).isZero();
        assertThat(counts.alertsDecidedTwice()).isZero();
        assertThat(counts.problems()).isEmpty();
    }

    @Test
    void aMissingAlertAndAnActionWrittenTwiceAreCountedAndFailTheDrill() {
        tally.acked("alt-0");
        tally.acked("alt-1");
        tally.acked("alt-2");
        Action first = decide("alt-0", "inc-0", 0);
        ended(first);
        tally.record(first); // a replayed decision: the same action id on reflex.actions again
        ended(decide("alt-1", "inc-1", 0));
        // alt-2 never reaches the rules stage

        DrTally.Counts counts = tally.counts();

        assertThat(counts.alertsLost()).isEqualTo(1);
        assertThat(counts.lostExamples()).containsExactly("alt-2");
        assertThat(counts.actionsDuplicated()).isEqualTo(1);
        assertThat(counts.duplicateExamples()).containsExactly(first.id() + " written 2 times");
        assertThat(counts.actionsDecided()).isEqualTo(2);
        assertThat(tally.caughtUp()).isFalse();

        assertThat(counts.problems()).containsExactly("1 of 3 acked alerts were lost (no ALERT_RECEIVED by the timeout)",
                "1 actions were duplicated");
    }

    @Test
    void anAlertDecidedAgainOnAForgottenIncidentCountsTwiceDecidedAndADuplicateActionOfTheSameStep() {
        tally.acked("alt-0");
        ended(decide("alt-0", "inc-0", 0));
        // After a crash that lost the incident: the same alert opens another incident, same rule, same step.
        ended(decide("alt-0", "inc-0-again", 0));

        DrTally.Counts counts = tally.counts();

        assertThat(counts.alertsDecidedTwice()).isEqualTo(1);
        assertThat(counts.actionsDuplicated()).isEqualTo(1);
        assertThat(counts.alertsLost()).isZero();
    }

    @Test
    void aSecondStepOfOneRuleForOneAlertIsNotADuplicate() {
        tally.acked("alt-0");
        ended(decide("alt-0", "inc-0", 0));
        Action second = action("alt-0", "inc-0", 1);
        tally.record(second);
        tally.record(new TimelineEntry("inc-0", T, TimelineKind.RULE_FIRED, "rule fired",
                Map.of("rule", RULE, "actionId", second.id(), "alertId", "alt-0")));
        ended(second);

        assertThat(tally.counts().actionsDuplicated()).isZero();
        assertThat(tally.counts().actionsDecided()).isEqualTo(2);
    }

    @Test
    void twoTerminalResultsOrTwoStartsOfOneAttemptAreDuplicateResultsButARetryIsNot() {
        tally.acked("alt-0");
        tally.acked("alt-1");
        Action a = decide("alt-0", "inc-0", 0);
        ended(a);
        tally.record(new ActionResult(a.id(), a.incidentId(), ActionStatus.SUCCEEDED, 1, "again", T, T));
        Action b = decide("alt-1", "inc-1", 0);
        tally.record(new ActionResult(b.id(), b.incidentId(), ActionStatus.STARTED, 1, "", T, null));
        tally.record(new ActionResult(b.id(), b.incidentId(), ActionStatus.STARTED, 2, "retry", T, null));
        tally.record(new ActionResult(b.id(), b.incidentId(), ActionStatus.STARTED, 2, "retry again", T, null));
        tally.record(new ActionResult(b.id(), b.incidentId(), ActionStatus.FAILED, 2, "gave up", T, T));

        assertThat(tally.counts().resultsDuplicated()).isEqualTo(2);
    }

    @Test
    void countsTheAlertsDecidedByATimeFromWhenTheirEntryWasRead() {
        tally.record(new TimelineEntry("inc-0", T, TimelineKind.ALERT_RECEIVED, "first",
                Map.of("alertId", "alt-0", "drillId", DRILL)), T.plusSeconds(1));
        tally.record(new TimelineEntry("inc-1", T, TimelineKind.ALERT_RECEIVED, "second",
                Map.of("alertId", "alt-1", "drillId", DRILL)), T.plusSeconds(5));
        tally.record(new TimelineEntry("inc-0b", T, TimelineKind.ALERT_RECEIVED, "first again, later",
                Map.of("alertId", "alt-0", "drillId", DRILL)), T.plusSeconds(9));

        assertThat(tally.receivedBy(T)).isZero();
        assertThat(tally.receivedBy(T.plusSeconds(1))).isEqualTo(1);
        assertThat(tally.receivedBy(T.plusSeconds(9))).isEqualTo(2);
    }

    @Test
    void anActionWithoutATerminalResultKeepsTheDrillWaiting() {
        tally.acked("alt-0");
        Action a = decide("alt-0", "inc-0", 0);
        tally.record(new ActionResult(a.id(), a.incidentId(), ActionStatus.STARTED, 1, "", T, null));

        assertThat(tally.caughtUp()).isFalse();
        assertThat(tally.counts().actionsWithoutResult()).isEqualTo(1);
    }

    @Test
    void recordsOfOtherDrillsAndRealIncidentsAreNotCounted() {
        tally.acked("alt-0");
        ended(decide("alt-0", "inc-0", 0));
        tally.record(new TimelineEntry("inc-other", T, TimelineKind.ALERT_RECEIVED, "other drill",
                Map.of("alertId", "alt-0", "drillId", "drill-other-20261126T160000Z")));
        Action real = action("alt-real", "inc-real", 0);
        tally.record(real);
        tally.record(real);
        // A rehearsal of this drill on an incident id the tally never saw an alert for still counts by its label.
        Action labelled = new Action("act-rehearsal", "inc-rehearsal", new RuleRef(RULE, 1), ActionType.NOTIFY,
                new Target("http", "channel", "drops"), Map.of(), ActionMode.DRY_RUN, false, T, T.plusSeconds(1),
                "service:x", Map.of("drillId", DRILL));
        tally.record(labelled);
        tally.record(new ActionResult(labelled.id(), labelled.incidentId(), ActionStatus.SKIPPED, 1,
                "dry run: would notify channel:drops", T, T));

        DrTally.Counts counts = tally.counts();
        assertThat(counts.alertsDecidedTwice()).isZero();
        assertThat(counts.actionsDuplicated()).isZero();
        assertThat(counts.actionsDecided()).isEqualTo(2);
        assertThat(tally.caughtUp()).isTrue();
    }

    @Test
    void alertsKafkaNeverAcknowledgedFailTheDrill() {
        tally.acked("alt-0");
        ended(decide("alt-0", "inc-0", 0));
        tally.notAcked("alt-1");
        tally.notAcked("alt-2");

        DrTally.Counts counts = tally.counts();

        assertThat(counts.alertsNotAcked()).isEqualTo(2);
        assertThat(counts.problems()).singleElement().asString()
                .startsWith("2 of 3 alerts were not acknowledged by Kafka");
    }

    @Test
    void anAlertOnTheRealPathIsKnownByItsDrillIdLabel() {
        tally.acked("alt-0");
        tally.record(new TimelineEntry("inc-0", T, TimelineKind.ALERT_RECEIVED, "DrTest FIRING from drill",
                Map.of("alertId", "alt-0", "source", "drill", "label.drillId", DRILL)));
        Action action = new Action(Action.idFor("inc-0", RULE, "alt-0#0"), "inc-0", new RuleRef(RULE, 1),
                ActionType.NOTIFY, new Target("http", "channel", "drops"), Map.of("message", "hi"),
                ActionMode.EXECUTE, false, T, T.plusSeconds(120), "service:x", Map.of("drillId", DRILL));
        tally.record(action);
        ended(action);

        assertThat(tally.counts().alertsLost()).isZero();
        assertThat(tally.counts().actionsDecided()).isEqualTo(1);
        assertThat(tally.caughtUp()).isTrue();
    }
}
