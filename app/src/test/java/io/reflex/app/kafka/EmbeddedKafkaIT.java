package io.reflex.app.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.reflex.model.AlertEvent;
import io.reflex.model.AlertStatus;
import io.reflex.model.Resource;
import io.reflex.model.Topic;
import io.reflex.model.Topics;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaIT {

    private static final Instant STARTS_AT = Instant.parse("2026-01-01T10:00:00Z");

    @TempDir
    Path dataDir;

    @Test
    void restartOnTheSameDataDirKeepsTopicsRecordsAndClusterIdEvenOnOtherPorts() throws Exception {
        AlertEvent alert = alert();
        String firstAddress;
        String clusterId;
        EmbeddedKafka kafka = new EmbeddedKafka(dataDir, 0, 0);
        try {
            kafka.start();
            firstAddress = kafka.bootstrapServers();
            clusterId = kafka.clusterId();
            try (Admin admin = admin(kafka)) {
                assertThat(TopicSetup.ensure(admin, (short) 1))
                        .containsExactlyInAnyOrderElementsOf(Topics.all().stream().map(Topic::name).toList());
            }
            send(kafka, alert);

            assertThat(readAll(kafka, Topics.ALERTS)).containsExactly(alert);
            assertThatThrownBy(() -> new EmbeddedKafka(dataDir, 0, 0).start())
                    .as("a second broker on a data dir in use")
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(dataDir.resolve("kafka").toString())
                    .hasMessageContaining("in use");
        } finally {
            kafka.close();
        }
        kafka.close(); // a second close is a no-op
        assertThatThrownBy(kafka::bootstrapServers).as("address after close").isInstanceOf(IllegalStateException.class);

        int firstBrokerPort = port(firstAddress);
        int firstControllerPort = firstControllerPort();
        int brokerPort = freePortOtherThan(Set.of(firstBrokerPort, firstControllerPort));
        int controllerPort = freePortOtherThan(Set.of(firstBrokerPort, firstControllerPort, brokerPort));
        try (EmbeddedKafka again = new EmbeddedKafka(dataDir, brokerPort, controllerPort)) {
            again.start();

            assertThat(again.bootstrapServers()).isEqualTo("127.0.0.1:" + brokerPort).isNotEqualTo(firstAddress);
            assertThat(again.clusterId()).isEqualTo(clusterId);
            try (Admin admin = admin(again)) {
                assertThat(TopicSetup.ensure(admin, (short) 1)).as("topics created on the second start").isEmpty();
                ConfigResource incidents = new ConfigResource(ConfigResource.Type.TOPIC, Topics.INCIDENTS.name());
                assertThat(admin.describeConfigs(List.of(incidents)).all().get(30, TimeUnit.SECONDS)
                        .get(incidents).get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).isEqualTo("compact");
                assertThat(admin.describeTopics(List.of(Topics.ALERTS.name())).allTopicNames().get(30, TimeUnit.SECONDS)
                        .get(Topics.ALERTS.name()).partitions()).hasSize(Topics.ALERTS.partitions());
            }
            assertThat(readAll(again, Topics.ALERTS)).containsExactly(alert);
        }
    }

    @Test
    void rejectsTheSamePortForBrokerAndController() {
        assertThatThrownBy(() -> new EmbeddedKafka(dataDir, 19092, 19092))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("19092");
    }

    private static Admin admin(EmbeddedKafka kafka) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }

    private static void send(EmbeddedKafka kafka, AlertEvent alert) throws Exception {
        Map<String, Object> props = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all");
        try (var producer = new KafkaProducer<>(props, new StringSerializer(), Topics.ALERTS.valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(Topics.ALERTS.name(), alert.resource().key(), alert))
                    .get(30, TimeUnit.SECONDS);
        }
    }

    /** Every value of the topic from the beginning; waits until at least one arrived. */
    private static <V> List<V> readAll(EmbeddedKafka kafka, Topic<V> topic) {
        Map<String, Object> props = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<V> values = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), topic.valueSerde().deserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic.name(), Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, V> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(record.value());
                }
                return partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
            });
        }
        return values;
    }

    /** The controller port of the last start, from the configuration the broker wrote. */
    private int firstControllerPort() throws IOException {
        Properties props = new Properties();
        try (var in = Files.newInputStream(dataDir.resolve("kafka").resolve("server.properties"))) {
            props.load(in);
        }
        return port(props.getProperty("controller.quorum.voters"));
    }

    private static int port(String hostAndPort) {
        return Integer.parseInt(hostAndPort.substring(hostAndPort.lastIndexOf(':') + 1));
    }

    private static int freePortOtherThan(Set<Integer> taken) throws IOException {
        while (true) {
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
                if (!taken.contains(socket.getLocalPort())) {
                    return socket.getLocalPort();
                }
            }
        }
    }

    private static AlertEvent alert() {
        return new AlertEvent(AlertEvent.idFor("alertmanager", "fp-web-1", STARTS_AT, AlertStatus.FIRING),
                "alertmanager", "HighCPU", AlertStatus.FIRING, "critical", Resource.of("host", "web-1"),
                Map.of("host", "web-1"), Map.of(), STARTS_AT, null, STARTS_AT.plusSeconds(1), "fp-web-1", null);
    }
}
