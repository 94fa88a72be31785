package io.reflex.ingest.publish;

import io.reflex.model.AlertEvent;

/**
 * What will be written for one alert of a request: its record on {@code reflex.alerts}, its dead
 * letter on {@code reflex.alerts.dlq} ({@code deadLettered} set), or nothing because an earlier
 * transaction already committed it ({@code record} null).
 */
record Planned(AlertEvent alert, TopicRecord record, DeadLettered deadLettered) {

    static Planned store(AlertEvent alert, TopicRecord record) {
        return new Planned(alert, record, null);
    }

    static Planned alreadyStored(AlertEvent alert) {
        return new Planned(alert, null, null);
    }

    boolean isDeadLetter() {
        return deadLettered != null;
    }

    int bytes() {
        return record == null ? 0 : record.bytes();
    }
}
