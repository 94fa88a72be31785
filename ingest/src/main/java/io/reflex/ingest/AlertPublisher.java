package io.reflex.ingest;

import io.reflex.model.AlertEvent;
import io.reflex.model.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes alert events to {@code reflex.alerts}, keyed by resource key, and tells when Kafka has
 * every one of them (acks=all, idempotent producer).
 *
 * <p>Every wait is bounded so the webhook can answer 503 while Kafka is down instead of hanging:
 * {@code max.block.ms} bounds the wait for metadata, {@code delivery.timeout.ms} the wait for
 * the acknowledgement, and requests that queued behind a blocked send longer than
 * {@code max.block.ms} fail at once. {@link #ackTimeout()} is the sum.
 *
 * <p>{@code KafkaProducer.send} can block for metadata, so sends run on one thread of this
 * publisher, never on the caller's (a Vert.x event loop must not block). One thread also keeps
 * the records of one call in order.
 */
public final class AlertPublisher implements AlertSink, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AlertPublisher.class);

    /** Defaults the user may override (from {@code kafka.*}). */
    public static final Map<String, Object> DEFAULTS = Map.of(
            ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000,
            ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
            ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000,
            ProducerConfig.LINGER_MS_CONFIG, 5,
            ProducerConfig.CLIENT_ID_CONFIG, "reflex-ingest");

    private final Producer<String, AlertEvent> producer;
    private final ExecutorService sender;
    private final String topic;
    private final long maxBlockMs;
    private final Duration ackTimeout;

    /**
     * @param kafkaProps {@code bootstrap.servers} and any producer overrides; {@code acks} and
     *                   {@code enable.idempotence} cannot be weakened
     * @throws IllegalArgumentException when the overrides would weaken durability or a bound is not a number
     */
    public AlertPublisher(Map<String, Object> kafkaProps) {
        Map<String, Object> props = new HashMap<>(DEFAULTS);
        props.putAll(kafkaProps);
        requireDurable(props);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        this.maxBlockMs = millis(props, ProducerConfig.MAX_BLOCK_MS_CONFIG);
        this.ackTimeout = Duration.ofMillis(maxBlockMs + millis(props, ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG));
        this.topic = Topics.ALERTS.name();
        this.producer = new KafkaProducer<>(props, new StringSerializer(), Topics.ALERTS.valueSerde().serializer());
        this.sender = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "reflex-alert-publisher");
            thread.setDaemon(true);
            return thread;
        });
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
    }

    private static long millis(Map<String, Object> props, String key) {
        Object value = props.get(key);
        try {
            long millis = Long.parseLong(String.valueOf(value).trim());
            if (millis < 0) {
                throw new NumberFormatException("negative");
            }
            return millis;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("kafka." + key + "=" + value + " is not a number of milliseconds", e);
        }
    }

    @Override
    public Duration ackTimeout() {
        return ackTimeout;
    }

    /**
     * Sends every event (key = resource key) and completes when Kafka acknowledged all of them.
     * Fails with the first error otherwise; some events may then be stored anyway, which is safe
     * because a resend carries the same ids and downstream stages drop repeats.
     */
    @Override
    public CompletionStage<Void> publish(List<AlertEvent> events) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        long queuedAt = System.nanoTime();
        try {
            sender.execute(() -> sendAll(List.copyOf(events), queuedAt, done));
        } catch (RejectedExecutionException e) {
            done.completeExceptionally(new IllegalStateException("the alert publisher is closed", e));
        }
        return done;
    }

    private void sendAll(List<AlertEvent> events, long queuedAt, CompletableFuture<Void> done) {
        long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - queuedAt);
        if (waitedMs > maxBlockMs) {
            // An earlier send blocked on metadata: Kafka is most likely unreachable, and queueing
            // behind it again would stretch this caller's wait past the bound.
            done.completeExceptionally(new TimeoutException("waited " + waitedMs + " ms behind earlier sends "
                    + "(max.block.ms=" + maxBlockMs + "); Kafka is probably unreachable"));
            return;
        }
        CompletableFuture<?>[] acks = new CompletableFuture<?>[events.size()];
        for (int i = 0; i < events.size(); i++) {
            AlertEvent event = events.get(i);
            CompletableFuture<Void> ack = new CompletableFuture<>();
            acks[i] = ack;
            try {
                producer.send(new ProducerRecord<>(topic, event.resource().key(), event), (metadata, error) -> {
                    if (error == null) {
                        ack.complete(null);
                    } else {
                        ack.completeExceptionally(error);
                    }
                });
            } catch (RuntimeException e) {
                // Not an ApiException (those arrive through the callback): the producer is closed or broken.
                ack.completeExceptionally(e);
            }
        }
        CompletableFuture.allOf(acks).whenComplete((ok, error) -> {
            if (error == null) {
                done.complete(null);
            } else {
                Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                        ? error.getCause() : error;
                LOG.warn("Kafka did not acknowledge {} alert(s) for {}: {}", events.size(), topic, describe(cause));
                done.completeExceptionally(cause);
            }
        });
    }

    /** A one-line description of a Kafka failure, for logs and error bodies. */
    public static String describe(Throwable error) {
        String message = error.getMessage();
        String type = error.getClass().getSimpleName();
        return message == null ? type : type + ": " + message;
    }

    @Override
    public void close() {
        sender.shutdown();
        try {
            if (!sender.awaitTermination(maxBlockMs + 1_000, TimeUnit.MILLISECONDS)) {
                LOG.warn("alert sends still blocked after {} ms; closing the producer anyway", maxBlockMs + 1_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(5));
    }
}
