package io.reflex.ingest;

import io.reflex.model.AlertEvent;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;

/** Where normalised alerts go: {@link AlertPublisher} in production. */
public interface AlertSink {

    /**
     * Stores the events durably. The stage completes only when every event is stored and fails
     * otherwise; it may complete on any thread.
     */
    CompletionStage<Void> publish(List<AlertEvent> events);

    /** The longest {@link #publish} takes to complete either way; callers give up after it. */
    Duration ackTimeout();
}
