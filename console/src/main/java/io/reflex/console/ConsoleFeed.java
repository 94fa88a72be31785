package io.reflex.console;

import io.reflex.model.Action;
import io.reflex.model.ActionResult;
import io.reflex.model.Incident;
import io.reflex.model.TimelineEntry;
import io.reflex.model.Topic;
import io.reflex.model.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the {@link IncidentView} from the topics, read from the beginning on every start: the
 * topics are the system of record, so a restarted console shows what it showed before. Reads
 * committed records only, so a decision the rules stage aborted never appears.
 */
final class ConsoleFeed implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConsoleFeed.class);
    private static final List<Topic<?>> TOPICS = List.of(Topics.INCIDENTS, Topics.ACTIONS, Topics.RESULTS, Topics.TIMELINE);

    private final Map<String, Object> kafkaProps;
    private final IncidentView view;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean caughtUp = new AtomicBoolean();
    private KafkaConsumer<byte[], byte[]> consumer;
    private Thread thread;

    ConsoleFeed(Map<String, Object> kafkaProps, IncidentView view) {
        this.kafkaProps = kafkaProps;
        this.view = view;
    }

    void start() {
        Map<String, Object> props = new HashMap<>(kafkaProps);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "reflex-console");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (Topic<?> topic : TOPICS) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic.name(), Duration.ofSeconds(30));
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("topic " + topic.name() + " does not exist; start Reflex once with"
                        + " topic creation enabled or create it (see docs/operations.md)");
            }
            infos.forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> startEnd = consumer.endOffsets(partitions);
        running.set(true);
        thread = new Thread(() -> loop(startEnd), "reflex-console-feed");
        thread.start();
    }

    /** Whether the view holds everything that was in the topics when the console started. */
    boolean caughtUp() {
        return caughtUp.get();
    }

    boolean running() {
        return running.get() && thread != null && thread.isAlive();
    }

    private void loop(Map<TopicPartition, Long> startEnd) {
        long records = 0;
        try {
            while (running.get()) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    apply(record);
                    records++;
                }
                view.housekeep(); // retention also runs out while the topics are quiet
                if (!caughtUp.get() && startEnd.entrySet().stream()
                        .allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                    caughtUp.set(true);
                    log.info("Console caught up: {} records read, {} incidents", records, view.size());
                }
            }
        } catch (WakeupException e) {
            if (running.get()) {
                throw e;
            }
        } catch (RuntimeException e) {
            log.error("Console feed stopped: {}; the incident view is no longer updated", e.toString(), e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void apply(ConsumerRecord<byte[], byte[]> record) {
        try {
            String topic = record.topic();
            if (topic.equals(Topics.INCIDENTS.name())) {
                Incident incident = Topics.INCIDENTS.valueSerde().deserializer().deserialize(topic, record.value());
                if (incident != null) {
                    view.incident(incident);
                }
            } else if (topic.equals(Topics.ACTIONS.name())) {
                Action action = Topics.ACTIONS.valueSerde().deserializer().deserialize(topic, record.value());
                if (action != null) {
                    view.action(action);
                }
            } else if (topic.equals(Topics.RESULTS.name())) {
                ActionResult result = Topics.RESULTS.valueSerde().deserializer().deserialize(topic, record.value());
                if (result != null) {
                    view.result(result);
                }
            } else if (topic.equals(Topics.TIMELINE.name())) {
                TimelineEntry entry = Topics.TIMELINE.valueSerde().deserializer().deserialize(topic, record.value());
                if (entry != null) {
                    view.timeline(entry);
                }
            }
        } catch (SerializationException | IllegalArgumentException e) {
            log.warn("Skipping unreadable record {}-{}@{}: {}", record.topic(), record.partition(), record.offset(),
                    e.getMessage());
        }
    }

    @Override
    public void close() {
        if (running.compareAndSet(true, false) && consumer != null) {
            consumer.wakeup();
        }
        if (thread != null) {
            try {
                thread.join(Duration.ofSeconds(10).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
