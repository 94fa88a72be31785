package io.reflex.remediator;

import io.reflex.connectors.spi.Connector;
import io.reflex.connectors.spi.ConnectorContext;
import io.reflex.connectors.spi.ConnectorProvider;
import io.reflex.connectors.spi.Outcome;
import io.reflex.model.Action;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A connector named {@code fake} that changes nothing and succeeds, recording every action it
 * is given: the guardrail and approval tests count what reached a connector, for any action type.
 */
final class RecordingConnector implements Connector {
    static final String NAME = "fake";

    private final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
    private final List<Action> executed = new CopyOnWriteArrayList<>();

    static ConnectorProvider provider(RecordingConnector connector) {
        return new ConnectorProvider() {
            @Override
            public String name() {
                return NAME;
            }

            @Override
            public Connector create(ConnectorContext context) {
                return connector;
            }
        };
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Outcome execute(Action action) {
        runs.computeIfAbsent(action.id(), id -> new AtomicInteger()).incrementAndGet();
        executed.add(action);
        return Outcome.succeeded(action.type().wireName() + " " + action.target().key() + " done");
    }

    int runs(String actionId) {
        AtomicInteger n = runs.get(actionId);
        return n == null ? 0 : n.get();
    }

    /** Every execution, in order. */
    List<Action> executed() {
        return List.copyOf(executed);
    }
}
