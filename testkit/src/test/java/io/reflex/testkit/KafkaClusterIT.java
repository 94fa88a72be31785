package io.reflex.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reflex.model.AlertEvent;
import io.reflex.model.AlertStatus;
import io.reflex.model.Resource;
import io.reflex.model.Topic;
import io.reflex.model.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class KafkaClusterIT {

    private static final Duration QUIET = Duration.ofMillis(500);

    private static KafkaCluster kafka;

    @BeforeAll
    static void startKafka() {
        kafka = KafkaCluster.start();
        kafka.createAllTopics();
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void createsEveryReflexTopicWithItsPartitionsAndCompaction() throws Exception {
        try (Admin admin = kafka.admin()) {
            List<String> names = Topics.all().stream().map(Topic::name).toList();
            var descriptions = admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS);
            for (Topic<?> topic : Topics.all()) {
                assertThat(descriptions.get(topic.name()).partitions()).as(topic.name()).hasSize(topic.partitions());
            }
            ConfigResource incidents = new ConfigResource(ConfigResource.Type.TOPIC, Topics.INCIDENTS.name());
            ConfigResource alerts = new ConfigResource(ConfigResource.Type.TOPIC, Topics.ALERTS.name());
            Map<ConfigResource, Config> configs =
                    admin.describeConfigs(List.of(incidents, alerts)).all().get(30, TimeUnit.SECONDS);
            assertThat(configs.get(incidents).get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).isEqualTo("compact");
            assertThat(configs.get(alerts).get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).isEqualTo("delete");
        }
    }

    @Test
    void createTopicsLeavesExistingTopicsAlone() {
        Topic<String> topic = freshTopic();
        kafka.send(topic, "k", "kept");

        kafka.createTopics(topic);

        assertThat(kafka.readAll(topic, QUIET)).extracting(ConsumerRecord::value).containsExactly("kept");
    }

    @Test
    void readsBackWhatWasSentInOrderPerKey() {
        Topic<String> topic = freshTopic();
        kafka.send(topic, "k", "one");
        kafka.send(topic, "k", "two");
        kafka.send(topic, "other", "three");

        List<ConsumerRecord<String, String>> read = kafka.readAll(topic, QUIET);

        assertThat(read).extracting(ConsumerRecord::value).containsExactlyInAnyOrder("one", "two", "three");
        assertThat(read).filteredOn(r -> r.key().equals("k")).extracting(ConsumerRecord::value)
                .containsExactly("one", "two");
    }

    @Test
    void sendsAndReadsModelRecordsWithTheTopicSerde() {
        AlertEvent alert = alert("web-1");
        kafka.send(Topics.ALERTS, alert.resource().key(), alert);

        assertThat(kafka.readAll(Topics.ALERTS, QUIET))
                .filteredOn(r -> r.key().equals("host:web-1"))
                .extracting(ConsumerRecord::value)
                .containsExactly(alert);
    }

    @Test
    void readAllSkipsAbortedTransactions() {
        Topic<String> topic = freshTopic();
        Map<String, Object> props = kafka.clientProps();
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "it-" + UUID.randomUUID());
        try (var producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic.name(), "k", "aborted"));
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic.name(), "k", "committed"));
            producer.commitTransaction();
        }

        assertThat(kafka.readAll(topic, QUIET)).extracting(ConsumerRecord::value).containsExactly("committed");
    }

    @Test
    void brokerRestartKeepsDataAndAddress() {
        Topic<String> topic = freshTopic();
        kafka.send(topic, "k", "before");
        String address = kafka.bootstrapServers();

        kafka.stopBroker();
        try (var producer = new KafkaProducer<>(Map.<String, Object>of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, address,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 1000), new StringSerializer(), new StringSerializer())) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(topic.name(), "k", "while down")).get())
                    .as("a send while the broker is stopped")
                    .hasRootCauseInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
        }
        kafka.restartBroker();

        assertThat(kafka.bootstrapServers()).isEqualTo(address);
        kafka.send(topic, "k", "after");
        assertThat(kafka.readAll(topic, QUIET)).extracting(ConsumerRecord::value).containsExactly("before", "after");
    }

    /** A one-partition topic of its own, so tests do not see each other's records. */
    private static Topic<String> freshTopic() {
        Topic<String> topic = new Topic<>("it." + UUID.randomUUID(), Serdes.String(), 1, false);
        kafka.createTopics(topic);
        return topic;
    }

    private static AlertEvent alert(String host) {
        Instant startsAt = Instant.parse("2026-01-01T10:00:00Z");
        return new AlertEvent(AlertEvent.idFor("alertmanager", "fp-" + host, startsAt, AlertStatus.FIRING),
                "alertmanager", "HighCPU", AlertStatus.FIRING, "critical", Resource.of("host", host),
                Map.of("host", host), Map.of(), startsAt, null, startsAt.plusSeconds(1), "fp-" + host, null);
    }
}
