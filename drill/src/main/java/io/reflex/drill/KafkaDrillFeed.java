package io.reflex.drill;

import io.reflex.model.Topic;
import io.reflex.model.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads Reflex's topics from a point in time, with no consumer group (the drill only reads, and
 * must not move anyone's offsets): {@code reflex.timeline}, {@code reflex.actions} and
 * {@code reflex.results} from {@code from}, and {@code reflex.incidents} from
 * {@code from - incidentLookback}, because an alert after the injection may join an incident that
 * was opened before it. read_committed: a decision aborted by a crash is not counted.
 */
public final class KafkaDrillFeed implements DrillFeed {
    private final DrillKafka.Reader reader;

    /**
     * @param kafka passed to the consumer ({@code bootstrap.servers}, security settings)
     * @throws org.apache.kafka.common.KafkaException when Kafka does not answer in time
     */
    public KafkaDrillFeed(Map<String, Object> kafka, Instant from, Duration incidentLookback) {
        Map<Topic<?>, Long> topics = new LinkedHashMap<>();
        topics.put(Topics.INCIDENTS, from.minus(incidentLookback).toEpochMilli());
        for (Topic<?> topic : List.of(Topics.TIMELINE, Topics.ACTIONS, Topics.RESULTS)) {
            topics.put(topic, from.toEpochMilli());
        }
        reader = DrillKafka.reader(kafka, "reflex-drill", topics);
    }

    @Override
    public List<Object> poll(Duration wait) {
        return reader.poll(wait);
    }

    @Override
    public void close() {
        reader.close();
    }
}
