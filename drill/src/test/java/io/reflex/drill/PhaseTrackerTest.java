package io.reflex.drill;

import static org.assertj.core.api.Assertions.assertThat;

import io.reflex.model.Action;
import io.reflex.model.ActionMode;
import io.reflex.model.ActionResult;
import io.reflex.model.ActionStatus;
import io.reflex.model.ActionType;
import io.reflex.model.Incident;
import io.reflex.model.IncidentStatus;
import io.reflex.model.Resource;
import io.reflex.model.RuleRef;
import io.reflex.model.Target;
import io.reflex.model.TimelineEntry;
import io.reflex.model.TimelineKind;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The phases of a drill, computed from the records Reflex writes, in the orders Kafka may deliver them. */
class PhaseTrackerTest {
    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
    private static final String RULE = "restart service on ServiceDown";
    private static final Expectation EXPECT = new Expectation(RULE, ActionType.RESTART_SERVICE, "service:demo-shop");
    private static final DrillDefinition DRILL = new DrillDefinition("kill", new SteadyState(
            new SteadyState.Http("http://127.0.0.1:1/health", 200), Duration.ofSeconds(1), Duration.ofSeconds(1)),
            new Fault.ProcessSignal("kill", "process", "demo-shop", Fault.Signal.KILL), EXPECT,
            Duration.ofSeconds(30), Duration.ofMinutes(2), Undo.RESTART, DrillMode.LIVE);

    private final PhaseTracker tracker = new PhaseTracker("service:demo-shop", T0, EXPECT);

    private static Instant at(long millis) {
        return T0.plusMillis(millis);
    }

    private static Incident incident(String id, String resource, Instant openedAt) {
        return new Incident(id, IncidentStatus.OPEN, "ServiceDown on " + resource, Resource.of("service", resource),
                "ServiceDown", openedAt, null, List.of(), List.of());
    }

    private static TimelineEntry entry(String incident, Instant at, TimelineKind kind, Map<String, String> refs) {
        return new TimelineEntry(incident, at, kind, kind.name(), refs);
    }

    private static Action action(String id, String incident, String rule, ActionType type, String service) {
        return new Action(id, incident, new RuleRef(rule, 1), type, new Target("process", "service", service), Map.of(),
                ActionMode.EXECUTE, false, at(2000), at(62000), "service:" + service, Map.of());
    }

    private static ActionResult result(String actionId, String incident, ActionStatus status, Instant finished) {
        return new ActionResult(actionId, incident, status, 1, status.name(), finished.minusMillis(500), finished,
                ActionType.RESTART_SERVICE);
    }

    private void healedRun(String incident) {
        tracker.accept(incident(incident, "demo-shop", at(1500)));
        tracker.accept(entry(incident, at(1500), TimelineKind.ALERT_RECEIVED, Map.of("alertId", "a1")));
        tracker.accept(entry(incident, at(2000), TimelineKind.RULE_FIRED, Map.of("rule", RULE, "actionId", "act-1")));
        tracker.accept(action("act-1", incident, RULE, ActionType.RESTART_SERVICE, "demo-shop"));
        tracker.accept(result("act-1", incident, ActionStatus.STARTED, at(2100)));
        tracker.accept(result("act-1", incident, ActionStatus.SUCCEEDED, at(4000)));
    }

    @Test
    void theHealedRunHasEveryPhase() {
        healedRun("inc-1");
        Phases phases = tracker.phases();
        assertThat(phases.incidentId()).isEqualTo("inc-1");
        assertThat(phases.detectedAt()).isEqualTo(at(1500));
        assertThat(phases.decidedAt()).isEqualTo(at(2000));
        assertThat(phases.actedAt()).isEqualTo(at(4000));
        assertThat(phases.rulesFired()).containsExactly(RULE);
        assertThat(phases.actions()).containsExactly("restart_service service:demo-shop (rule \"" + RULE + "\"): SUCCEEDED");

        Verdict verdict = Verdict.grade(DRILL, phases, T0, at(5000));
        assertThat(verdict.passed()).isTrue();
        assertThat(verdict.reason()).startsWith("recovered in 5.0s (SLO 30.0s)");
    }

