package io.reflex.drill;

import io.reflex.model.ActionType;

/**
 * The remediation a drill expects: the rule that should fire, and/or the action that should
 * succeed. Null parts are not checked; at least one of {@code rule} and {@code action} is set.
 *
 * @param target    the action's target key ({@code service:demo-shop}); null: any target
 * @param guardrail dry-run only: a guardrail (e.g. {@code blastRadius}) that must hold or refuse at
 *                  least one of the drill's actions; null: not checked
 */
public record Expectation(String rule, ActionType action, String target, String guardrail) {
    public Expectation {
        if (rule == null && action == null) {
            throw new IllegalArgumentException("expect needs a rule or an action");
        }
    }

    public Expectation(String rule, ActionType action, String target) {
        this(rule, action, target, null);
    }

    /** For reports, e.g. {@code rule "restart service on ServiceDown", restart_service service:demo-shop}. */
    public String describe() {
        StringBuilder text = new StringBuilder();
        if (rule != null) {
            text.append("rule \"").append(rule).append('"');
        }
        if (action != null) {
            text.append(text.isEmpty() ? "" : ", ").append(action.wireName());
            if (target != null) {
                text.append(' ').append(target);
            }
        }
        if (guardrail != null) {
            text.append(", guardrail ").append(guardrail).append(" holds or refuses some");
        }
        return text.toString();
    }
}
