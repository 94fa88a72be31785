package io.reflex.drill;

import io.reflex.model.Action;
import io.reflex.model.AlertEvent;
import io.reflex.model.TimelineEntry;
import java.time.Duration;

/**
 * What a drill writes to Reflex: its fault and undo actions, the synthetic alerts of a dry run
 * and the DRILL timeline entries of a live one. One per run.
 */
public interface DrillWriter extends AutoCloseable {

    /** Writes an action to {@code reflex.actions}, keyed by its target. */
    void action(Action action);

    /** Writes an action, waiting at most {@code bound} for its ack (the undo of an interrupted drill). */
    default void action(Action action, Duration bound) {
        action(action);
    }

    /** Writes a synthetic alert to {@code reflex.alerts}, keyed by its resource. */
    void alert(AlertEvent alert);

    /** Hands a synthetic alert over without waiting for its ack (a storm keeps its pace); {@link #flushAlerts} waits. */
    default void alertNoWait(AlertEvent alert) {
        alert(alert);
    }

    /**
     * Waits until every alert handed to {@link #alertNoWait} is acknowledged.
     *
     * @throws IllegalStateException saying how many were not
     */
    default void flushAlerts() {
    }

    /** Writes a timeline entry to {@code reflex.timeline}, keyed by its incident. */
    void timeline(TimelineEntry entry);

    @Override
    void close();
}
