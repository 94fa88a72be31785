package io.reflex.drill;

import io.reflex.model.Action;
import io.reflex.model.AlertEvent;
import io.reflex.model.TimelineEntry;
import io.reflex.model.Topic;
import io.reflex.model.Topics;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes a drill's records with one idempotent producer (acks=all), opened on the first write so
 * a drill that stops before it writes anything never connects. Actions and timeline entries wait
 * for their ack: the drill's next step (waiting for a result, grading) assumes the record is
 * stored. Alerts do not: a storm keeps its pace, and {@link #flushAlerts()} waits for them all.
 */
public final class KafkaDrillWriter implements DrillWriter {
    private static final Duration ACK = Duration.ofSeconds(30);

    private final Map<String, Object> kafka;
    private KafkaProducer<String, byte[]> producer;
    private final AtomicInteger alertsFailed = new AtomicInteger();
    private final AtomicReference<Exception> firstAlertError = new AtomicReference<>();

    public KafkaDrillWriter(Map<String, Object> kafka) {
        this.kafka = Map.copyOf(kafka);
    }

    @Override
    public void action(Action action) {
        action(action, ACK);
    }

    @Override
    public void action(Action action, Duration bound) {
        send(Topics.ACTIONS, action.target().key(), action, bound);
    }

    @Override
    public void alert(AlertEvent alert) {
        send(Topics.ALERTS, alert.resource().key(), alert, ACK);
    }

    @Override
    public void alertNoWait(AlertEvent alert) {
        byte[] bytes = Topics.ALERTS.valueSerde().serializer().serialize(Topics.ALERTS.name(), alert);
        producer().send(new ProducerRecord<>(Topics.ALERTS.name(), alert.resource().key(), bytes), (metadata, error) -> {
            if (error != null) {
                alertsFailed.incrementAndGet();
                firstAlertError.compareAndSet(null, error);
            }
        });
    }

    @Override
    public void flushAlerts() {
        if (producer != null) {
            producer.flush();
        }
        Exception error = firstAlertError.get();
        if (error != null && alertsFailed.get() > 0) {
            throw new IllegalStateException(alertsFailed.get() + " alerts were not acknowledged by Kafka at "
                    + kafka.get("bootstrap.servers") + " (first: " + error + "); is Kafka up?");
        }
    }

    @Override
    public void timeline(TimelineEntry entry) {
        send(Topics.TIMELINE, entry.incidentId(), entry, ACK);
    }

    private <V> void send(Topic<V> topic, String key, V value, Duration bound) {
        byte[] bytes = topic.valueSerde().serializer().serialize(topic.name(), value);
        try {
            producer().send(new ProducerRecord<>(topic.name(), key, bytes)).get(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not write to " + topic.name() + " (is Kafka up at "
                    + kafka.get("bootstrap.servers") + "?): " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing to " + topic.name(), e);
        }
    }

    private KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            producer = DrillKafka.producer(kafka, "reflex-drill");
        }
        return producer;
    }

    @Override
    public void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
            producer = null;
        }
    }
}
