package io.reflex.drill;

import io.reflex.model.Topic;
import io.reflex.model.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads Reflex's topics from a point in time, with no consumer group (the drill only reads, and
 * must not move anyone's offsets): {@code reflex.timeline}, {@code reflex.actions} and
 * {@code reflex.results} from {@code from}, and {@code reflex.incidents} from
 * {@code from - incidentLookback}, because an alert after the injection may join an incident that
 * was opened before it. read_committed: a decision aborted by a crash is not counted.
 */
public final class KafkaDrillFeed implements DrillFeed {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaDrillFeed.class);
    private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(15);

    private final KafkaConsumer<String, byte[]> consumer;
    private final Map<String, Topic<?>> topics = new HashMap<>();

    /**
     * @param kafka passed to the consumer ({@code bootstrap.servers}, security settings)
     * @throws org.apache.kafka.common.KafkaException when Kafka does not answer in time
     */
    public KafkaDrillFeed(Map<String, Object> kafka, Instant from, Duration incidentLookback) {
        Properties props = new Properties();
        props.putAll(kafka);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "reflex-drill");
        consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        try {
            Map<TopicPartition, Long> times = new HashMap<>();
            for (Topic<?> topic : List.of(Topics.INCIDENTS, Topics.TIMELINE, Topics.ACTIONS, Topics.RESULTS)) {
                topics.put(topic.name(), topic);
                long at = (topic == Topics.INCIDENTS ? from.minus(incidentLookback) : from).toEpochMilli();
                List<PartitionInfo> partitions = consumer.partitionsFor(topic.name(), METADATA_TIMEOUT);
                if (partitions == null || partitions.isEmpty()) {
                    throw new IllegalStateException("topic " + topic.name() + " does not exist; is this the Kafka of a"
                            + " running Reflex?");
                }
                partitions.forEach(p -> times.put(new TopicPartition(p.topic(), p.partition()), at));
            }
            consumer.assign(times.keySet());
            Map<TopicPartition, OffsetAndTimestamp> offsets = consumer.offsetsForTimes(times, METADATA_TIMEOUT);
            Map<TopicPartition, Long> ends = consumer.endOffsets(times.keySet(), METADATA_TIMEOUT);
            for (TopicPartition partition : times.keySet()) {
                OffsetAndTimestamp offset = offsets.get(partition);
                // No record at or after the time: start at the end, where the next one will be.
                consumer.seek(partition, offset != null ? offset.offset() : ends.get(partition));
            }
        } catch (RuntimeException e) {
            consumer.close(Duration.ofSeconds(5));
            throw e;
        }
    }

    @Override
    public List<Object> poll(Duration wait) {
        List<Object> records = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : consumer.poll(wait)) {
            if (record.value() == null) {
                continue;
            }
            Topic<?> topic = topics.get(record.topic());
            try {
                records.add(topic.valueSerde().deserializer().deserialize(record.topic(), record.value()));
            } catch (RuntimeException e) {
                // A record this version cannot read is not the drill's to judge; say so and go on.
                LOG.warn("skipped an unreadable record on {} (partition {}, offset {}): {}", record.topic(),
                        record.partition(), record.offset(), e.getMessage());
            }
        }
        return records;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
