package io.reflex.rules.replay;

import static io.reflex.rules.replay.ReplayAlerts.alert;
import static io.reflex.rules.replay.ReplayAlerts.restartTakenFor;
import static org.assertj.core.api.Assertions.assertThat;

import io.reflex.model.Action;
import io.reflex.model.ActionType;
import io.reflex.model.AlertEvent;
import io.reflex.model.Topic;
import io.reflex.model.Topics;
import io.reflex.rules.RuleCompiler;
import io.reflex.rules.replay.ReplayReport.Decision;
import io.reflex.rules.replay.ReplayReport.Row;
import io.reflex.rules.replay.ReplayReport.Summary;
import io.reflex.testkit.KafkaCluster;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Replays a candidate ruleset over history recorded on a real broker and checks the known differences. */
class ReplayIT {
    private static final Duration READ_BOUND = Duration.ofSeconds(60);
    private static KafkaCluster kafka;

    /*
     * Recent, so the broker's retention keeps the records; whole minutes, so the range is easy to read
     * in a failure. Nothing depends on the wall clock but that.
     */
    private static final Instant FROM = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.MINUTES);
    private static final Instant TO = FROM.plus(Duration.ofMinutes(10));

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
    void candidateDiffersFromTheDemoRulesExactlyWhereItShould() throws Exception {
        AlertEvent warningDown = alert("ServiceDown", "shop", "warning", FROM.plusSeconds(10));
        AlertEvent highCpu = alert("HighCPU", "cart", "critical", FROM.plusSeconds(20));
        AlertEvent criticalDown = alert("ServiceDown", "cart", "critical", FROM.plusSeconds(30));
        AlertEvent beforeRange = alert("ServiceDown", "old", "critical", FROM.minusSeconds(30));
        AlertEvent afterRange = alert("ServiceDown", "late", "warning", TO.plusSeconds(5));

        // The history the demo rules recorded: each ServiceDown restarted, at its own time.
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(kafka.clientProps(), new StringSerializer(),
                new ByteArraySerializer())) {
            for (AlertEvent a : List.of(beforeRange, warningDown, highCpu, criticalDown, afterRange)) {
                send(producer, Topics.ALERTS, a.resource().key(), a, a.receivedAt());
            }
            // A redelivery of an alert already decided: the stage dropped it, so must the replay.
            send(producer, Topics.ALERTS, criticalDown.resource().key(), criticalDown, FROM.plusSeconds(40));
            for (AlertEvent a : List.of(warningDown, criticalDown, afterRange)) {
                Action taken = restartTakenFor(a);
                send(producer, Topics.ACTIONS, taken.target().key(), taken, a.receivedAt());
            }
            // Decided in the range (after a broker outage, say) for an alert from before it: listed, not compared.
            Action late = restartTakenFor(beforeRange);
            send(producer, Topics.ACTIONS, late.target().key(), late, FROM.plusSeconds(5));
        }

        Replay replay = new Replay(kafka.clientProps(), READ_BOUND);
        ReplayReport report = replay.run(FROM, TO, "candidate.drl", ReplayAlerts.CANDIDATE);

        Decision restartShop = new Decision(ActionType.RESTART_SERVICE, "service:shop", ReplayAlerts.DEMO_RULE);
        Decision restartCart = new Decision(ActionType.RESTART_SERVICE, "service:cart", ReplayAlerts.DEMO_RULE);
        Decision restartCartNew = new Decision(ActionType.RESTART_SERVICE, "service:cart",
                "restart critical service on ServiceDown");
        Decision notifyOps = new Decision(ActionType.NOTIFY, "channel:ops", "notify on HighCPU");
        assertThat(report.rows()).containsExactlyInAnyOrder(
                new Row(warningDown.id(), "ServiceDown", "service:shop", List.of(restartShop), List.of()),
                new Row(highCpu.id(), "HighCPU", "service:cart", List.of(), List.of(notifyOps)),
                new Row(criticalDown.id(), "ServiceDown", "service:cart", List.of(restartCart),
                        List.of(restartCartNew)));
        assertThat(report.summary()).isEqualTo(new Summary(1, 1, 1));
        assertThat(report.alertsRead()).isEqualTo(3);
        assertThat(report.duplicatesDropped()).isEqualTo(1);
        assertThat(report.unattributed()).containsExactly(
                new Decision(ActionType.RESTART_SERVICE, "service:old", ReplayAlerts.DEMO_RULE));
        assertThat(report.failures()).isEmpty();

        // The demo rules themselves replay to what was recorded: the history above is what they decide.
        ReplayReport demo = replay.run(FROM, TO, "the demo package", RuleCompiler.demoPackage());
        assertThat(demo.summary()).isEqualTo(new Summary(2, 0, 0));
    }

    private static <V> void send(KafkaProducer<String, byte[]> producer, Topic<V> topic, String key, V value,
            Instant timestamp) throws Exception {
        byte[] bytes = topic.valueSerde().serializer().serialize(topic.name(), value);
        producer.send(new ProducerRecord<>(topic.name(), null, timestamp.toEpochMilli(), key, bytes))
                .get(READ_BOUND.toSeconds(), TimeUnit.SECONDS);
    }
}
