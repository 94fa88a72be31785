package io.reflex.drill;

import io.reflex.model.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka clients every drill uses: an idempotent producer (acks=all) and a reader of Reflex's
 * topics with no consumer group (a drill only reads, and must not move anyone's offsets),
 * read_committed (a decision aborted by a crash is not counted), assigned to every partition and
 * sought to a time or to the end.
 */
public final class DrillKafka {
    private static final Logger LOG = LoggerFactory.getLogger(DrillKafka.class);
    static final Duration METADATA_TIMEOUT = Duration.ofSeconds(30);

    private DrillKafka() {
    }

    /** An idempotent, acks=all producer of serialized records; {@code extra} settings win over the defaults. */
    public static KafkaProducer<String, byte[]> producer(Map<String, Object> kafka, String clientId,
            Map<String, Object> extra) {
        Properties props = new Properties();
        props.putAll(kafka);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        props.putAll(extra);
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    public static KafkaProducer<String, byte[]> producer(Map<String, Object> kafka, String clientId) {
        return producer(kafka, clientId, Map.of());
    }

    /**
     * A reader of {@code topics}, each partition from the first record at or after its time
     * (epoch millis) or, with a null time or no such record, from the end as it is now.
     *
     * @throws IllegalStateException when a topic does not exist
     * @throws org.apache.kafka.common.KafkaException when Kafka does not answer in time
     */
    public static Reader reader(Map<String, Object> kafka, String clientId, Map<Topic<?>, Long> topics) {
        Properties props = new Properties();
        props.putAll(kafka);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer());
        Map<String, Topic<?>> byName = new HashMap<>();
        try {
            Map<TopicPartition, Long> times = new HashMap<>();
            List<TopicPartition> toEnd = new ArrayList<>();
            for (Map.Entry<Topic<?>, Long> topic : topics.entrySet()) {
                String name = topic.getKey().name();
                byName.put(name, topic.getKey());
                List<PartitionInfo> partitions = consumer.partitionsFor(name, METADATA_TIMEOUT);
                if (partitions == null || partitions.isEmpty()) {
                    throw new IllegalStateException("topic " + name + " does not exist; is this the Kafka of a"
                            + " running Reflex?");
                }
                for (PartitionInfo p : partitions) {
                    TopicPartition partition = new TopicPartition(p.topic(), p.partition());
                    if (topic.getValue() == null) {
                        toEnd.add(partition);
                    } else {
                        times.put(partition, topic.getValue());
                    }
                }
            }
            List<TopicPartition> all = new ArrayList<>(toEnd);
            all.addAll(times.keySet());
            consumer.assign(all);
            Map<TopicPartition, Long> ends = consumer.endOffsets(all, METADATA_TIMEOUT);
            Map<TopicPartition, OffsetAndTimestamp> offsets = times.isEmpty() ? Map.of()
                    : consumer.offsetsForTimes(times, METADATA_TIMEOUT);
            for (TopicPartition partition : all) {
                OffsetAndTimestamp offset = offsets.get(partition);
                // No record at or after the time: start at the end, where the next one will be.
                consumer.seek(partition, offset != null ? offset.offset() : ends.get(partition));
            }
            return new Reader(consumer, byName);
        } catch (RuntimeException e) {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
            throw e;
        }
    }

    /** Reads and deserializes; records this version cannot read are logged and skipped. */
    public static final class Reader implements AutoCloseable {
        private final KafkaConsumer<String, byte[]> consumer;
        private final Map<String, Topic<?>> topics;

        private Reader(KafkaConsumer<String, byte[]> consumer, Map<String, Topic<?>> topics) {
            this.consumer = consumer;
            this.topics = topics;
        }

        public List<Object> poll(Duration wait) {
            List<Object> records = new ArrayList<>();
            for (ConsumerRecord<String, byte[]> record : consumer.poll(wait)) {
                if (record.value() == null) {
                    continue;
                }
                try {
                    records.add(topics.get(record.topic()).valueSerde().deserializer()
                            .deserialize(record.topic(), record.value()));
                } catch (RuntimeException e) {
                    // A record this version cannot read is not the drill's to judge; say so and go on.
                    LOG.warn("skipped an unreadable record on {} (partition {}, offset {}): {}", record.topic(),
                            record.partition(), record.offset(), e.getMessage());
                }
            }
            return records;
        }

        /** Whether this reader has reached the end of every partition as it is now. */
        public boolean atEnd() {
            Map<TopicPartition, Long> ends = consumer.endOffsets(consumer.assignment(), METADATA_TIMEOUT);
            for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
                if (consumer.position(end.getKey(), METADATA_TIMEOUT) < end.getValue()) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public void close() {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }
}
