package io.reflex.ingest.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reflex.model.AlertEvent;
import io.reflex.model.Topics;
import io.reflex.testkit.KafkaCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The one outcome ingest cannot bound, on a real broker: the broker goes away after every record
 * of a transaction is acknowledged and before the commit is confirmed. The writer may not abort
 * then (the commit may have landed); it retries the commit until the broker is back, and the
 * records are there exactly once.
 */
class KafkaBatchWriterIT {

    private KafkaCluster kafka;
    private KafkaBatchWriter writer;

    @BeforeEach
    void start() {
        kafka = KafkaCluster.start();
        kafka.createTopics(Topics.ALERTS);
    }

    @AfterEach
    void stop() {
        if (writer != null) {
            writer.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void aCommitUnconfirmedWhileTheBrokerIsDownIsRetriedUntilItLandsOnce() throws Exception {
        Map<String, Object> props = kafka.clientProps();
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 2_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 3_000);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "reflex-ingest-writer-it");
        AtomicInteger commits = new AtomicInteger();
        AtomicBoolean armed = new AtomicBoolean();
        writer = new KafkaBatchWriter(() -> producer(props, commits, armed), "reflex-ingest-writer-it",
                Duration.ofSeconds(4), Duration.ofSeconds(5), PublisherMetrics.unregistered());
        writer.write(records("warm-up", 1));
        List<TopicRecord> batch = records("in-doubt", 3);
        commits.set(0);
        armed.set(true);

        // Its first commit stops the broker (every record acknowledged by then) before asking for the commit.
        CompletableFuture<Void> write = CompletableFuture.runAsync(() -> {
            try {
                writer.write(batch);
            } catch (RecordsRefusedException | WriteFailedException e) {
                throw new CompletionException(e);
            }
        });
        try {
            await("commit retried while the broker is down").atMost(Duration.ofMinutes(1))
                    .until(() -> commits.get() >= 3);
            assertThat(write).isNotDone();
        } finally {
            kafka.restartBroker();
        }
        write.get(2, TimeUnit.MINUTES);

        List<String> stored = kafka.readAll(Topics.ALERTS, Duration.ofSeconds(1)).stream()
                .map(r -> r.value().id()).toList();
        assertThat(stored).containsOnlyOnce(batch.stream().map(KafkaBatchWriterIT::id).toArray(String[]::new));
        assertThat(stored).hasSize(4);
    }

    private Producer<String, byte[]> producer(Map<String, Object> props, AtomicInteger commits, AtomicBoolean armed) {
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer()) {
            @Override
            public void commitTransaction() {
                commits.incrementAndGet();
                if (armed.compareAndSet(true, false)) {
                    kafka.stopBroker();
                }
                super.commitTransaction();
            }
        };
    }

    private static List<TopicRecord> records(String prefix, int count) {
        return TestAlerts.alerts(prefix, count).stream()
                .map(alert -> new TopicRecord(Topics.ALERTS.name(), alert.resource().key(),
                        Topics.ALERTS.valueSerde().serializer().serialize(Topics.ALERTS.name(), alert)))
                .toList();
    }

    private static String id(TopicRecord record) {
        AlertEvent alert = Topics.ALERTS.valueSerde().deserializer().deserialize(record.topic(), record.value());
        return alert.id();
    }
}
