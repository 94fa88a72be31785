package io.reflex.ingest.publish;

import io.reflex.model.AlertEvent;
import java.util.Objects;

/**
 * An alert that went to {@code reflex.alerts.dlq} instead of {@code reflex.alerts}.
 *
 * @param alert  the alert as it arrived (the dead letter itself may carry it cut short)
 * @param reason a short code: {@link AlertRecords#RECORD_TOO_LARGE} or {@link AlertRecords#INVALID_RECORD}
 * @param detail what happened and what to do, for the sender
 */
public record DeadLettered(AlertEvent alert, String reason, String detail) {
    public DeadLettered {
        Objects.requireNonNull(alert, "alert");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(detail, "detail");
    }
}
