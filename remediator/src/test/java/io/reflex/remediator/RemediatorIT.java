package io.reflex.remediator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.reflex.connectors.spi.Connectors;
import io.reflex.model.Action;
import io.reflex.model.ActionMode;
import io.reflex.model.ActionResult;
import io.reflex.model.ActionStatus;
import io.reflex.model.ActionType;
import io.reflex.model.RuleRef;
import io.reflex.model.Target;
import io.reflex.model.TimelineEntry;
import io.reflex.model.TimelineKind;
import io.reflex.model.Topics;
import io.reflex.testkit.KafkaCluster;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The remediator against a real broker and a real managed process: each action runs once,
 * however often it is delivered, across a restart of the remediator too.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RemediatorIT {
    private static final Duration QUIET = Duration.ofMillis(500);

    private Path dataDir;

    private KafkaCluster kafka;
    private Vertx vertx;
    private Connectors connectors;

    @BeforeAll
    void start(@TempDir Path dir) {
        dataDir = dir;
        kafka = KafkaCluster.start();
        kafka.createAllTopics();
        vertx = Vertx.vertx();
        // A real OS process with no health endpoint: "healthy" is "still alive after settling".
        connectors = Connectors.load(Map.of("process", Map.of("services",
                Map.of("sleeper", Map.of("command", List.of("sleep", "600"))))), dataDir, Clock.systemUTC());
    }

    @AfterAll
    void stop() {
        connectors.close();
        vertx.close().toCompletionStage().toCompletableFuture().join();
        kafka.close();
    }

    private Remediator remediator() {
        Remediator remediator = new Remediator(RemediatorConfig.defaults(), kafka.clientProps(), connectors, vertx,
                Clock.systemUTC(), new PrometheusRegistry());
        remediator.start();
        return remediator;
    }

    private static Action restart(String id) {
        Instant now = Instant.now();
        return new Action(id, "inc-" + id, new RuleRef("restart", 1), ActionType.RESTART_SERVICE,
                new Target("process", "service", "sleeper"), Map.of(), ActionMode.EXECUTE, false, now,
                now.plusSeconds(60));
    }

    private void deliver(Action action) {
        kafka.send(Topics.ACTIONS, action.target().key(), action);
    }

    private List<ActionStatus> statusesOf(String actionId) {
        return kafka.readAll(Topics.RESULTS, QUIET).stream().map(ConsumerRecord::value)
                .filter(r -> r.actionId().equals(actionId)).map(ActionResult::status).toList();
    }

    private void awaitFinished(String actionId) {
        await(actionId + " finished").atMost(Duration.ofSeconds(60))
                .until(() -> statusesOf(actionId).stream().anyMatch(ActionStatus::terminal));
    }

    @Test
    void eachActionRunsOnceHoweverOftenItIsDeliveredAndAcrossARestart() throws Exception {
        Path pidFile = dataDir.resolve("run/sleeper.pid");
        try (Remediator first = remediator()) {
            deliver(restart("a1"));
            awaitFinished("a1");
            assertThat(statusesOf("a1")).containsExactly(ActionStatus.STARTED, ActionStatus.SUCCEEDED);
            String pidAfterA1 = Files.readString(pidFile);

            // A repeat delivery, then a marker on the same target (same partition, so it is read after the repeat).
            deliver(restart("a1"));
            deliver(restart("m1"));
            awaitFinished("m1");
            assertThat(statusesOf("a1")).containsExactly(ActionStatus.STARTED, ActionStatus.SUCCEEDED);
            assertThat(Files.readString(pidFile)).isNotEqualTo(pidAfterA1); // m1 did restart it
        }

        try (Remediator second = remediator()) {
            deliver(restart("a1"));
            deliver(restart("m2"));
            awaitFinished("m2");
            assertThat(statusesOf("a1")).as("a1 is not run again by a new remediator")
                    .containsExactly(ActionStatus.STARTED, ActionStatus.SUCCEEDED);
        }

        List<TimelineEntry> timeline = kafka.readAll(Topics.TIMELINE, QUIET).stream().map(ConsumerRecord::value)
                .filter(e -> e.incidentId().equals("inc-a1")).toList();
        assertThat(timeline).extracting(TimelineEntry::kind)
                .containsExactly(TimelineKind.ACTION_DISPATCHED, TimelineKind.ACTION_RESULT);
        assertThat(timeline.get(1).summary()).contains("SUCCEEDED").contains("sleeper");
    }

    @Test
    void anUnknownServiceIsRejectedWithItsReasonOnTheTimeline() {
        try (Remediator remediator = remediator()) {
            Instant now = Instant.now();
            Action hostile = new Action("h1", "inc-h1", new RuleRef("restart", 1), ActionType.RESTART_SERVICE,
                    new Target("process", "service", "x; touch /tmp/pwned"), Map.of(), ActionMode.EXECUTE, false, now,
                    now.plusSeconds(60));
            kafka.send(Topics.ACTIONS, hostile.target().key(), hostile);
            awaitFinished("h1");
            assertThat(statusesOf("h1")).endsWith(ActionStatus.REJECTED);
        }
    }
}
