package io.reflex.ingest.publish;

import static io.reflex.ingest.publish.TestAlerts.alert;
import static io.reflex.ingest.publish.TestAlerts.alertOn;
import static io.reflex.ingest.publish.TestAlerts.largeAnnotations;
import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.reflex.ingest.AlertPublisher;
import io.reflex.model.AlertEvent;
import io.reflex.model.DeadLetter;
import io.reflex.model.Topics;
import io.reflex.testkit.KafkaCluster;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Alerts Kafka will not take, against a real broker whose {@code reflex.alerts} accepts records
 * of at most {@value #TOPIC_MAX_BYTES} bytes: each goes to {@code reflex.alerts.dlq}, cut to fit,
 * in the same transaction as the rest of its request, which is stored exactly once. Read back
 * read_committed, as the rules stage reads.
 */
class DeadLetterIT {

    private static final int TOPIC_MAX_BYTES = 64 << 10;
    private static final Duration QUIET = Duration.ofMillis(500);

    private static KafkaCluster kafka;

    @BeforeAll
    static void start() throws Exception {
        kafka = KafkaCluster.start();
        try (Admin admin = kafka.admin()) {
            admin.createTopics(List.of(new NewTopic(Topics.ALERTS.name(), Topics.ALERTS.partitions(), (short) 1)
                    .configs(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(TOPIC_MAX_BYTES)))))
                    .all().get(1, TimeUnit.MINUTES);
        }
        // Leaves reflex.alerts as it is, creates the dead letter topic and waits for every leader.
        kafka.createTopics(Topics.ALERTS, Topics.ALERTS_DLQ);
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void anAlertOverTheProducerLimitIsDeadLetteredBeforeItsTransactionAndTheRestIsStored() throws Exception {
        PrometheusRegistry registry = new PrometheusRegistry();
        Map<String, Object> props = kafka.clientProps();
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 32 << 10);
        AlertEvent huge = alert("client-huge", largeAnnotations(100 << 10));
        List<AlertEvent> events = List.of(alert("client-a"), huge, alert("client-b"));

        PublishResult result;
        try (AlertPublisher publisher = publisher(props, registry)) {
            result = publisher.publishEach(events).toCompletableFuture().get(1, TimeUnit.MINUTES);
        }

        assertThat(result.stored()).containsExactly(alert("client-a"), alert("client-b"));
        assertThat(result.deadLettered()).singleElement().satisfies(d -> {
            assertThat(d.alert()).isEqualTo(huge);
            assertThat(d.reason()).isEqualTo("record_too_large");
        });
        assertThat(storedIds()).containsOnlyOnce(alert("client-a").id(), alert("client-b").id())
                .doesNotContain(huge.id());
        ConsumerRecord<String, DeadLetter> letter = deadLetter(huge);
        assertThat(letter.key()).isEqualTo(huge.resource().key());
        assertThat(letter.serializedValueSize()).isLessThanOrEqualTo(PublishLimits.DEFAULT_DEAD_LETTER_MAX_BYTES);
        assertThat(letter.value().reason()).isEqualTo("record_too_large");
        assertThat(letter.value().context()).containsEntry("limitBytes", Integer.toString(32 << 10)).containsKey("cut");
        assertThat(letter.value().alert().labels()).isEqualTo(huge.labels());
        assertThat(MetricValues.sample(registry, "reflex_ingest_dead_letters_total", "reason=\"record_too_large\""))
                .isEqualTo(1);
        assertThat(MetricValues.sample(registry, "reflex_ingest_kafka_commit_seconds_count", "outcome=\"committed\""))
                .isEqualTo(1);
    }

    @Test
    void anAlertTheBrokerRefusesIsDeadLetteredAndItsTransactionRetriedWithoutStoringTheRestTwice() throws Exception {
        PrometheusRegistry registry = new PrometheusRegistry();
        // One host: one partition, so the refused record sits between the others in the same transaction.
        AlertEvent before = alertOn("db-shared", "broker-before", Map.of("summary", "first"));
        AlertEvent big = alertOn("db-shared", "broker-big", largeAnnotations(100 << 10));
        AlertEvent after = alertOn("db-shared", "broker-after", Map.of("summary", "last"));

        PublishResult result;
        try (AlertPublisher publisher = publisher(kafka.clientProps(), registry)) {
            result = publisher.publishEach(List.of(before, big, after)).toCompletableFuture().get(1, TimeUnit.MINUTES);
        }

        assertThat(result.stored()).containsExactly(before, after);
        assertThat(result.deadLettered()).singleElement().satisfies(d -> {
            assertThat(d.alert()).isEqualTo(big);
            assertThat(d.reason()).isEqualTo("record_too_large");
            assertThat(d.detail()).contains("RecordTooLargeException").contains("max.message.bytes");
        });
        assertThat(storedIds()).as("the aborted first attempt stays invisible")
                .containsOnlyOnce(before.id(), after.id()).doesNotContain(big.id());
        ConsumerRecord<String, DeadLetter> letter = deadLetter(big);
        assertThat(letter.serializedValueSize()).isLessThanOrEqualTo(PublishLimits.DEFAULT_DEAD_LETTER_MAX_BYTES);
        assertThat(letter.value().context()).containsKey("error");
        assertThat(MetricValues.sample(registry, "reflex_ingest_kafka_commit_seconds_count", "outcome=\"refused\""))
                .isEqualTo(1);
        assertThat(MetricValues.sample(registry, "reflex_ingest_kafka_commit_seconds_count", "outcome=\"committed\""))
                .isEqualTo(1);
    }

    private static AlertPublisher publisher(Map<String, Object> props, PrometheusRegistry registry) {
        return new AlertPublisher(props, PublishLimits.defaults(), Clock.fixed(TestAlerts.NOW, ZoneOffset.UTC),
                new PublisherMetrics(registry));
    }

    private static List<String> storedIds() {
        return kafka.readAll(Topics.ALERTS, QUIET).stream().map(r -> r.value().id()).toList();
    }

    private static ConsumerRecord<String, DeadLetter> deadLetter(AlertEvent alert) {
        List<ConsumerRecord<String, DeadLetter>> letters = kafka.readAll(Topics.ALERTS_DLQ, QUIET).stream()
                .filter(r -> r.value().alert().id().equals(alert.id()))
                .toList();
        assertThat(letters).as("dead letters of " + alert.id()).hasSize(1);
        return letters.get(0);
    }
}
