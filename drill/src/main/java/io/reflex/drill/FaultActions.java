package io.reflex.drill;

import io.reflex.model.Action;
import io.reflex.model.ActionMode;
import io.reflex.model.ActionType;
import io.reflex.model.Ids;
import io.reflex.model.RuleRef;
import io.reflex.model.Target;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * The actions a drill writes to {@code reflex.actions} for the running Reflex's remediator to
 * execute through its connectors and guardrails: the fault itself (rule {@value #FAULT_RULE}) for
 * faults through a connector, and the undo (rule {@value #UNDO_RULE}). Only that Reflex can act:
 * its connectors own the processes, hosts and clusters. Each carries the label {@code drillId}.
 */
final class FaultActions {
    static final String FAULT_RULE = "drill fault";
    static final String UNDO_RULE = "drill undo";
    static final Duration DEADLINE = Duration.ofMinutes(2);

    private FaultActions() {
    }

    /** The fault's action; its incident is the drill id (no incident exists yet). */
    static Action fault(Fault.ThroughConnector fault, String drillId, Instant now) {
        return action(FAULT_RULE, fault.action(), fault.target(), drillId, drillId, fault.resourceKey(), now);
    }

    /** The inverse of the fault, on the followed incident when there is one. */
    static Action undo(Fault fault, String incidentId, String drillId, Instant now) {
        ActionType type;
        Target target;
        if (fault instanceof Fault.ThroughConnector c) {
            type = c.undoAction();
            target = c.target();
        } else {
            Fault.ProcessSignal p = (Fault.ProcessSignal) fault;
            type = ActionType.RESTART_SERVICE;
            target = new Target(p.connector(), "service", p.service());
        }
        return action(UNDO_RULE, type, target, incidentId != null ? incidentId : drillId, drillId, fault.resourceKey(),
                now);
    }

    private static Action action(String rule, ActionType type, Target target, String incidentId, String drillId,
            String resourceKey, Instant now) {
        // The time too: two runs of one drill within a second share a drill id, and the remediator would drop the second as a repeat.
        String id = Ids.stable("act", drillId, rule, type, target.key(), now);
        return new Action(id, incidentId, new RuleRef(rule, 0), type, target, Map.of(), ActionMode.EXECUTE, false, now,
                now.plus(DEADLINE), resourceKey, Map.of("drillId", drillId));
    }

    /** For reports: {@code start_service service:shop (connector ssh)}. */
    static String describe(Action action) {
        return action.type().wireName() + " " + action.target().key() + " (connector " + action.target().connector() + ")";
    }
}
