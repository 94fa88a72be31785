package io.reflex.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.Map;

/**
 * A remediation decided by a rule. Keyed on {@code reflex.actions} by {@link Target#key()}.
 *
 * @param id          deterministic ({@link #idFor}): a replayed decision has the same id, so the
 *                    remediator runs it at most once
 * @param resourceKey the key of the resource the incident is about (its alerts' key on
 *                    {@code reflex.alerts}); results are keyed by it, so they come back to the
 *                    rules task that holds the incident. Null for actions written before it existed.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
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
        Instant deadline,
        String resourceKey) {

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

    /** An action without a resource key: its results are keyed by its target. */
    public Action(String id, String incidentId, RuleRef rule, ActionType type, Target target,
            Map<String, String> params, ActionMode mode, boolean requiresApproval, Instant createdAt,
            Instant deadline) {
        this(id, incidentId, rule, type, target, params, mode, requiresApproval, createdAt, deadline, null);
    }

    /** The key its results are written under on {@code reflex.results}. */
    public String resultKey() {
        return resourceKey != null ? resourceKey : target.key();
    }

    /** Derived from the incident, the rule and the step (the alert that triggered it, and its index). */
    public static String idFor(String incidentId, String ruleName, String step) {
        return Ids.stable("act", incidentId, ruleName, step);
    }
}
