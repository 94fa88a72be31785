package io.reflex.drill;

import java.time.Duration;
import java.time.Instant;

/**
 * Pass or fail, and why, graded from what was seen ({@link #grade}).
 */
public record Verdict(boolean passed, String reason) {

    /**
     * A drill passes when an alert after the injection opened an incident on the fault's resource,
     * the expected rule fired, the expected action succeeded, and the steady state came back within
     * the SLO. The first missing step is the reason it fails.
     *
     * @param recoveredAt when the steady-state probe passed again, or null when it did not by the timeout
     */
    public static Verdict grade(DrillDefinition drill, Phases phases, Instant injectedAt, Instant recoveredAt) {
        Expectation expect = drill.expect();
        String resource = drill.fault().resourceKey();
        if (phases.incidentId() == null) {
            return fail("no alert on " + resource + " reached Reflex after the injection (no incident opened or joined)"
                    + " within " + human(drill.timeout()) + "; check that a probe or monitor watches " + resource
                    + " and that its alerts carry the label that maps to it"
                    + recovered(recoveredAt, injectedAt));
        }
        if (phases.decidedAt() == null) {
            String fired = phases.rulesFired().isEmpty() ? "no rule fired"
                    : "rules that fired: " + String.join(", ", phases.rulesFired());
            String wanted = expect.rule() != null ? "the expected rule \"" + expect.rule() + "\" did not fire"
                    : "no rule asked for the expected " + expect.describe();
            return fail(wanted + " for incident " + phases.incidentId() + " (" + fired
                    + (phases.actions().isEmpty() ? "" : "; actions: " + String.join("; ", phases.actions()))
                    + "); is the rule deployed and does it match the alert?" + recovered(recoveredAt, injectedAt));
        }
        if (phases.actedAt() == null) {
            return fail("the expected " + expect.describe() + " did not succeed for incident " + phases.incidentId()
                    + (phases.actionFailure() != null ? " (" + phases.actionFailure() + ")" : "")
                    + (phases.actions().isEmpty() ? "; no action was recorded" : "; actions: "
                    + String.join("; ", phases.actions()))
                    + recovered(recoveredAt, injectedAt));
        }
        if (recoveredAt == null) {
            return fail("the expected " + expect.describe() + " succeeded but the steady state ("
                    + drill.steadyState().probe().describe() + ") did not come back within " + human(drill.timeout()));
        }
        Duration recover = Duration.between(injectedAt, recoveredAt);
        if (recover.compareTo(drill.slo()) > 0) {
            return fail("recovered in " + human(recover) + ", over the SLO of " + human(drill.slo()));
        }
        return new Verdict(true, "recovered in " + human(recover) + " (SLO " + human(drill.slo()) + ") through "
                + expect.describe());
    }

    private static String recovered(Instant recoveredAt, Instant injectedAt) {
        return recoveredAt == null ? "" : "; the steady state came back anyway after "
                + human(Duration.between(injectedAt, recoveredAt));
    }

    private static Verdict fail(String reason) {
        return new Verdict(false, reason);
    }

    /** {@code 850ms}, {@code 4.2s}, {@code 2m05s} ({@link DrillIds#human}). */
    static String human(Duration d) {
        return DrillIds.human(d);
    }
}
