package io.reflex.ingest;

import io.reflex.ingest.publish.PublishResult;
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

    /**
     * Stores the events durably, deciding per event: the stage completes once each one is either
     * stored or, when Kafka refuses it for itself (too large), kept as a dead letter, and says
     * which ({@link PublishResult}); it fails when nothing was stored. It may complete on any thread.
     *
     * <p>This default, for sinks without dead letters, stores all or fails.
     */
    default CompletionStage<PublishResult> publishEach(List<AlertEvent> events) {
        return publish(events).thenApply(done -> PublishResult.allStored(events));
    }

    /** The longest {@link #publish} takes to complete either way; callers give up after it. */
    Duration ackTimeout();
}
