package io.reflex.connectors.http;

import io.reflex.model.Action;
import io.reflex.model.ActionMode;
import io.reflex.model.ActionType;
import io.reflex.model.RuleRef;
import io.reflex.model.Target;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** Actions as the remediator hands them to the http connector. */
final class HttpActions {
    private HttpActions() {
    }

    static Action action(ActionType type, String kind, String name, Map<String, String> params, ActionMode mode,
                         Instant now, Duration timeLeft) {
        return new Action("act-" + type.wireName() + "-" + Math.abs(name.hashCode()), "inc-42",
                new RuleRef("page-on-checkout-down", 3), type, new Target(HttpConnector.NAME, kind, name), params, mode,
                false, now, now.plus(timeLeft), "service:checkout", Map.of("zone", "eu-1"));
    }

    static Action notify(String channel, String message, Instant now, Duration timeLeft) {
        return action(ActionType.NOTIFY, "channel", channel, Map.of("message", message), ActionMode.EXECUTE, now,
                timeLeft);
    }

    static Action escalate(String service, String reason, Instant now, Duration timeLeft) {
        return action(ActionType.ESCALATE, "service", service, Map.of("reason", reason), ActionMode.EXECUTE, now,
                timeLeft);
    }
}
