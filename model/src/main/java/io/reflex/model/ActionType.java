package io.reflex.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What a remediation does. Serialised in snake case, as users write it in rules and config. */
public enum ActionType {
    RESTART_SERVICE,
    /** Stops a service (drills inject faults with it; a rule may stop a runaway one). */
    STOP_SERVICE,
    START_SERVICE,
    SCALE,
    /** Cuts a host, node or pod off the network (labels, NetworkPolicy, firewall), per connector. */
    ISOLATE_HOST,
    /** Marks a node unschedulable. */
    CORDON_NODE,
    /** Cordons a node and evicts its pods. */
    DRAIN_NODE,
    /** Marks a node schedulable again (undoes a cordon: drills undo their cordon fault with it). */
    UNCORDON_NODE,
    ROTATE_PATCH,
    RUN_PLAYBOOK,
    /** Runs a configured script or command template on a target (ssh). */
    RUN_SCRIPT,
    NOTIFY,
    ESCALATE;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static ActionType fromWireName(String value) {
        for (ActionType type : values()) {
            if (type.wireName().equals(value)) {
                return type;
            }
        }
        throw new IllegalArgumentException("unknown action type '" + value + "'; expected one of "
                + Arrays.stream(values()).map(ActionType::wireName).collect(Collectors.joining(", ")));
    }
}