    @Test
    void timelineEntriesBeforeTheirIncidentAndResultsBeforeTheirActionStillCount() {
        tracker.accept(result("act-1", "inc-1", ActionStatus.SUCCEEDED, at(4000)));
        tracker.accept(entry("inc-1", at(2000), TimelineKind.RULE_FIRED, Map.of("rule", RULE, "actionId", "act-1")));
        tracker.accept(entry("inc-1", at(1500), TimelineKind.ALERT_RECEIVED, Map.of()));
        assertThat(tracker.phases().incidentId()).as("nothing ties inc-1 to the resource yet").isNull();
        tracker.accept(action("act-1", "inc-1", RULE, ActionType.RESTART_SERVICE, "demo-shop"));
        Phases phases = tracker.phases();
        assertThat(phases.incidentId()).isEqualTo("inc-1");
        assertThat(phases.actedAt()).isEqualTo(at(4000));
    }

    @Test
    void alertsBeforeTheInjectionAndOtherResourcesDoNotCount() {
        tracker.accept(incident("inc-old", "demo-shop", at(-60000)));
        tracker.accept(entry("inc-old", at(-60000), TimelineKind.ALERT_RECEIVED, Map.of()));
        tracker.accept(incident("inc-other", "billing", at(1000)));
        tracker.accept(entry("inc-other", at(1000), TimelineKind.ALERT_RECEIVED, Map.of()));
        assertThat(tracker.phases().incidentId()).isNull();
        // A new alert joining the incident opened before the injection is the drill's detection.
        tracker.accept(entry("inc-old", at(1200), TimelineKind.ALERT_RECEIVED, Map.of()));
        assertThat(tracker.phases().incidentId()).isEqualTo("inc-old");
        assertThat(tracker.phases().detectedAt()).isEqualTo(at(1200));
    }

    @Test
    void anotherRuleFiringIsNotTheDecisionAndTheVerdictNamesWhatFired() {
        tracker.accept(incident("inc-1", "demo-shop", at(1500)));
        tracker.accept(entry("inc-1", at(1500), TimelineKind.ALERT_RECEIVED, Map.of()));
        tracker.accept(entry("inc-1", at(1600), TimelineKind.RULE_FIRED, Map.of("rule", "page ops", "actionId", "act-n")));
        tracker.accept(action("act-n", "inc-1", "page ops", ActionType.NOTIFY, "demo-shop"));
        tracker.accept(result("act-n", "inc-1", ActionStatus.SUCCEEDED, at(1700)));
        Phases phases = tracker.phases();
        assertThat(phases.decidedAt()).isNull();
        assertThat(phases.actedAt()).isNull();
        Verdict verdict = Verdict.grade(DRILL, phases, T0, null);
        assertThat(verdict.passed()).isFalse();
        assertThat(verdict.reason()).startsWith("the expected rule \"" + RULE + "\" did not fire for incident inc-1")
                .contains("rules that fired: page ops");
    }

    @Test
    void aFailedActionIsNotAnActAndItsDetailIsTheReason() {
        tracker.accept(incident("inc-1", "demo-shop", at(1500)));
        tracker.accept(entry("inc-1", at(1500), TimelineKind.ALERT_RECEIVED, Map.of()));
        tracker.accept(entry("inc-1", at(2000), TimelineKind.RULE_FIRED, Map.of("rule", RULE, "actionId", "act-1")));
        tracker.accept(action("act-1", "inc-1", RULE, ActionType.RESTART_SERVICE, "demo-shop"));
        tracker.accept(new ActionResult("act-1", "inc-1", ActionStatus.FAILED, 1, "health check timed out", at(2000),
                at(22000), ActionType.RESTART_SERVICE));
        Phases phases = tracker.phases();
        assertThat(phases.decidedAt()).isEqualTo(at(2000));
        assertThat(phases.actedAt()).isNull();
        assertThat(phases.actionFailure()).isEqualTo("FAILED: health check timed out");
        assertThat(Verdict.grade(DRILL, phases, T0, null).reason())
                .contains("did not succeed for incident inc-1 (FAILED: health check timed out)");
    }

