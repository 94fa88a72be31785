package io.reflex.drill;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What Reflex was seen doing about a drill's fault, from its topics ({@link PhaseTracker}).
 *
 * @param incidentId   the incident on the fault's resource that an alert after the injection opened
 *                     (or joined); null when none
 * @param detectedAt   its first ALERT_RECEIVED after the injection; null when none
 * @param decidedAt    the RULE_FIRED of the expected rule (or, without one, of the expected action); null when none
 * @param actedAt      when the expected action finished SUCCEEDED; null when it did not
 * @param rulesFired   every rule that fired for the incident, in order
 * @param actions      every action for the incident, as {@code type target (rule "R"): STATUS}
 * @param actionFailure the last unsuccessful terminal result of an expected action ({@code FAILED: detail}), or null
 */
public record Phases(
        String incidentId,
        Instant detectedAt,
        Instant decidedAt,
        Instant actedAt,
        List<String> rulesFired,
        List<String> actions,
        String actionFailure) {

    public Phases {
        rulesFired = List.copyOf(rulesFired);
        actions = List.copyOf(actions);
    }

    /** From {@code from} to {@code to}, or null when either is unknown. */
    static Duration between(Instant from, Instant to) {
        return from == null || to == null ? null : Duration.between(from, to);
    }
}
