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
 * @param labels      the labels of the alert that triggered it: guardrails group targets by them
 *                    (blast radius per {@code zone}), silences match them; empty when unknown
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
        String resourceKey,
        Map<String, String> labels) {

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
        labels = Names.copy(labels);
    }

    /** An action without a resource key: its results are keyed by its target. */
    public Action(String id, String incidentId, RuleRef rule, ActionType type, Target target,
            Map<String, String> params, ActionMode mode, boolean requiresApproval, Instant createdAt,
            Instant deadline) {
        this(id, incidentId, rule, type, target, params, mode, requiresApproval, createdAt, deadline, null, Map.of());
    }

    /** The same action with another mode (guardrails turn actions into dry runs). */
    public Action withMode(ActionMode newMode) {
        return new Action(id, incidentId, rule, type, target, params, newMode, requiresApproval, createdAt, deadline,
                resourceKey, labels);
    }

    /** The same action with an earlier deadline (a timeout per action type). */
    public Action withDeadline(Instant newDeadline) {
        return new Action(id, incidentId, rule, type, target, params, mode, requiresApproval, createdAt, newDeadline,
                resourceKey, labels);
    }

    /** A label of the triggering alert, or null. */
    public String label(String name) {
        return labels.get(name);
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
