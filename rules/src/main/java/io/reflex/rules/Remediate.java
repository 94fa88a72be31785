package io.reflex.rules;

import io.reflex.model.ActionType;
import io.reflex.model.AlertEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

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
    /** The facts of the current consequence's match, read only when it asks for an action. */
    private Supplier<? extends List<?>> currentFacts = List::of;
    private List<ActionRequest.MatchedFact> currentMatched;

    /** Restarts the named service through the configured connector. Target {@code service:NAME}. */
    public void restartService(AlertEvent trigger, String service) {
        restartService(trigger, service, false);
    }

    /** Restarts the named service; {@code requiresApproval} true waits for an operator first (a critical service). */
    public void restartService(AlertEvent trigger, String service, boolean requiresApproval) {
        request(ActionType.RESTART_SERVICE, trigger, "service", service, Map.of(), requiresApproval);
    }

    /** Stops the named service (a runaway one; drills stop services to inject faults). Target {@code service:NAME}. */
    public void stopService(AlertEvent trigger, String service) {
        request(ActionType.STOP_SERVICE, trigger, "service", service, Map.of(), false);
    }

    /** Starts the named service. Target {@code service:NAME}. */
    public void startService(AlertEvent trigger, String service) {
        request(ActionType.START_SERVICE, trigger, "service", service, Map.of(), false);
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

    /** Marks a node unschedulable. Target {@code node:NAME}; waits for an operator's approval. */
    public void cordonNode(AlertEvent trigger, String node) {
        cordonNode(trigger, node, true);
    }

    /** Marks a node unschedulable; {@code requiresApproval} false lets it run unattended. */
    public void cordonNode(AlertEvent trigger, String node, boolean requiresApproval) {
        request(ActionType.CORDON_NODE, trigger, "node", node, Map.of(), requiresApproval);
    }

    /** Cordons a node and evicts its pods. Target {@code node:NAME}; waits for an operator's approval. */
    public void drainNode(AlertEvent trigger, String node) {
        drainNode(trigger, node, true);
    }

    /** Cordons a node and evicts its pods; {@code requiresApproval} false lets it run unattended. */
    public void drainNode(AlertEvent trigger, String node, boolean requiresApproval) {
        request(ActionType.DRAIN_NODE, trigger, "node", node, Map.of(), requiresApproval);
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
        request(ActionType.RUN_PLAYBOOK, trigger, "playbook", playbook,
                textParams(ActionType.RUN_PLAYBOOK, trigger, playbook, "variable", vars), false);
    }

    /** Named values as params (values as text); each needs a non-blank name and a value. */
    private static Map<String, String> textParams(ActionType type, AlertEvent trigger, String of, String what,
            Map<String, ?> values) {
        Map<String, String> params = new LinkedHashMap<>();
        if (values != null) {
            for (Map.Entry<String, ?> value : values.entrySet()) {
                if (value.getKey() == null || value.getKey().isBlank() || value.getValue() == null) {
                    throw new IllegalArgumentException(type.wireName() + " of '" + of + "' got the " + what + " '"
                            + value.getKey() + "' = " + value.getValue() + " (alert " + describe(trigger)
                            + "); every " + what + " needs a name and a value");
                }
                params.put(value.getKey(), String.valueOf(value.getValue()));
            }
        }
        return params;
    }

    /**
     * The action methods rules may call, one per line as {@code name(Type param, ...)}, for
     * error messages: the public instance methods of this class.
     */
    public static List<String> actionMethods() {
        return java.util.Arrays.stream(Remediate.class.getDeclaredMethods())
                .filter(m -> java.lang.reflect.Modifier.isPublic(m.getModifiers())
                        && !java.lang.reflect.Modifier.isStatic(m.getModifiers()))
                .sorted(java.util.Comparator.comparing(java.lang.reflect.Method::getName)
                        .thenComparingInt(java.lang.reflect.Method::getParameterCount))
                .map(m -> m.getName() + "(" + java.util.Arrays.stream(m.getParameters())
                        .map(p -> p.getType().getSimpleName() + " " + p.getName())
                        .collect(java.util.stream.Collectors.joining(", ")) + ")")
                .toList();
    }

    /**
     * Runs a configured script (or command template) on a host. Target {@code host:NAME}, param
     * {@code script}, and each argument as a param (values as text), so keys must be non-blank,
     * values non-null, and no argument may be called {@code script}.
     */
    public void runScript(AlertEvent trigger, String host, String script, Map<String, ?> args) {
        requireText(ActionType.RUN_SCRIPT, trigger, "script", script);
        Map<String, String> params = new LinkedHashMap<>();
        params.put("script", script);
        params.putAll(textParams(ActionType.RUN_SCRIPT, trigger, script, "argument", args));
        if (args != null && args.containsKey("script")) {
            throw new IllegalArgumentException(ActionType.RUN_SCRIPT.wireName() + " of '" + script
                    + "' got an argument named 'script' (alert " + describe(trigger) + "); that name is the"
                    + " script's own, rename the argument");
        }
        request(ActionType.RUN_SCRIPT, trigger, "host", host, params, false);
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
        if (currentMatched == null) {
            currentMatched = ActionRequest.MatchedFact.ofMatch(currentFacts.get());
        }
        pending.add(new ActionRequest(currentRule, type, trigger, kind, name, params, requiresApproval,
                currentMatched));
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

    /**
     * A consequence of the named rule starts; {@code facts} gives the objects of its match, read
     * only if it asks for an action (most firings of throttles and bookkeeping rules do not).
     */
    void begin(String rule, Supplier<? extends List<?>> facts) {
        pending.clear();
        currentRule = rule;
        currentFacts = facts;
        currentMatched = null;
    }

    /** The consequence returned normally: its requests stand. */
    void commit() {
        accepted.addAll(pending);
        end();
    }

    /** The consequence threw: its requests go with it. */
    void abort() {
        end();
    }

    private void end() {
        pending.clear();
        currentRule = null;
        currentFacts = List::of;
        currentMatched = null;
    }

    /** The requests accepted since the last call, in the order the rules made them. */
    List<ActionRequest> drain() {
        List<ActionRequest> out = List.copyOf(accepted);
        accepted.clear();
        return out;
    }
}
