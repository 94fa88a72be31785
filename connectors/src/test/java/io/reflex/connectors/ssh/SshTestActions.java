package io.reflex.connectors.ssh;

import io.reflex.model.Action;
import io.reflex.model.ActionMode;
import io.reflex.model.ActionType;
import io.reflex.model.RuleRef;
import io.reflex.model.Target;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** Actions as the remediator hands them to the ssh connector. */
final class SshTestActions {
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private SshTestActions() {
    }

    static Action action(ActionType type, String kind, String name, Map<String, String> params, Instant now,
                         Duration timeLeft) {
        return new Action("act-" + type.wireName() + "-" + SEQUENCE.incrementAndGet(), "inc-test",
                new RuleRef("ssh-test", 1), type, new Target(SshConnector.NAME, kind, name), params,
                ActionMode.EXECUTE, false, now, now.plus(timeLeft));
    }

    static Action service(ActionType type, String service, Instant now) {
        return action(type, SshConnector.SERVICE_KIND, service, Map.of(), now, Duration.ofSeconds(30));
    }

    static Action script(String host, Map<String, String> params, Instant now) {
        return action(ActionType.RUN_SCRIPT, SshConnector.HOST_KIND, host, params, now, Duration.ofSeconds(30));
    }
}
