package io.reflex.ingest.publish;

import io.reflex.model.AlertEvent;
import java.util.List;

/**
 * What became of the alerts of one publish, once Kafka committed their transaction: each is
 * either on {@code reflex.alerts} ({@link #stored}) or, when Kafka refuses it for itself (too
 * large), on {@code reflex.alerts.dlq} ({@link #deadLettered}). Both lists keep the order of the
 * request.
 */
public record PublishResult(List<AlertEvent> stored, List<DeadLettered> deadLettered) {
    public PublishResult {
        stored = List.copyOf(stored);
        deadLettered = List.copyOf(deadLettered);
    }

    public static PublishResult allStored(List<AlertEvent> events) {
        return new PublishResult(events, List.of());
    }

    public boolean allStored() {
        return deadLettered.isEmpty();
    }
}
