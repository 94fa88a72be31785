package io.reflex.rules;

import io.reflex.model.ActionType;
import io.reflex.model.AlertEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The one helper rule consequences create actions through, bound in every rule package as
 * {@code global io.reflex.rules.Remediate remediate;}. Each public method is an action type.
 *
 * <p>It only records requests: the rules stage turns them into actions once the rules have
 * fired, so a consequence stays free of Kafka, ids and clocks. Requests made by a consequence
 * that then throws are dropped with it: a failed rule asks for nothing.
 *
 * <p>One instance per session; not thread-safe, like the session itself.
 */
public final class Remediate {
    /** The name rule packages declare the global under. */
    public static final String GLOBAL = "remediate";

    private final List<ActionRequest> accepted = new ArrayList<>();
    private final List<ActionRequest> pending = new ArrayList<>();
    private String currentRule;

    /** Restarts the named service through the configured connector. */
    public void restartService(AlertEvent trigger, String service) {
        request(ActionType.RESTART_SERVICE, trigger, "service", service, Map.of());
    }

    private void request(ActionType type, AlertEvent trigger, String kind, String name, Map<String, String> params) {
        if (currentRule == null) {
            throw new IllegalStateException(type.wireName() + " was called outside a rule consequence; "
                    + "only rules may ask for actions");
        }
        Objects.requireNonNull(trigger, () -> type.wireName() + " needs the alert it answers as its first argument");
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException(type.wireName() + " needs a " + kind + " name, got '" + name
                    + "' (alert " + trigger.name() + " on " + trigger.resource().key()
                    + "); check the label the rule reads it from");
        }
        pending.add(new ActionRequest(currentRule, type, trigger, kind, name, params));
    }

    /** A consequence of the named rule starts. */
    void begin(String rule) {
        pending.clear();
        currentRule = rule;
    }

    /** The consequence returned normally: its requests stand. */
    void commit() {
        accepted.addAll(pending);
        pending.clear();
        currentRule = null;
    }

    /** The consequence threw: its requests go with it. */
    void abort() {
        pending.clear();
        currentRule = null;
    }

    /** The requests accepted since the last call, in the order the rules made them. */
    List<ActionRequest> drain() {
        List<ActionRequest> out = List.copyOf(accepted);
        accepted.clear();
        return out;
    }
}
