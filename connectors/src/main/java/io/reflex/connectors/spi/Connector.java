package io.reflex.connectors.spi;

import io.reflex.model.Action;

/**
 * Carries out actions on the real world: restarts a process, scales a deployment, runs a
 * playbook. One instance per configured connector, shared by every worker thread.
 */
public interface Connector extends AutoCloseable {

    /** The name actions address it by ({@code target.connector}) and its config key. */
    String name();

    /**
     * Carries out one action and says how it went. Blocking: called on a worker thread,
     * never on an event loop, possibly from several threads at once.
     *
     * <p>Must return by {@link Action#deadline()} or shortly after: every wait inside is
     * bounded by the time left. Expected failures are outcomes, not exceptions
     * ({@link Outcome#failed}, {@link Outcome#refused}); an exception thrown from here is
     * treated by the caller as a retriable failure.
     *
     * @throws InterruptedException when the worker is interrupted (shutdown, cancel); the
     *                              connector leaves what it already changed in place
     */
    Outcome execute(Action action) throws InterruptedException;

    /**
     * Looks at the target of an action that was started at {@code startedAt} but has no
     * result (the remediator stopped in between), so it is not run blindly a second time.
     * Bounded like {@link #execute}. The default cannot tell: the action is escalated to a person.
     */
    default Reconciliation reconcile(Action action, java.time.Instant startedAt) throws InterruptedException {
        return Reconciliation.unknown("connector " + name() + " cannot tell whether " + action.type().wireName()
                + " " + action.target().key() + " took effect; check the target by hand");
    }

    /** Releases what the connector holds (stops the processes it started, closes clients). */
    @Override
    default void close() {
    }
}
