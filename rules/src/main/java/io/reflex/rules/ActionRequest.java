package io.reflex.rules;

import io.reflex.model.ActionType;
import io.reflex.model.AlertEvent;
import java.util.Map;
import java.util.Objects;

/**
 * What a rule consequence asked for through {@link Remediate}, before the rules stage gives it
 * an id, an incident, a connector and a deadline.
 *
 * @param rule    the name of the rule whose consequence asked
 * @param trigger          the alert the action answers; it places the action in that alert's incident
 * @param requiresApproval the remediator waits for an operator before running it (isolating a host does)
 */
public record ActionRequest(
        String rule,
        ActionType type,
        AlertEvent trigger,
        String targetKind,
        String targetName,
        Map<String, String> params,
        boolean requiresApproval) {

    public ActionRequest {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(trigger, "trigger");
        Objects.requireNonNull(targetKind, "targetKind");
        Objects.requireNonNull(targetName, "targetName");
        params = params == null ? Map.of() : Map.copyOf(params);
    }

    /** A request that runs without approval. */
    public ActionRequest(String rule, ActionType type, AlertEvent trigger, String targetKind, String targetName,
            Map<String, String> params) {
        this(rule, type, trigger, targetKind, targetName, params, false);
    }
}
