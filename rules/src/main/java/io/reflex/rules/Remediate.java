package io.reflex.rules;

import io.reflex.model.ActionType;
import io.reflex.model.AlertEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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

    /** Restarts the named service through the configured connector. Target {@code service:NAME}. */
    public void restartService(AlertEvent trigger, String service) {
        request(ActionType.RESTART_SERVICE, trigger, "service", service, Map.of(), false);
    }

    /**
     * Scales a workload to a number of replicas. Target {@code KIND:NAME} (e.g. {@code deployment:cart}),
     * param {@code replicas}.
     */
    public void scale(AlertEvent trigger, String kind, String name, int replicas) {
        requireText(ActionType.SCALE, trigger, "kind", kind);
        if (replicas < 0) {
            throw new IllegalArgumentException(ActionType.SCALE.wireName() + " needs replicas >= 0, got " + replicas
                    + " (alert " + describe(trigger) + ")");
        }
        request(ActionType.SCALE, trigger, kind, name, Map.of("replicas", Integer.toString(replicas)), false);
    }

    /** Cuts a host off the network. Target {@code host:NAME}; waits for an operator's approval. */
    public void isolateHost(AlertEvent trigger, String host) {
        isolateHost(trigger, host, true);
    }

    /** Cuts a host off the network; {@code requiresApproval} false lets it run unattended. */
    public void isolateHost(AlertEvent trigger, String host, boolean requiresApproval) {
        request(ActionType.ISOLATE_HOST, trigger, "host", host, Map.of(), requiresApproval);
    }

    /** Rolls a patch out to a group of hosts. Target {@code group:NAME}, param {@code patch}. */
    public void rotatePatch(AlertEvent trigger, String group, String patch) {
        requireText(ActionType.ROTATE_PATCH, trigger, "patch", patch);
        request(ActionType.ROTATE_PATCH, trigger, "group", group, Map.of("patch", patch), false);
    }

    /**
     * Runs a playbook. Target {@code playbook:NAME}; each variable becomes a param (values as text),
     * so keys must be non-blank and values non-null.
     */
    public void runPlaybook(AlertEvent trigger, String playbook, Map<String, ?> vars) {
        Map<String, String> params = new LinkedHashMap<>();
        if (vars != null) {
            for (Map.Entry<String, ?> var : vars.entrySet()) {
                if (var.getKey() == null || var.getKey().isBlank() || var.getValue() == null) {
                    throw new IllegalArgumentException(ActionType.RUN_PLAYBOOK.wireName() + " of '" + playbook
                            + "' got the variable '" + var.getKey() + "' = " + var.getValue() + " (alert "
                            + describe(trigger) + "); every variable needs a name and a value");
                }
                params.put(var.getKey(), String.valueOf(var.getValue()));
            }
        }
        request(ActionType.RUN_PLAYBOOK, trigger, "playbook", playbook, params, false);
    }

    /** Sends a message to a channel. Target {@code channel:NAME}, param {@code message}. */
    public void notify(AlertEvent trigger, String channel, String message) {
        requireText(ActionType.NOTIFY, trigger, "message", message);
        request(ActionType.NOTIFY, trigger, "channel", channel, Map.of("message", message), false);
    }

    /** Hands the alert's incident to a human. Target the alert's resource, param {@code reason}. */
    public void escalate(AlertEvent trigger, String reason) {
        Objects.requireNonNull(trigger, () -> ActionType.ESCALATE.wireName()
                + " needs the alert it answers as its first argument");
        requireText(ActionType.ESCALATE, trigger, "reason", reason);
        request(ActionType.ESCALATE, trigger, trigger.resource().kind(), trigger.resource().name(),
                Map.of("reason", reason), false);
    }

    private void request(ActionType type, AlertEvent trigger, String kind, String name, Map<String, String> params,
            boolean requiresApproval) {
        if (currentRule == null) {
            throw new IllegalStateException(type.wireName() + " was called outside a rule consequence; "
                    + "only rules may ask for actions");
        }
        requireText(type, trigger, kind + " name", name);
        pending.add(new ActionRequest(currentRule, type, trigger, kind, name, params, requiresApproval));
    }

    private static void requireText(ActionType type, AlertEvent trigger, String what, String value) {
        Objects.requireNonNull(trigger, () -> type.wireName() + " needs the alert it answers as its first argument");
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(type.wireName() + " needs a " + what + ", got '" + value
                    + "' (alert " + describe(trigger) + "); check the label the rule reads it from");
        }
    }

    private static String describe(AlertEvent trigger) {
        return trigger.name() + " on " + trigger.resource().key();
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
