package io.reflex.rules;

import static io.reflex.rules.Alerts.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.reflex.model.Action;
import io.reflex.model.AlertEvent;
import io.reflex.model.AlertStatus;
import io.reflex.model.Incident;
import io.reflex.model.Topics;
import io.reflex.testkit.KafkaCluster;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rules stage against a real broker, with exactly-once processing and persistent state. */
class RulesStageIT {
    private static final Duration START_BOUND = Duration.ofSeconds(60);
    private static final Duration QUIET = Duration.ofMillis(300);
    private static KafkaCluster kafka;

    @TempDir
    Path stateDir;

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

    private RulesStage stage(RulesConfig config) {
        return new RulesStage(config, kafka.clientProps(), stateDir, Clock.systemUTC(), new PrometheusRegistry());
    }

    private static List<Action> actionsOn(String targetKey) {
        return kafka.readAll(Topics.ACTIONS, QUIET).stream()
                .filter(r -> r.key().equals(targetKey))
                .map(ConsumerRecord::value)
                .toList();
    }

    private static void sendRaw(String key, String value) {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(kafka.clientProps(), new StringSerializer(),
                new StringSerializer())) {
            producer.send(new ProducerRecord<>(Topics.ALERTS.name(), key, value));
        }
    }

    @Test
    void decidesAnAlertOnceEvenWhenItIsRedeliveredAfterARestart() {
        RulesConfig config = new RulesConfig("reflex-rules-it", null, null, null, null, null);
        AlertEvent alert = Alerts.serviceDown("demo-shop", AlertStatus.FIRING, T0);
        String key = alert.resource().key();

        String firstActionId;
        try (RulesStage stage = stage(config)) {
            stage.start();
            await().atMost(START_BOUND).until(stage::running);

            sendRaw(key, "{ this is not an alert");
            kafka.send(Topics.ALERTS, key, alert);

            await().atMost(START_BOUND).pollInterval(200, TimeUnit.MILLISECONDS)
                    .until(() -> actionsOn(key).size() == 1);
            Action action = actionsOn(key).get(0);
            assertThat(action.target().name()).isEqualTo("demo-shop");
            assertThat(action.incidentId()).isEqualTo(Incident.idFor(alert.resource(), alert.name(), alert.id()));
            firstActionId = action.id();
        }

        try (RulesStage restarted = stage(config)) {
            restarted.start();
            await().atMost(START_BOUND).until(restarted::running);

            kafka.send(Topics.ALERTS, key, alert);
            // Same key, so the same partition and task: once its action shows, the redelivery before it was read.
            AlertEvent later = Alerts.serviceDown("demo-shop", AlertStatus.FIRING, T0.plusSeconds(300));
            kafka.send(Topics.ALERTS, key, later);

            await().atMost(START_BOUND).pollInterval(200, TimeUnit.MILLISECONDS)
                    .until(() -> actionsOn(key).size() >= 2);
            List<Action> actions = actionsOn(key);
            assertThat(actions).extracting(Action::id).hasSize(2).startsWith(firstActionId).doesNotHaveDuplicates();
            assertThat(actions.get(1).incidentId()).isEqualTo(actions.get(0).incidentId());
        }
    }

    @Test
    void stageThatIsNotStartedIsNotRunningAndClosesTwice() {
        RulesStage stage = stage(new RulesConfig("reflex-rules-it-idle", null, null, null, null, null));
        assertThat(stage.running()).isFalse();
        stage.close();
        stage.close();
        assertThat(stage.running()).isFalse();
    }
}
