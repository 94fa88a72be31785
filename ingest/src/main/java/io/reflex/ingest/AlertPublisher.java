package io.reflex.ingest;

import io.reflex.ingest.publish.AlertRecords;
import io.reflex.ingest.publish.Deadlines;
import io.reflex.ingest.publish.GroupCommitter;
import io.reflex.ingest.publish.KafkaBatchWriter;
import io.reflex.ingest.publish.PublishFailedException;
import io.reflex.ingest.publish.PublishLimits;
import io.reflex.ingest.publish.PublishResult;
import io.reflex.ingest.publish.PublisherMetrics;
import io.reflex.model.AlertEvent;
import io.reflex.model.Topics;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes alert events to {@code reflex.alerts}, keyed by resource key, in Kafka transactions
 * (acks=all, idempotent, transactional), and tells when Kafka has committed every one of them.
 * Read committed, as the rules stage and the console do, an alert is there exactly when its
 * publish succeeded.
 *
 * <p>Concurrent publishes share transactions (group commit, see {@link GroupCommitter}); an
 * alert too large for Kafka goes to {@code reflex.alerts.dlq} instead, in the same transaction
 * ({@link AlertRecords}); {@link #publishEach} says which. Every caller hears back within
 * {@link #ackTimeout()}; while Kafka is down the queue stays bounded and publishes fail fast.
 *
 * <p>{@code transactional.id} is {@code reflex-ingest-<random uuid>} per publisher: ingest
 * consumes nothing, so there is no zombie to fence across restarts, and two instances must never
 * share one. A {@code kafka.transactional.id} override is honoured (for example a pod name, so a
 * restarted pod fences its predecessor's open transaction at once); it must be unique per
 * running instance, or the instances fence each other on every transaction.
 */
public final class AlertPublisher implements AlertSink, AutoCloseable {

    /** Defaults the user may override (from {@code kafka.*}). */
    public static final Map<String, Object> DEFAULTS = Map.of(
            ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000,
            ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
            ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000,
            ProducerConfig.LINGER_MS_CONFIG, 5,
            ProducerConfig.CLIENT_ID_CONFIG, "reflex-ingest",
            // One transaction is in flight at a time and it is bounded (ingest.publish.maxBatchBytes),
            // so the producer never needs Kafka's default 32 MiB: memory stays flat while Kafka is down.
            ProducerConfig.BUFFER_MEMORY_CONFIG, 8L << 20,
            // An open transaction holds back read_committed readers until it ends: if ingest dies
            // mid-transaction, the broker aborts it after this long.
            ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 30_000);

    private static final int DEFAULT_MAX_REQUEST_SIZE = 1 << 20;

    private final String transactionalId;
    private final Duration ackTimeout;
    private final List<GroupCommitter> committers = new ArrayList<>();

    /** Default bounds, the system clock, metrics registered nowhere: for tests and tools. */
    public AlertPublisher(Map<String, Object> kafkaProps) {
        this(kafkaProps, PublishLimits.defaults(), Clock.systemUTC(), PublisherMetrics.unregistered());
    }

    /**
     * @param kafkaProps {@code bootstrap.servers} and any producer overrides; {@code acks} and
     *                   {@code enable.idempotence} cannot be weakened
     * @param limits     the batch and queue bounds ({@code ingest.publish})
     * @param clock      stamps dead letters
     * @throws IllegalArgumentException when the overrides would weaken durability, a bound is not a
     *                                  number, or a limit is out of range
     */
    public AlertPublisher(Map<String, Object> kafkaProps, PublishLimits limits, Clock clock, PublisherMetrics metrics) {
        limits.requireValid();
        Map<String, Object> props = new HashMap<>(DEFAULTS);
        props.putAll(kafkaProps);
        requireDurable(props);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        Object configuredId = props.get(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        this.transactionalId = configuredId == null ? "reflex-ingest-" + UUID.randomUUID() : configuredId.toString();
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        long maxBlockMs = number(props, ProducerConfig.MAX_BLOCK_MS_CONFIG);
        long deliveryTimeoutMs = number(props, ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG);
        long maxRequestSize = props.containsKey(ProducerConfig.MAX_REQUEST_SIZE_CONFIG)
                ? number(props, ProducerConfig.MAX_REQUEST_SIZE_CONFIG) : DEFAULT_MAX_REQUEST_SIZE;
        long bufferMemory = number(props, ProducerConfig.BUFFER_MEMORY_CONFIG);
        // Queue wait, sends (delivery.timeout.ms) and the commit (max.block.ms) all fit in this.
        this.ackTimeout = Duration.ofMillis(maxBlockMs + deliveryTimeoutMs);
        AlertRecords records = new AlertRecords((int) Math.min(Math.min(maxRequestSize, bufferMemory), Integer.MAX_VALUE),
                limits.deadLetterMaxBytes(), clock);
        PublishLimits share = limits.perCommitter();
        try {
            for (int i = 0; i < limits.committers(); i++) {
                // Each committer has its own transactional producer: their transactions overlap.
                String id = limits.committers() == 1 ? transactionalId : transactionalId + "-" + i;
                Map<String, Object> producerProps = new HashMap<>(props);
                producerProps.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, id);
                Map<String, Object> frozen = Map.copyOf(producerProps);
                // Created last: it starts the producer's network thread, which nothing would close if a check failed after.
                KafkaBatchWriter writer = new KafkaBatchWriter(
                        () -> new KafkaProducer<>(frozen, new StringSerializer(), new ByteArraySerializer()),
                        id, Duration.ofMillis(deliveryTimeoutMs + 1_000), Duration.ofSeconds(5), metrics);
                GroupCommitter committer = new GroupCommitter(writer, records, share, ackTimeout, metrics,
                        Deadlines.onThread("reflex-alert-publisher-deadlines-" + i), "reflex-alert-publisher-" + i);
                committers.add(committer);
                committer.start();
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private static void requireDurable(Map<String, Object> props) {
        Object acks = props.get(ProducerConfig.ACKS_CONFIG);
        if (acks != null && !"all".equals(String.valueOf(acks)) && !"-1".equals(String.valueOf(acks))) {
            throw new IllegalArgumentException("kafka.acks=" + acks + " is not allowed for ingest: a webhook is "
                    + "answered 202 only after every in-sync replica has the alert (acks=all). Remove the override.");
        }
        Object idempotence = props.get(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG);
        if (idempotence != null && !Boolean.parseBoolean(String.valueOf(idempotence))) {
            throw new IllegalArgumentException("kafka.enable.idempotence=" + idempotence + " is not allowed for "
                    + "ingest: without it a retried send can store an alert twice or out of order. Remove the override.");
        }
        Object transactionalId = props.get(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        if (transactionalId != null && String.valueOf(transactionalId).isBlank()) {
            throw new IllegalArgumentException("kafka.transactional.id is empty: ingest writes in transactions. Remove "
                    + "the override (each publisher then picks a unique one) or give every instance its own.");
        }
    }

    private static long number(Map<String, Object> props, String key) {
        Object value = props.get(key);
        try {
            long number = Long.parseLong(String.valueOf(value).trim());
            if (number < 0) {
                throw new NumberFormatException("negative");
            }
            return number;
        } catch (NumberFormatException e) {
            String unit = key.endsWith(".ms") ? "milliseconds" : "bytes";
            throw new IllegalArgumentException("kafka." + key + "=" + value + " is not a number of " + unit, e);
        }
    }

    @Override
    public Duration ackTimeout() {
        return ackTimeout;
    }

    /** This publisher's {@code transactional.id}. */
    public String transactionalId() {
        return transactionalId;
    }

    /**
     * Stores every event in {@code reflex.alerts} (key = resource key), or those Kafka refuses for
     * themselves in {@code reflex.alerts.dlq}, all in one transaction. Completes within
     * {@link #ackTimeout()} with what went where, or fails with a {@link PublishFailedException}
     * and nothing stored: a resend is then safe, since ids are deterministic and an alert whose
     * transaction landed after its failure was reported is not stored again.
     */
    @Override
    public CompletionStage<PublishResult> publishEach(List<AlertEvent> events) {
        // The same request always goes to the same committer: if a commit is in doubt, the
        // committer remembers its ids and a resend is answered without a second copy.
        List<AlertEvent> copy = List.copyOf(events);
        int pick = copy.isEmpty() ? 0 : Math.floorMod(copy.get(0).id().hashCode(), committers.size());
        return committers.get(pick).submit(copy);
    }

    /**
     * All or nothing: completes when every event is in {@code reflex.alerts}; fails otherwise,
     * with {@link PublishFailedException.Reason#DEAD_LETTERED} when some went to the dead letters
     * (the others are stored). Prefer {@link #publishEach}, which tells which.
     */
    @Override
    public CompletionStage<Void> publish(List<AlertEvent> events) {
        return publishEach(events).thenCompose(result -> {
            if (result.allStored()) {
                return CompletableFuture.<Void>completedFuture(null);
            }
            return CompletableFuture.<Void>failedFuture(new PublishFailedException(
                    PublishFailedException.Reason.DEAD_LETTERED, result.deadLettered().size() + " of " + events.size()
                    + " alert(s) were too large for Kafka and went to " + Topics.ALERTS_DLQ.name() + ": "
                    + result.deadLettered().stream().map(d -> d.alert().id() + " " + d.reason()).toList()));
        });
    }

    /** A one-line description of a Kafka failure, for logs and error bodies. */
    public static String describe(Throwable error) {
        return KafkaBatchWriter.describe(error);
    }

    /** Finishes what is queued (within {@link #ackTimeout()}), then closes the producer. */
    @Override
    public void close() {
        committers.forEach(GroupCommitter::close);
    }
}
