package io.reflex.remediator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The remediator against a real broker and real managed processes: each action runs once,
 * however often it is delivered, across a restart, with two remediators in one group, and
 * after a crash in the middle of an action.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RemediatorIT {
    private static final Duration QUIET = Duration.ofMillis(300);
    private static final List<String> WORKERS = List.of("w1", "w2", "w3", "w4", "w5", "w6");

    private Path dataDir;
    private KafkaCluster kafka;
    private Vertx vertx;
    private Connectors connectors;
    private CountingConnector process;

    @BeforeAll
    void start(@TempDir Path dir) {
        dataDir = dir;
        kafka = KafkaCluster.start();
        kafka.createAllTopics();
        vertx = Vertx.vertx();
        // Real OS processes with no health endpoint: "healthy" is "still alive after settling".
        Map<String, Object> services = new LinkedHashMap<>();
        for (String name : concat(List.of("sleeper", "crashy"), WORKERS)) {
            services.put(name, Map.of("command", List.of("sleep", "600")));
        }
        connectors = Connectors.create(List.of(CountingConnector.provider(c -> process = c)),
                Map.of("process", Map.of("services", services)), dataDir, Clock.systemUTC());
    }

    @AfterAll
    void stop() {
        connectors.close();
        vertx.close().toCompletionStage().toCompletableFuture().join();
        kafka.close();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private Remediator remediator(String group) {
        return remediator(group, ActionGate.ALLOW_ALL);
    }

    private Remediator remediator(String group, ActionGate gate) {
        return remediator(group, gate, new PrometheusRegistry());
    }

    private Remediator remediator(String group, ActionGate gate, PrometheusRegistry registry) {
        RemediatorConfig config = new RemediatorConfig(group, null, null, null, Duration.ofMillis(200), null, null,
                null, null, null, null, null);
        Remediator remediator = new Remediator(config, kafka.clientProps(), connectors, vertx, Clock.systemUTC(),
                registry, gate, ActivityListener.NONE);
        remediator.start();
        return remediator;
    }

    private static Action restart(String id, String service) {
        Instant now = Instant.now();
        return new Action(id, "inc-" + id, new RuleRef("restart", 1), ActionType.RESTART_SERVICE,
                new Target("process", "service", service), Map.of(), ActionMode.EXECUTE, false, now,
                now.plusSeconds(60));
    }

    private void deliver(Action action) {
        kafka.send(Topics.ACTIONS, action.target().key(), action);
    }

    private List<ActionResult> results() {
        return kafka.readAll(Topics.RESULTS, QUIET).stream().map(ConsumerRecord::value).toList();
    }

    private List<ActionStatus> statusesOf(String actionId) {
        return results().stream().filter(r -> r.actionId().equals(actionId)).map(ActionResult::status).toList();
    }

    private void awaitFinished(String actionId) {
        await(actionId + " finished").atMost(Duration.ofSeconds(45))
                .until(() -> statusesOf(actionId).stream().anyMatch(ActionStatus::terminal));
    }

    @Test
    void eachActionRunsOnceHoweverOftenItIsDeliveredAndAcrossARestart() throws Exception {
        Path pidFile = dataDir.resolve("run/sleeper.pid");
        try (Remediator first = remediator("it-restart")) {
            deliver(restart("a1", "sleeper"));
            awaitFinished("a1");
            assertThat(statusesOf("a1")).containsExactly(ActionStatus.STARTED, ActionStatus.SUCCEEDED);
            String pidAfterA1 = Files.readString(pidFile);

            // A repeat delivery, then a marker on the same target (same partition, so it is read after the repeat).
            deliver(restart("a1", "sleeper"));
            deliver(restart("m1", "sleeper"));
            awaitFinished("m1");
            assertThat(statusesOf("a1")).containsExactly(ActionStatus.STARTED, ActionStatus.SUCCEEDED);
            assertThat(Files.readString(pidFile)).isNotEqualTo(pidAfterA1); // m1 did restart it
        }

        try (Remediator second = remediator("it-restart")) {
            deliver(restart("a1", "sleeper"));
            deliver(restart("m2", "sleeper"));
            awaitFinished("m2");
            assertThat(statusesOf("a1")).as("a1 is not run again by a new remediator")
                    .containsExactly(ActionStatus.STARTED, ActionStatus.SUCCEEDED);
        }
        assertThat(process.runs("a1")).isEqualTo(1);

        List<TimelineEntry> timeline = kafka.readAll(Topics.TIMELINE, QUIET).stream().map(ConsumerRecord::value)
                .filter(e -> e.incidentId().equals("inc-a1")).toList();
        assertThat(timeline).extracting(TimelineEntry::kind)
                .containsExactly(TimelineKind.ACTION_DISPATCHED, TimelineKind.ACTION_RESULT);
        assertThat(timeline.get(1).summary()).contains("SUCCEEDED").contains("sleeper");
    }

    @Test
    void aHeldActionKeepsOnlyItsOwnTargetWaitingAndRunsInOrderOnceReleased() {
        AtomicBoolean paused = new AtomicBoolean(true);
        AtomicInteger heldChecks = new AtomicInteger();
        // Re-checked every 200 ms while paused: the GUARDRAIL entry must still be written once.
        ActionGate gate = action -> {
            if (paused.get() && action.target().name().equals("w1")) {
                heldChecks.incrementAndGet();
                return GateDecision.hold("kill-switch", "paused by the test", Instant.now().plusMillis(200));
            }
            return GateDecision.allow();
        };
        try (Remediator remediator = remediator("it-hold", gate)) {
            deliver(restart("hold-w1-a", "w1"));
            deliver(restart("hold-w1-b", "w1"));
            deliver(restart("hold-w2", "w2"));
            deliver(restart("hold-w3", "w3"));
            awaitFinished("hold-w2");
            awaitFinished("hold-w3");
            await("several re-checks of the hold").atMost(Duration.ofSeconds(10)).until(() -> heldChecks.get() >= 4);
            assertThat(statusesOf("hold-w1-a")).as("held: nothing started").isEmpty();
            assertThat(statusesOf("hold-w1-b")).as("queued behind the held one").isEmpty();

            paused.set(false);
            awaitFinished("hold-w1-b");
        }
        List<ActionResult> w1 = results().stream().filter(r -> r.actionId().startsWith("hold-w1-")).toList();
        assertThat(w1).extracting(ActionResult::actionId, ActionResult::status).containsExactly(
                tuple("hold-w1-a", ActionStatus.STARTED), tuple("hold-w1-a", ActionStatus.SUCCEEDED),
                tuple("hold-w1-b", ActionStatus.STARTED), tuple("hold-w1-b", ActionStatus.SUCCEEDED));
        List<TimelineEntry> guardrail = kafka.readAll(Topics.TIMELINE, QUIET).stream().map(ConsumerRecord::value)
                .filter(e -> e.incidentId().equals("inc-hold-w1-a") && e.kind() == TimelineKind.GUARDRAIL).toList();
        assertThat(guardrail).singleElement()
                .satisfies(e -> assertThat(e.summary()).contains("kill-switch").contains("paused by the test"));
    }

    @Test
    void anUnknownServiceIsRejectedWithItsReasonOnTheTimeline() {
        try (Remediator remediator = remediator("it-hostile")) {
            deliver(restart("h1", "x; touch /tmp/pwned"));
            awaitFinished("h1");
            assertThat(statusesOf("h1")).endsWith(ActionStatus.REJECTED);
        }
    }

    @Test
    void twoRemediatorsInOneGroupRunEachActionExactlyOnceWhenOneStopsMidway() {
        List<Action> actions = new ArrayList<>();
        for (int round = 0; round < 6; round++) {
            for (String worker : WORKERS) {
                actions.add(restart("two-" + worker + "-" + round, worker));
            }
        }
        List<String> ids = actions.stream().map(Action::id).toList();
        PrometheusRegistry firstMetrics = new PrometheusRegistry();
        PrometheusRegistry secondMetrics = new PrometheusRegistry();
        Remediator first = remediator("it-two", ActionGate.ALLOW_ALL, firstMetrics);
        try (Remediator second = remediator("it-two", ActionGate.ALLOW_ALL, secondMetrics)) {
            try {
                await("both remediators own partitions").atMost(Duration.ofSeconds(30))
                        .until(() -> !first.assignment().isEmpty() && !second.assignment().isEmpty());
                actions.forEach(this::deliver);
                await("a third of the actions finished").atMost(Duration.ofSeconds(45)).until(() ->
                        terminalCounts(ids).values().stream().mapToLong(Long::longValue).sum() >= 12);
            } finally {
                first.close(); // mid-way: its queued and held actions go to the second
            }
            double byFirst = finished(firstMetrics);
            assertThat(byFirst).as("the first one finished some before it stopped").isPositive();
            assertThat(byFirst).as("and left some to the second").isLessThan(ids.size());
            await("every action finished").atMost(Duration.ofSeconds(45)).until(() ->
                    terminalCounts(ids).size() == ids.size());
            assertThat(finished(firstMetrics) + finished(secondMetrics)).isEqualTo(ids.size());
        }

        Map<String, Long> terminal = terminalCounts(ids);
        assertThat(terminal).as("exactly one terminal result per action").hasSize(ids.size())
                .allSatisfy((id, count) -> assertThat(count).as(id).isEqualTo(1L));
        assertThat(results()).filteredOn(r -> ids.contains(r.actionId()) && r.status().terminal())
                .extracting(ActionResult::status).containsOnly(ActionStatus.SUCCEEDED);
        assertThat(ids).allSatisfy(id -> assertThat(process.runs(id)).as("runs of " + id).isEqualTo(1));
    }

    /** Actions a remediator finished, from its reflex_remediator_actions_total counter. */
    private static double finished(PrometheusRegistry registry) {
        return registry.scrape().stream()
                .filter(s -> s instanceof CounterSnapshot && s.getMetadata().getName().equals("reflex_remediator_actions"))
                .flatMap(s -> ((CounterSnapshot) s).getDataPoints().stream())
                .mapToDouble(CounterSnapshot.CounterDataPointSnapshot::getValue).sum();
    }

    private Map<String, Long> terminalCounts(List<String> ids) {
        return results().stream().filter(r -> ids.contains(r.actionId()) && r.status().terminal())
                .collect(Collectors.groupingBy(ActionResult::actionId, Collectors.counting()));
    }

    @Test
    void aRemediatorKilledMidActionIsReconciledOnRestartWithoutRunningItAgain() throws Exception {
        Path pidFile = dataDir.resolve("run/crashy.pid");
        Action action = restart("crash-1", "crashy");
        process.hangAfter(action.id());
        Remediator doomed = remediator("it-crash");
        String pidAfterRun;
        try {
            deliver(action);
            assertThat(process.applied().await(45, TimeUnit.SECONDS)).as("the restart was done").isTrue();
            pidAfterRun = Files.readString(pidFile);
        } finally {
            doomed.abort();
        }
        process.hangAfter(null);
        assertThat(statusesOf(action.id())).as("the crash left a start without a result")
                .containsExactly(ActionStatus.STARTED);

        try (Remediator restarted = remediator("it-crash")) {
            awaitFinished(action.id());
        }
        List<ActionResult> results = results().stream().filter(r -> r.actionId().equals(action.id())).toList();
        assertThat(results).extracting(ActionResult::status)
                .containsExactly(ActionStatus.STARTED, ActionStatus.SUCCEEDED);
        assertThat(results.get(1).detail()).startsWith("reconciled after a restart: ");
        assertThat(process.reconciled(action.id())).isEqualTo(1);
        assertThat(process.runs(action.id())).as("not run a second time").isEqualTo(1);
        assertThat(Files.readString(pidFile)).as("the process was not restarted again").isEqualTo(pidAfterRun);
    }
}
