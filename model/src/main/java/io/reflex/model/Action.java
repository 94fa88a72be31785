package io.reflex.model;

import java.time.Instant;
import java.util.Map;

/**
 * A remediation decided by a rule. Keyed on {@code reflex.actions} by {@link Target#key()}.
 *
 * @param id deterministic ({@link #idFor}): a replayed decision has the same id, so the
 *           remediator runs it at most once
 */
public record Action(
        String id,
        String incidentId,
        RuleRef rule,
        ActionType type,
        Target target,
        Map<String, String> params,
        ActionMode mode,
        boolean requiresApproval,
        Instant createdAt,
        Instant deadline) {

    public Action {
        Names.requireText(id, "id");
        Names.requireText(incidentId, "incidentId");
        Names.require(rule, "rule");
        Names.require(type, "type");
        Names.require(target, "target");
        params = Names.copy(params);
        Names.require(mode, "mode");
        Names.require(createdAt, "createdAt");
        Names.require(deadline, "deadline");
    }

    /** Derived from the incident, the rule and the step (the alert that triggered it, and its index). */
    public static String idFor(String incidentId, String ruleName, String step) {
        return Ids.stable("act", incidentId, ruleName, step);
    }
}
