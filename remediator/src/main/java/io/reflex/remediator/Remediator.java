package io.reflex.remediator;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.reflex.connectors.spi.Connectors;
import io.reflex.model.Action;
import io.reflex.model.ActionResult;
import io.reflex.model.TimelineEntry;
import io.reflex.model.Topics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The remediator role: consumes {@code reflex.actions}, runs each action through its
 * connector on Vert.x worker threads, and publishes results and timeline entries.
 *
 * <p>Actions on one target run one after another, in record order; different targets run in
 * parallel. A batch is finished (results acknowledged by Kafka) before its offsets are
 * committed, so a crash re-delivers unfinished actions rather than losing them; the ids of
 * finished actions are read back from {@code reflex.results} at start so a re-delivered
 * action that already finished is not run again.
 */
public final class Remediator implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Remediator.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private final RemediatorConfig config;
    private final Map<String, Object> kafkaProps;
    private final Vertx vertx;
    private final Dispatcher dispatcher;
    private final KafkaProducer<String, Object> producer;
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile KafkaConsumer<String, Action> consumer;
    private Thread pollThread;

    public Remediator(RemediatorConfig config, Map<String, Object> kafkaProps, Connectors connectors, Vertx vertx,
            Clock clock, PrometheusRegistry registry) {
        this.config = config;
        this.kafkaProps = Map.copyOf(kafkaProps);
        this.vertx = vertx;
        this.producer = new KafkaProducer<>(producerProps(kafkaProps), new StringSerializer(), new AnySerializer());
        this.dispatcher = new Dispatcher(connectors::get, connectors.names(), new KafkaReporter(),
                clock, new RemediatorMetrics(registry));
    }

    /** Reads which actions already finished, then starts consuming actions on a thread of its own. */
    public void start() {
        int seeded = FinishedActions.read(kafkaProps, dispatcher::markFinished);
        log.info("Remediator starting (group {}); {} actions already finished will not run again",
                config.groupId(), seeded);
        consumer = new KafkaConsumer<>(consumerProps(), new StringDeserializer(),
                Topics.ACTIONS.valueSerde().deserializer());
        consumer.subscribe(List.of(Topics.ACTIONS.name()));
        running.set(true);
        pollThread = new Thread(this::pollLoop, "reflex-remediator-poll");
        pollThread.start();
    }

    public boolean running() {
        return running.get() && pollThread != null && pollThread.isAlive();
    }

    private void pollLoop() {
        try {
            while (running.get()) {
                ConsumerRecords<String, Action> records = consumer.poll(POLL);
                if (records.isEmpty()) {
                    continue;
                }
                runBatch(records);
                producer.flush();
                consumer.commitSync();
            }
        } catch (WakeupException e) {
            if (running.get()) {
                throw e;
            }
        } catch (RuntimeException e) {
            log.error("Remediator stopped: {}. Actions not yet finished will be re-delivered on restart", e.toString(), e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** One worker task per target, each running its target's actions in order; waits for all. */
    private void runBatch(ConsumerRecords<String, Action> records) {
        Map<String, List<Action>> byTarget = new LinkedHashMap<>();
        for (ConsumerRecord<String, Action> record : records) {
            if (record.value() == null) {
                log.warn("Skipping an empty record at {}-{}@{}", record.topic(), record.partition(), record.offset());
                continue;
            }
            byTarget.computeIfAbsent(record.value().target().key(), k -> new ArrayList<>()).add(record.value());
        }
        List<Future<Void>> tasks = new ArrayList<>();
        for (List<Action> actions : byTarget.values()) {
            tasks.add(vertx.executeBlocking(() -> {
                actions.forEach(dispatcher::dispatch);
                return null;
            }, false));
        }
        try {
            // Connectors bound each action by its deadline; this bound only guards against a connector bug.
            Future.all(tasks).toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while actions were running", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("a batch of actions did not finish: " + e, e);
        }
    }

    private Map<String, Object> consumerProps() {
        Map<String, Object> props = new HashMap<>(kafkaProps);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.maxPollRecords());
        // A batch runs to its end before the next poll; actions are bounded by their deadlines (minutes).
        // Not above connections.max.idle.ms (9 min), which would make a rebalance drop the connection.
        props.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) Duration.ofMinutes(9).toMillis());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "reflex-remediator");
        return props;
    }

    private static Map<String, Object> producerProps(Map<String, Object> kafkaProps) {
        Map<String, Object> props = new HashMap<>(kafkaProps);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "reflex-remediator-results");
        return props;
    }

    @Override
    public void close() {
        if (running.compareAndSet(true, false) && consumer != null) {
            consumer.wakeup();
        }
        if (pollThread != null) {
            try {
                pollThread.join(Duration.ofSeconds(30).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        producer.close(Duration.ofSeconds(5));
        log.info("Remediator stopped");
    }

    /** Writes results (keyed by the incident's resource) and timeline entries (keyed by incident) with acks=all. */
    private final class KafkaReporter implements Dispatcher.Reporter {
        @Override
        public void result(String key, ActionResult result) {
            producer.send(new ProducerRecord<>(Topics.RESULTS.name(), key, result));
        }

        @Override
        public void timeline(TimelineEntry entry) {
            producer.send(new ProducerRecord<>(Topics.TIMELINE.name(), entry.incidentId(), entry));
        }
    }
}
