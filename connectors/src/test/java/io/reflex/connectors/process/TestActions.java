package io.reflex.connectors.process;

import io.reflex.model.Action;
import io.reflex.model.ActionMode;
import io.reflex.model.ActionType;
import io.reflex.model.RuleRef;
import io.reflex.model.Target;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** Actions as the remediator hands them to a connector. */
final class TestActions {
    private TestActions() {
    }

    static Action action(ActionType type, String kind, String name, ActionMode mode, Instant now, Duration timeLeft) {
        return new Action("act-" + type.wireName() + "-" + Math.abs(name.hashCode()), "inc-test",
                new RuleRef("restart-on-service-down", 1), type, new Target(ProcessConnector.NAME, kind, name),
                Map.of(), mode, false, now, now.plus(timeLeft));
    }

    static Action restart(String service, Instant now, Duration timeLeft) {
        return action(ActionType.RESTART_SERVICE, ProcessConnector.SERVICE_KIND, service, ActionMode.EXECUTE, now, timeLeft);
    }

    static Action stop(String service, Instant now, Duration timeLeft) {
        return action(ActionType.STOP_SERVICE, ProcessConnector.SERVICE_KIND, service, ActionMode.EXECUTE, now, timeLeft);
    }

    static Action start(String service, Instant now, Duration timeLeft) {
        return action(ActionType.START_SERVICE, ProcessConnector.SERVICE_KIND, service, ActionMode.EXECUTE, now, timeLeft);
    }
}
