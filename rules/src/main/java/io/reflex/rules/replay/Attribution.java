package io.reflex.rules.replay;

import io.reflex.model.Action;
import io.reflex.model.ActionMode;
import io.reflex.model.AlertEvent;
import io.reflex.model.Incident;
import io.reflex.rules.replay.ReplayReport.Decision;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the alert each recorded action answered. An action does not name its trigger, but its id
 * does, one way: the rules stage derives it as {@code Action.idFor(incident, rule, triggerId + "#" + step)}
 * where step counts the rule's requests for that alert. So the trigger is the alert of the range
 * for which that derivation gives the action's id back.
 */
final class Attribution {
    /** Actions per trigger alert id, and the ones whose trigger is not among the alerts given. */
    record Result(Map<String, List<Decision>> byAlert, List<Decision> unattributed) {
    }

    private Attribution() {
    }

    static Decision decisionOf(Action action) {
        return new Decision(action.type(), action.target().key(), action.rule().name());
    }

    /**
     * @param actions actions read back, in read order; shadow ones were never taken and are left out
     * @param alerts  the alerts of the range
     */
    static Result attribute(List<Action> actions, List<AlertEvent> alerts) {
        // An incident opened in the range has the id of its first alert: it narrows the search to that
        // alert's resource and name. An incident opened before the range means trying every alert.
        Map<String, String> incidentKeys = new HashMap<>();
        Map<String, List<AlertEvent>> byKey = new LinkedHashMap<>();
        for (AlertEvent alert : alerts) {
            String key = alert.resource().key() + "|" + alert.name();
            incidentKeys.put(Incident.idFor(alert.resource(), alert.name(), alert.id()), key);
            byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(alert);
        }
        Map<String, Integer> sameRuleAndIncident = new HashMap<>();
        for (Action action : actions) {
            sameRuleAndIncident.merge(action.incidentId() + '\u001f' + action.rule().name(), 1, Integer::sum);
        }
        Map<String, List<Decision>> byAlert = new LinkedHashMap<>();
        List<Decision> unattributed = new ArrayList<>();
        for (Action action : actions) {
            if (action.mode() == ActionMode.SHADOW) {
                continue;
            }
            String key = incidentKeys.get(action.incidentId());
            List<AlertEvent> candidates = key == null ? alerts : byKey.get(key);
            int steps = sameRuleAndIncident.get(action.incidentId() + '\u001f' + action.rule().name());
            String trigger = triggerOf(action, candidates, steps);
            if (trigger == null) {
                unattributed.add(decisionOf(action));
            } else {
                byAlert.computeIfAbsent(trigger, k -> new ArrayList<>()).add(decisionOf(action));
            }
        }
        return new Result(byAlert, unattributed);
    }

    private static String triggerOf(Action action, List<AlertEvent> candidates, int steps) {
        for (AlertEvent alert : candidates) {
            for (int step = 0; step < steps; step++) {
                if (Action.idFor(action.incidentId(), action.rule().name(), alert.id() + "#" + step)
                        .equals(action.id())) {
                    return alert.id();
                }
            }
        }
        return null;
    }
}
