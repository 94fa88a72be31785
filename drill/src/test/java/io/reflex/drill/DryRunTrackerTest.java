package io.reflex.drill;

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

/** Following a dry run by its drill id, among real records and another drill's rehearsal. */
class DryRunTrackerTest {
    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
    private static final Expectation EXPECT = new Expectation("isolate host", ActionType.ISOLATE_HOST, null,
            "blastRadius");

    private final DryRunTracker tracker = new DryRunTracker("drill-a", EXPECT);

    private static Action action(String id, String drillId) {
        return new Action(id, "inc-" + id, new RuleRef("isolate host", 1), ActionType.ISOLATE_HOST,
                new Target("ssh", "host", id), Map.of(), ActionMode.DRY_RUN, false, T0, T0.plusSeconds(60), "host:" + id,
                Map.of("drillId", drillId));
    }

    private static ActionResult held(Action action) {
        return new ActionResult(action.id(), action.incidentId(), ActionStatus.SKIPPED,
                1, "dry run: would be held by blastRadius:hosts-per-zone: Blast radius hosts-per-zone: 3 of 10", T0, T0.plusMillis(10));
    }

    @Test
    void onlyTheDrillsOwnActionsAndGuardrailDecisionsCount() {
        Action ours = action("a1", "drill-a");
        Action theirs = action("b1", "drill-b");
        Action real = new Action("r1", "inc-real", new RuleRef("isolate host", 1), ActionType.ISOLATE_HOST,
                new Target("ssh", "host", "web-1"), Map.of(), ActionMode.EXECUTE, false, T0, T0.plusSeconds(60));

        tracker.accept(new TimelineEntry("inc-a1", T0, TimelineKind.ALERT_RECEIVED, "alert", Map.of("drillId", "drill-a")));
        tracker.accept(new TimelineEntry("inc-b1", T0, TimelineKind.ALERT_RECEIVED, "alert", Map.of("drillId", "drill-b")));
        assertThat(tracker.accept(ours)).isTrue();
        assertThat(tracker.accept(theirs)).isFalse();
        assertThat(tracker.accept(real)).isFalse();
        assertThat(tracker.accept(held(theirs))).as("another drill's result").isFalse();
        assertThat(tracker.guardrailStopped("blastRadius")).isFalse();
        assertThat(tracker.allActionsFinished()).isFalse();

        assertThat(tracker.accept(held(ours))).isTrue();

        assertThat(tracker.guardrailStopped("blastRadius")).isTrue();
        assertThat(tracker.allActionsFinished()).isTrue();
        assertThat(tracker.actedAt()).as("held, so it would not run").isNull();
        assertThat(tracker.expectedActionOutcome()).isEqualTo("SKIPPED: dry run: would be held by blastRadius:hosts-per-zone:"
                + " Blast radius hosts-per-zone: 3 of 10");
        assertThat(tracker.counts(1)).isEqualTo(new DrillReport.StormCounts(1, 1, 1, 0,
                Map.of("blastRadius:hosts-per-zone", new DrillReport.GuardrailCounts(1, 0, 0))));
    }

    @Test
    void aHoldReadAsEntryAndAsResultCountsOnceUnderItsFullName() {
        Action ours = action("a1", "drill-a");
        tracker.accept(new TimelineEntry("inc-a1", T0, TimelineKind.ALERT_RECEIVED, "alert", Map.of("drillId", "drill-a")));
        tracker.accept(ours);
        tracker.accept(new TimelineEntry("inc-a1", T0, TimelineKind.GUARDRAIL, "drill drill-a: isolate_host would be held",
                Map.of("guardrail", "blastRadius:hosts-per-zone", "decision", "HOLD", "drillId", "drill-a",
                        "actionId", "a1")));
        tracker.accept(held(ours));

        assertThat(tracker.counts(1).byGuardrail()).isEqualTo(Map.of("blastRadius:hosts-per-zone",
                new DrillReport.GuardrailCounts(1, 0, 0)));
        assertThat(tracker.guardrailStopped("blastRadius")).as("a kind names its guardrails").isTrue();
        assertThat(tracker.guardrailStopped("blastRadius:hosts-per-zone")).isTrue();
        assertThat(tracker.guardrailStopped("blast")).as("not a prefix of the name").isFalse();
        assertThat(tracker.guardrailStopped("rateLimit")).isFalse();
    }

    @Test
    void aRuleFiredReadBeforeItsActionStillDecides() {
        DryRunTracker byAction = new DryRunTracker("drill-a", new Expectation(null, ActionType.ISOLATE_HOST, null, null));
        Action ours = action("a1", "drill-a");
        byAction.accept(new TimelineEntry("inc-a1", T0.plusMillis(5), TimelineKind.RULE_FIRED, "fired",
                Map.of("drillId", "drill-a", "rule", "isolate host", "actionId", "a1")));
        assertThat(byAction.decidedAt()).as("its action is not read yet").isNull();

        byAction.accept(ours);

        assertThat(byAction.decidedAt()).isEqualTo(T0.plusMillis(5));
    }
}
