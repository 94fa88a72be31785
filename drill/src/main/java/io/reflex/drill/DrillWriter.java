package io.reflex.drill;

import io.reflex.model.Action;
import io.reflex.model.AlertEvent;
import io.reflex.model.TimelineEntry;

/**
 * What a drill writes to Reflex: its fault and undo actions, the synthetic alerts of a dry run
 * and the DRILL timeline entries of a live one. One per run.
 */
public interface DrillWriter extends AutoCloseable {

    /** Writes an action to {@code reflex.actions}, keyed by its target. */
    void action(Action action);

    /** Writes a synthetic alert to {@code reflex.alerts}, keyed by its resource. */
    void alert(AlertEvent alert);

    /** Writes a timeline entry to {@code reflex.timeline}, keyed by its incident. */
    void timeline(TimelineEntry entry);

    @Override
    void close();
}
