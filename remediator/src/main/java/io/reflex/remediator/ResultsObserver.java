package io.reflex.remediator;

import io.reflex.model.Action;
import io.reflex.model.ActionResult;
import io.reflex.model.ActionStatus;
import io.reflex.model.Approval;
import io.reflex.model.ControlEvent;
import io.reflex.model.Json;
import io.reflex.model.Topics;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code reflex.results} (and {@code reflex.actions}, for the {@link ActivityListener};
 * {@code reflex.approvals} for the {@link ApprovalsView}; {@code reflex.control} for the shared
 * switches) from the beginning and keeps reading, on a thread and a consumer of its own (no group: every
 * process reads everything). It knows which action ids finished and which were started and
 * never finished, whichever process wrote them.
 *
 * <p>{@link #caughtUp} tells when it has read up to given offsets: the remediator waits for the
 * end of {@code reflex.results}, {@code reflex.approvals} and {@code reflex.control} as of a
 * partition assignment before it dispatches from that
 * partition, so what the previous owner finished is known.
 */
final class ResultsObserver implements ActionLedger, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ResultsObserver.class);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(30);

    private record Barrier(Map<TopicPartition, Long> ends, CompletableFuture<Void> reached) {
    }

    private final Map<String, Object> props;
    private final ActivityListener listener;
    private final ApprovalsView approvals;
    private final Consumer<ControlEvent> control;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Barrier> barriers = new ConcurrentLinkedQueue<>();
    private final Map<TopicPartition, Long> positions = new ConcurrentHashMap<>();
    private volatile boolean running;
    private KafkaConsumer<String, byte[]> consumer;
    private Thread thread;

    ResultsObserver(Map<String, Object> kafkaProps, ActivityListener listener) {
        this(kafkaProps, listener, null, null);
    }

    /**
     * @param approvals fed from {@code reflex.approvals}; null: that topic is not read
     * @param control   applies {@code reflex.control} events, in topic order; null: that topic is not read
     */
    ResultsObserver(Map<String, Object> kafkaProps, ActivityListener listener, ApprovalsView approvals,
            Consumer<ControlEvent> control) {
        this.approvals = approvals;
        this.control = control;
        Map<String, Object> p = new HashMap<>(kafkaProps);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "reflex-remediator-observer");
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.props = p;
        this.listener = listener;
    }

    void start() {
        consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        List<String> topics = new ArrayList<>(List.of(Topics.RESULTS.name(), Topics.ACTIONS.name()));
        if (approvals != null) {
            topics.add(Topics.APPROVALS.name());
        }
        if (control != null) {
            topics.add(Topics.CONTROL.name());
        }
        for (String topic : topics) {
            if (topic.equals(Topics.ACTIONS.name())) {
                consumer.partitionsFor(topic, METADATA_TIMEOUT)
                        .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
                continue;
            }
            List<org.apache.kafka.common.PartitionInfo> found = consumer.partitionsFor(topic, METADATA_TIMEOUT);
            if (found == null || found.isEmpty()) {
                consumer.close();
                throw new IllegalStateException("topic " + topic + " does not exist; create the Reflex"
                        + " topics first (the app does at start)");
            }
            found.forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        running = true;
        thread = new Thread(this::loop, "reflex-remediator-observer");
        thread.setDaemon(true);
        thread.start();
    }

    /** Whether it is still reading (it stops on close or on an error it cannot recover from). */
    boolean alive() {
        return thread != null && thread.isAlive();
    }

    @Override
    public Optional<Entry> lookup(String actionId) {
        return Optional.ofNullable(entries.get(actionId));
    }

    /** Completes once every given partition (of the topics it reads but {@code reflex.actions}) has been read up to the given offset. */
    CompletableFuture<Void> caughtUp(Map<TopicPartition, Long> ends) {
        Barrier barrier = new Barrier(Map.copyOf(ends), new CompletableFuture<>());
        if (reached(barrier)) {
            barrier.reached().complete(null);
        } else {
            barriers.add(barrier);
        }
        return barrier.reached();
    }

    private boolean reached(Barrier barrier) {
        return barrier.ends().entrySet().stream()
                .allMatch(e -> positions.getOrDefault(e.getKey(), 0L) >= e.getValue());
    }

    private void loop() {
        try {
            while (running) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                    read(record);
                }
                for (TopicPartition tp : consumer.assignment()) {
                    if (!tp.topic().equals(Topics.ACTIONS.name())) {
                        positions.put(tp, consumer.position(tp));
                    }
                }
                barriers.removeIf(b -> {
                    if (reached(b)) {
                        b.reached().complete(null);
                        return true;
                    }
                    return false;
                });
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            log.error("The results observer stopped: {}. Actions of newly assigned partitions wait until the"
                    + " remediator is restarted", e.toString(), e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
            barriers.forEach(b -> b.reached().completeExceptionally(
                    new IllegalStateException("the results observer stopped")));
        }
    }

    private void read(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            return;
        }
        Instant at = Instant.ofEpochMilli(record.timestamp());
        try {
            if (record.topic().equals(Topics.RESULTS.name())) {
                ActionResult result = Json.MAPPER.readValue(record.value(), ActionResult.class);
                if (result.status().terminal()) {
                    entries.put(result.actionId(), new Entry(true, result.startedAt(), result.attempt()));
                } else if (result.status() == ActionStatus.STARTED) {
                    entries.compute(result.actionId(), (id, old) -> old != null && old.finished()
                            ? old : new Entry(false, result.startedAt() == null ? at : result.startedAt(),
                                    result.attempt()));
                }
                listener.onResult(result, at);
            } else if (record.topic().equals(Topics.APPROVALS.name())) {
                approvals.apply(record.key(), Json.MAPPER.readValue(record.value(), Approval.class));
            } else if (record.topic().equals(Topics.CONTROL.name())) {
                control.accept(Json.MAPPER.readValue(record.value(), ControlEvent.class));
            } else {
                listener.onAction(Json.MAPPER.readValue(record.value(), Action.class), at);
            }
        } catch (IOException | IllegalArgumentException e) {
            log.warn("Skipping an unreadable record at {}-{}@{}: {}", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
        } catch (RuntimeException e) {
            log.error("The activity listener failed on {}-{}@{}", record.topic(), record.partition(), record.offset(), e);
        }
    }

    @Override
    public void close() {
        running = false;
        if (consumer != null) {
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
