package io.reflex.remediator.guard;

import io.reflex.model.Action;
import io.reflex.model.ActionMode;
import io.reflex.model.ActionResult;
import io.reflex.model.ActionStatus;
import io.reflex.model.ActionType;
import io.reflex.model.RuleRef;
import io.reflex.model.Target;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** Actions and results as the remediator reads them from Kafka. */
final class Fixtures {
    static final Instant T0 = Instant.parse("2026-11-26T12:00:00Z");

    private Fixtures() {
    }

    static Action action(String id, String incidentId, String rule, ActionType type, String kind, String name,
            Map<String, String> labels, Instant createdAt) {
        return new Action(id, incidentId, new RuleRef(rule, 1), type, new Target("process", kind, name), Map.of(),
                ActionMode.EXECUTE, false, createdAt, createdAt.plus(Duration.ofHours(1)), kind + ":" + name, labels);
    }

    static Action restart(String id, String incidentId, String service, Instant at) {
        return action(id, incidentId, "restart-on-down", ActionType.RESTART_SERVICE, "service", service, Map.of(), at);
    }

    static Action isolate(String id, String host, String zone, Instant at) {
        return action(id, "inc-" + host, "isolate-compromised", ActionType.ISOLATE_HOST, "host", host,
                Map.of("zone", zone), at);
    }

    static ActionResult result(Action action, ActionStatus status, Instant startedAt, Instant finishedAt) {
        return new ActionResult(action.id(), action.incidentId(), status, 1, status.name().toLowerCase(), startedAt,
                finishedAt, action.type());
    }

    /** Records a whole run in the log, as the results of some remediator would arrive. */
    static void ran(ActivityLog log, Action action, ActionStatus end, Instant startedAt, Instant finishedAt) {
        log.onAction(action, startedAt);
        log.onResult(result(action, ActionStatus.STARTED, startedAt, null), startedAt);
        log.onResult(result(action, end, startedAt, finishedAt), finishedAt);
    }
}
