package io.reflex.app.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.reflex.model.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link EmbeddedKafka#restart()}: same ports, same data, and clients opened before carry on. */
class EmbeddedKafkaRestartIT {
    private static final Duration BOUND = Duration.ofSeconds(60);

    @TempDir
    Path dataDir;

    @Test
    void restartKeepsThePortsFoundAtStartAndTheDataAndClientsReconnect() throws Exception {
        EmbeddedKafka kafka = new EmbeddedKafka(dataDir, 0, 0);
        assertThatThrownBy(kafka::restart).as("restart before start").isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not running");
        try (kafka) {
            kafka.start();
            String address = kafka.bootstrapServers();
            String clusterId = kafka.clusterId();
            String voters = serverProperty("controller.quorum.voters");
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, address))) {
                TopicSetup.ensure(admin, (short) 1);
            }
            try (KafkaProducer<String, String> producer = producer(address)) {
                producer.send(new ProducerRecord<>(Topics.ALERTS.name(), "k", "before")).get(30, TimeUnit.SECONDS);

                kafka.restart();

                assertThat(kafka.bootstrapServers()).isEqualTo(address);
                assertThat(kafka.clusterId()).isEqualTo(clusterId);
                assertThat(serverProperty("controller.quorum.voters")).as("the controller port").isEqualTo(voters);
                // The producer opened before the restart, not a new one: clients reconnect by themselves.
                producer.send(new ProducerRecord<>(Topics.ALERTS.name(), "k", "after")).get(60, TimeUnit.SECONDS);
            }
            assertThat(readAll(address)).containsExactly("before", "after");
            assertThatThrownBy(() -> new EmbeddedKafka(dataDir, 0, 0).start())
                    .as("the data dir stays locked across the restart")
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("in use");
        }
        assertThatThrownBy(kafka::restart).as("restart after close").isInstanceOf(IllegalStateException.class);
    }

    private String serverProperty(String name) throws Exception {
        Properties props = new Properties();
        try (var in = Files.newInputStream(dataDir.resolve("kafka/server.properties"))) {
            props.load(in);
        }
        return props.getProperty(name);
    }

    private static KafkaProducer<String, String> producer(String address) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, address,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
                new StringSerializer(), new StringSerializer());
    }

    private static List<String> readAll(String address) {
        List<String> values = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, address,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new StringDeserializer())) {
            TopicPartition partition = consumer.partitionsFor(Topics.ALERTS.name(), BOUND).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .filter(p -> consumer.endOffsets(List.of(p)).get(p) > 0)
                    .findFirst().orElseThrow();
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            await().atMost(BOUND).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
                return consumer.position(partition) >= end;
            });
        }
        return values;
    }
}
