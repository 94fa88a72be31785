package io.reflex.drill;

import static org.assertj.core.api.Assertions.assertThat;

import io.reflex.model.Action;
import io.reflex.model.ActionResult;
import io.reflex.model.ActionStatus;
import io.reflex.model.ActionType;
import io.reflex.model.Incident;
import io.reflex.model.IncidentStatus;
import io.reflex.model.Resource;
import io.reflex.model.Target;
import io.reflex.model.TimelineEntry;
import io.reflex.model.TimelineKind;
import io.reflex.model.Topics;
import io.reflex.testkit.KafkaCluster;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults through connectors over a real Kafka: the drill writes its fault (and undo) actions to
 * {@code reflex.actions} and waits for their results on {@code reflex.results}; the test plays the
 * remediator (and, for the tagging, the rules stage) on the real topics.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FaultActionsIT {
    private KafkaCluster kafka;
    private ServerSocket healthy;
    private ExecutorService remediatorThread;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Action> seen = new CopyOnWriteArrayList<>();
    private Future<?> remediator;
    @TempDir
    Path dataDir;

    @BeforeAll
    void startKafka() {
        kafka = KafkaCluster.start();
        kafka.createAllTopics();
    }

    @AfterAll
    void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @BeforeEach
    void openHealthyPort() throws IOException {
        healthy = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        remediatorThread = Executors.newSingleThreadExecutor();
    }

    @AfterEach
    void stopRemediator() throws Exception {
        stop.set(true);
        if (remediator != null) {
            remediator.get(30, TimeUnit.SECONDS);
        }
        remediatorThread.shutdownNow();
        healthy.close();
    }

    /** Reads every new action and answers the drill's with the result {@code answer} gives (null: none). */
    private void playRemediator(Function<Action, ActionResult> answer) {
        stop.set(false);
        remediator = remediatorThread.submit(() -> {
            try (KafkaConsumer<String, Action> consumer = new KafkaConsumer<>(kafka.clientProps(),
                    Topics.ACTIONS.keySerde().deserializer(), Topics.ACTIONS.valueSerde().deserializer())) {
                List<TopicPartition> partitions = consumer.partitionsFor(Topics.ACTIONS.name()).stream()
                        .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                consumer.assign(partitions);
                consumer.seekToEnd(partitions);
                partitions.forEach(consumer::position);
                while (!stop.get()) {
                    for (ConsumerRecord<String, Action> record : consumer.poll(Duration.ofMillis(100))) {
                        Action action = record.value();
                        seen.add(action);
                        ActionResult result = answer.apply(action);
                        if (result != null) {
                            kafka.send(Topics.RESULTS, action.resultKey(), result);
                        }
                    }
                }
            }
            return null;
        });
    }

    private String drillFile(String name, String fault) {
        return """
                name: %s
                steadyState: {tcp: "127.0.0.1:%d", interval: 200ms}
                fault: %s
                expect: {rule: restart service on ServiceDown, action: start_service}
                slo: 2s
                timeout: 3s
                """.formatted(name, healthy.getLocalPort(), fault);
    }

    private DrillRunner runner() {
        return DrillRunner.connectedTo(new DrillContext(kafka.clientProps(), dataDir, null), Clock.systemUTC());
    }

    private static ActionResult result(Action action, ActionStatus status, String detail) {
        Instant now = Instant.now();
        return new ActionResult(action.id(), action.incidentId(), status, 1, detail, now, now, action.type());
    }

    @Test
    void anSshStopGoesThroughTheRemediatorAndIsUndoneWithAStartAndTheIncidentIsTagged() {
        playRemediator(action -> {
            if (action.rule().name().equals("drill fault")) {
                // Playing the rules stage too: the stop (started now) raised an alert that opened an incident.
                Instant now = Instant.now();
                ActionResult stopped = new ActionResult(action.id(), action.incidentId(), ActionStatus.SUCCEEDED, 1,
                        "stopped nginx on web-1", now, now.plusMillis(20), action.type());
                kafka.send(Topics.INCIDENTS, "inc-ssh", new Incident("inc-ssh", IncidentStatus.OPEN, "nginx down",
                        Resource.of("service", "nginx"), "ServiceDown", now, null, List.of(), List.of()));
                kafka.send(Topics.TIMELINE, "inc-ssh", new TimelineEntry("inc-ssh", now.plusMillis(50),
                        TimelineKind.ALERT_RECEIVED, "ServiceDown on service:nginx", Map.of()));
                return stopped;
            }
            return action.rule().name().equals("drill undo") ? result(action, ActionStatus.SUCCEEDED, "started nginx")
                    : null;
        });
        DrillDefinition drill = DrillFile.parse(drillFile("ssh-stop-nginx",
                "{type: ssh-stop, connector: ssh, host: web-1, service: nginx}"), "ssh.yaml");
        List<String> progress = new CopyOnWriteArrayList<>();
        DrillRunner runner = runner();
        String id = runner.idFor(drill);

        DrillReport report = runner.run(drill, id, (drillId, line) -> progress.add(line));

        List<Action> ours = seen.stream().filter(a -> id.equals(a.label("drillId"))).toList();
        assertThat(ours).extracting(a -> a.rule().name()).containsExactly("drill fault", "drill undo");
        Action fault = ours.get(0);
        assertThat(fault.type()).isEqualTo(ActionType.STOP_SERVICE);
        assertThat(fault.target()).isEqualTo(new Target("ssh", "service", "nginx"));
        assertThat(fault.incidentId()).isEqualTo(id);
        Action undo = ours.get(1);
        assertThat(undo.type()).isEqualTo(ActionType.START_SERVICE);
        assertThat(undo.incidentId()).isEqualTo("inc-ssh");
        assertThat(report.injectedAt()).isNotNull();
        assertThat(report.incidentId()).isEqualTo("inc-ssh");
        // Nobody restarted it (the rule is not there): not graded as healed, so undone.
        assertThat(report.passed()).isFalse();
        assertThat(report.undone()).as(report.undo()).isTrue();
        assertThat(report.undo()).startsWith("start_service service:nginx (connector ssh)");
        assertThat(progress).anySatisfy(line -> assertThat(line).startsWith("injected at "));
        List<TimelineEntry> tags = kafka.readAll(Topics.TIMELINE, Duration.ofSeconds(1)).stream()
                .map(ConsumerRecord::value).filter(e -> e.kind() == TimelineKind.DRILL).toList();
        assertThat(tags).allSatisfy(e -> {
            assertThat(e.incidentId()).isEqualTo("inc-ssh");
            assertThat(e.refs()).containsEntry("drillId", id);
        }).extracting(e -> e.refs().get("phase")).containsExactly("injected", "verdict", "undo");
    }

    @Test
    void aRejectedFaultStopsTheDrillAsCouldNotInject() {
        playRemediator(action -> action.rule().name().startsWith("drill ")
                ? result(action, ActionStatus.REJECTED, "refused by guardrail maintenanceWindow: outside the window")
                : null);
        DrillDefinition drill = DrillFile.parse(drillFile("cordon-worker",
                "{type: cordon, connector: k8s, node: worker-1}"), "cordon.yaml");
        DrillRunner runner = runner();
        String id = runner.idFor(drill);

        DrillReport report = runner.run(drill, id, DrillProgress.NONE);

        assertThat(report.passed()).isFalse();
        assertThat(report.reason()).isEqualTo("could not inject: REJECTED: refused by guardrail maintenanceWindow:"
                + " outside the window");
        assertThat(report.injectedAt()).isNull();
        assertThat(report.undone()).isFalse();
        assertThat(seen.stream().filter(a -> id.equals(a.label("drillId"))))
                .singleElement().satisfies(a -> {
                    assertThat(a.type()).isEqualTo(ActionType.CORDON_NODE);
                    assertThat(a.target()).isEqualTo(new Target("k8s", "node", "worker-1"));
                });
    }
}
