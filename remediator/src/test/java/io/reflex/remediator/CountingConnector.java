package io.reflex.remediator;

import io.reflex.connectors.process.ProcessConnectorProvider;
import io.reflex.connectors.spi.Connector;
import io.reflex.connectors.spi.ConnectorContext;
import io.reflex.connectors.spi.ConnectorProvider;
import io.reflex.connectors.spi.Outcome;
import io.reflex.connectors.spi.Reconciliation;
import io.reflex.model.Action;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real process connector, counting how often each action id reaches it. For the crash test
 * it can hang after the real work of one action is done, as a remediator that dies before
 * writing the result would.
 */
final class CountingConnector implements Connector {
    /** The kernel stamps mtimes from a coarse clock, a tick behind. */

    private final Connector delegate;
    private final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> reconciled = new ConcurrentHashMap<>();
    private volatile String hangAfter;
    private final CountDownLatch applied = new CountDownLatch(1);

    CountingConnector(Connector delegate, Path dataDir) {
        this.delegate = delegate;
    }

    /** A provider named {@code process} that wraps the real one and hands its connector to {@code sink}. */
    static ConnectorProvider provider(java.util.function.Consumer<CountingConnector> sink) {
        return new ConnectorProvider() {
            @Override
            public String name() {
                return "process";
            }

            @Override
            public Connector create(ConnectorContext context) {
                CountingConnector connector = new CountingConnector(new ProcessConnectorProvider().create(context),
                        context.dataDir());
                sink.accept(connector);
                return connector;
            }
        };
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public Outcome execute(Action action) throws InterruptedException {
        runs.computeIfAbsent(action.id(), id -> new AtomicInteger()).incrementAndGet();
        Outcome outcome = delegate.execute(action);
        if (action.id().equals(hangAfter)) {
            applied.countDown();
            new CountDownLatch(1).await(); // until the crash interrupts it
        }
        return outcome;
    }

    /** The real connector's reconciliation, counted. */
    @Override
    public Reconciliation reconcile(Action action, Instant startedAt) throws InterruptedException {
        reconciled.computeIfAbsent(action.id(), id -> new AtomicInteger()).incrementAndGet();
        return delegate.reconcile(action, startedAt);
    }

    /** The next execution of this action does its work, then hangs until interrupted. */
    void hangAfter(String actionId) {
        hangAfter = actionId;
    }

    CountDownLatch applied() {
        return applied;
    }

    int runs(String actionId) {
        AtomicInteger n = runs.get(actionId);
        return n == null ? 0 : n.get();
    }

    int reconciled(String actionId) {
        AtomicInteger n = reconciled.get(actionId);
        return n == null ? 0 : n.get();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
