package io.reflex.ingest.publish;

import java.util.Objects;

/** One serialized record to write: alerts to {@code reflex.alerts}, dead letters to {@code reflex.alerts.dlq}. */
public record TopicRecord(String topic, String key, byte[] value) {
    public TopicRecord {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
    }

    /** The key and value bytes, as the queue and batch bounds count them. */
    public int bytes() {
        return AlertRecords.utf8Length(key) + value.length;
    }

    @Override
    public String toString() {
        return topic + "/" + key + " (" + value.length + " bytes)";
    }
}