    @Test
    void aShadowRuleIsNeitherTheDecisionNorTheAct() {
        tracker.accept(incident("inc-1", "demo-shop", at(1500)));
        tracker.accept(entry("inc-1", at(1500), TimelineKind.ALERT_RECEIVED, Map.of()));
        tracker.accept(entry("inc-1", at(2000), TimelineKind.RULE_FIRED,
                Map.of("rule", RULE, "actionId", "act-s", "mode", "shadow")));
        tracker.accept(action("act-s", "inc-1", RULE, ActionType.RESTART_SERVICE, "demo-shop").withMode(ActionMode.SHADOW));
        assertThat(tracker.phases().decidedAt()).isNull();
        assertThat(tracker.phases().actedAt()).isNull();
    }

    @Test
    void noIncidentMeansNoDetectionAndSaysWhatToCheck() {
        Verdict verdict = Verdict.grade(DRILL, tracker.phases(), T0, null);
        assertThat(verdict.passed()).isFalse();
        assertThat(verdict.reason()).startsWith("no alert on service:demo-shop reached Reflex after the injection");
    }

    @Test
    void aRecoveryOverTheSloFailsEvenWhenEverythingRan() {
        healedRun("inc-1");
        Verdict verdict = Verdict.grade(DRILL, tracker.phases(), T0, at(45000));
        assertThat(verdict.passed()).isFalse();
        assertThat(verdict.reason()).isEqualTo("recovered in 45.0s, over the SLO of 30.0s");
    }

    @Test
    void theHealthyTargetWithoutRecoveryFailsOnTheSteadyState() {
        healedRun("inc-1");
        assertThat(Verdict.grade(DRILL, tracker.phases(), T0, null).reason())
                .contains("succeeded but the steady state").contains("did not come back within 2m00s");
    }

    @Test
    void anExpectationOfAnActionAloneMatchesByTypeAndTarget() {
        PhaseTracker byAction = new PhaseTracker("service:demo-shop", T0,
                new Expectation(null, ActionType.RESTART_SERVICE, "service:demo-shop"));
        byAction.accept(incident("inc-1", "demo-shop", at(1500)));
        byAction.accept(entry("inc-1", at(1500), TimelineKind.ALERT_RECEIVED, Map.of()));
        byAction.accept(entry("inc-1", at(2000), TimelineKind.RULE_FIRED, Map.of("rule", "any name", "actionId", "act-1")));
        byAction.accept(action("act-1", "inc-1", "any name", ActionType.RESTART_SERVICE, "demo-shop"));
        byAction.accept(result("act-1", "inc-1", ActionStatus.SUCCEEDED, at(3000)));
        assertThat(byAction.phases().decidedAt()).isEqualTo(at(2000));
        assertThat(byAction.phases().actedAt()).isEqualTo(at(3000));
    }

    @Test
    void aPreviousRunsDecisionAndResultOnTheStillOpenIncidentDoNotCount() {
        tracker.accept(incident("inc-1", "demo-shop", at(-60000)));
        tracker.accept(entry("inc-1", at(-60000), TimelineKind.ALERT_RECEIVED, Map.of()));
        tracker.accept(entry("inc-1", at(-59000), TimelineKind.RULE_FIRED, Map.of("rule", RULE, "actionId", "act-old")));
        tracker.accept(action("act-old", "inc-1", RULE, ActionType.RESTART_SERVICE, "demo-shop"));
        tracker.accept(result("act-old", "inc-1", ActionStatus.SUCCEEDED, at(-58000)));
        // This run's alert joins the open incident; nothing has decided on it yet.
        tracker.accept(entry("inc-1", at(1500), TimelineKind.ALERT_RECEIVED, Map.of()));

        Phases phases = tracker.phases();
        assertThat(phases.detectedAt()).isEqualTo(at(1500));
        assertThat(phases.decidedAt()).as("the old run's RULE_FIRED").isNull();
        assertThat(phases.actedAt()).as("the old run's result").isNull();
    }
}
