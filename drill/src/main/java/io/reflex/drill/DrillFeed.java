package io.reflex.drill;

import java.time.Duration;
import java.util.List;

/**
 * What Reflex records, as a drill follows it: incidents, timeline entries, actions and action
 * results, in the order they are read.
 */
public interface DrillFeed extends AutoCloseable {

    /** The records that arrived since the last call, waiting up to {@code wait} for some. */
    List<Object> poll(Duration wait);

    @Override
    void close();
}
