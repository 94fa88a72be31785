package io.reflex.remediator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.reflex.connectors.spi.Connector;
import io.reflex.connectors.spi.Outcome;
import io.reflex.connectors.spi.Reconciliation;
import io.reflex.model.Action;
import io.reflex.model.ActionMode;
import io.reflex.model.ActionResult;
import io.reflex.model.ActionStatus;
import io.reflex.model.ActionType;
import io.reflex.model.RuleRef;
import io.reflex.model.Target;
import io.reflex.model.TimelineEntry;
import io.reflex.model.TimelineKind;
import io.reflex.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The dispatch engine on a hand-moved clock: steps run inline, waits run when the test moves time. */
class DispatcherTest {
    private static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");
    private final MutableClock clock = new MutableClock(NOW);
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final List<ActionResult> results = new CopyOnWriteArrayList<>();
    private final List<TimelineEntry> timeline = new CopyOnWriteArrayList<>();
    private final List<Action> executed = new CopyOnWriteArrayList<>();
    private final Deque<Object> outcomes = new ArrayDeque<>();
    private final Map<String, ActionLedger.Entry> ledger = new HashMap<>();
    private Reconciliation reconciliation;
    private final List<Instant> reconciledFrom = new CopyOnWriteArrayList<>();
    private GateDecision gateDecision = GateDecision.allow();
    private final CountDownLatch connectorEntered = new CountDownLatch(1);
    private final AtomicBoolean connectorInterrupted = new AtomicBoolean();
    private volatile boolean connectorBlocks;
    private ExecutorService pool;

    private final Connector process = new Connector() {
        @Override
        public String name() {
            return "process";
        }

        @Override
        public Outcome execute(Action action) throws InterruptedException {
            executed.add(action);
            if (connectorBlocks) {
                connectorEntered.countDown();
                try {
                    new CountDownLatch(1).await();
                } catch (InterruptedException e) {
                    connectorInterrupted.set(true);
                    throw e;
                }
            }
            Object next = outcomes.isEmpty() ? Outcome.succeeded("restarted") : outcomes.poll();
            if (next instanceof RuntimeException e) {
                throw e;
            }
            return (Outcome) next;
        }

        @Override
        public Reconciliation reconcile(Action action, Instant startedAt) {
            reconciledFrom.add(startedAt);
            return reconciliation;
        }
    };

    @AfterEach
    void stopPool() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }

    private Dispatcher dispatcher(RemediatorConfig config, Executor workers) {
        return new Dispatcher(name -> name.equals("process") ? Optional.of(process) : Optional.empty(),
                Set.of("process"), new Dispatcher.Reporter() {
                    @Override
                    public CompletableFuture<Void> result(String key, ActionResult result) {
                        results.add(result);
                        return CompletableFuture.completedFuture(null);
                    }

                    @Override
                    public CompletableFuture<Void> timeline(TimelineEntry entry) {
                        timeline.add(entry);
                        return CompletableFuture.completedFuture(null);
                    }
                }, clock, new RemediatorMetrics(new PrometheusRegistry()), action -> gateDecision,
                id -> Optional.ofNullable(ledger.get(id)), config, workers, scheduler);
    }

    private Dispatcher dispatcher(RemediatorConfig config) {
        return dispatcher(config, Runnable::run);
    }

    private Dispatcher dispatcher() {
        return dispatcher(RemediatorConfig.defaults());
    }

    private static RemediatorConfig config(Map<String, Duration> timeouts, RemediatorConfig.Retries retries,
            RemediatorConfig.CircuitBreaker breaker) {
        return new RemediatorConfig(null, null, null, null, null, Duration.ofSeconds(5), timeouts, retries, breaker,
                null, null, null);
    }

    private static Action action(String id, String connector, ActionMode mode, Instant deadline) {
        return new Action(id, "inc-1", new RuleRef("restart", 1), ActionType.RESTART_SERVICE,
                new Target(connector, "service", "demo-shop"), Map.of(), mode, false, NOW, deadline);
    }

    private static Action restart(String id) {
        return action(id, "process", ActionMode.EXECUTE, NOW.plus(Duration.ofHours(1)));
    }

    private List<ActionStatus> statuses() {
        return results.stream().map(ActionResult::status).toList();
    }

    private List<ActionResult> terminal() {
        return results.stream().filter(r -> r.status().terminal()).toList();
    }

    private List<TimelineEntry> entries(TimelineKind kind) {
        return timeline.stream().filter(e -> e.kind() == kind).toList();
    }

    @Test
    void runsTheActionAndReportsStartAndSuccessOnResultsAndTimeline() {
        Dispatcher.Job job = dispatcher().dispatch(restart("act-1"));
        assertThat(job.done()).isCompletedWithValue(Dispatcher.End.FINISHED);
        assertThat(executed).hasSize(1);
        assertThat(statuses()).containsExactly(ActionStatus.STARTED, ActionStatus.SUCCEEDED);
        assertThat(timeline).extracting(TimelineEntry::kind)
                .containsExactly(TimelineKind.ACTION_DISPATCHED, TimelineKind.ACTION_RESULT);
        assertThat(results.get(1).detail()).isEqualTo("restarted");
    }

    @Test
    void aRepeatedActionIdRunsOnce() {
        Dispatcher dispatcher = dispatcher();
        dispatcher.dispatch(restart("act-1"));
        assertThat(dispatcher.dispatch(restart("act-1")).done()).isCompletedWithValue(Dispatcher.End.REPEAT);
        assertThat(executed).hasSize(1);
    }

    @Test
    void anActionFinishedBeforeARestartDoesNotRunAgain() {
        ledger.put("act-1", new ActionLedger.Entry(true, NOW.minusSeconds(60), 1));
        assertThat(dispatcher().dispatch(restart("act-1")).done()).isCompletedWithValue(Dispatcher.End.REPEAT);
        assertThat(executed).isEmpty();
        assertThat(results).isEmpty();
    }

    @Test
    void anActionPastItsDeadlineTimesOutWithoutRunning() {
        dispatcher().dispatch(action("act-1", "process", ActionMode.EXECUTE, NOW.minusSeconds(1)));
        assertThat(executed).isEmpty();
        assertThat(statuses()).containsExactly(ActionStatus.TIMED_OUT);
        assertThat(entries(TimelineKind.ACTION_RESULT).get(0).summary()).contains("TIMED_OUT").contains("deadline");
    }

    @Test
    void aDryRunIsSkippedAndSaysWhatItWouldHaveDone() {
        dispatcher().dispatch(action("act-1", "process", ActionMode.DRY_RUN, NOW.plusSeconds(60)));
        assertThat(executed).isEmpty();
        assertThat(statuses()).containsExactly(ActionStatus.SKIPPED);
        assertThat(results.get(0).detail()).contains("would restart_service service:demo-shop");
    }

    @Test
    void anUnknownConnectorFailsAndNamesTheConfiguredOnes() {
        dispatcher().dispatch(action("act-1", "kubernetes", ActionMode.EXECUTE, NOW.plusSeconds(60)));
        assertThat(statuses()).containsExactly(ActionStatus.FAILED);
        assertThat(results.get(0).detail()).contains("'kubernetes'").contains("[process]");
    }

    @Test
    void anEscalationWithoutAPagingConnectorIsSkippedAndSaysNobodyWasPaged() {
        Action escalate = new Action("act-1", "inc-1", new RuleRef("still down", 1), ActionType.ESCALATE,
                new Target("http", "service", "demo-shop"), Map.of("reason", "still down"), ActionMode.EXECUTE, false,
                NOW, NOW.plusSeconds(60));
        dispatcher().dispatch(escalate);
        assertThat(executed).isEmpty();
        assertThat(statuses()).containsExactly(ActionStatus.SKIPPED);
        assertThat(results.get(0).detail()).startsWith("escalation recorded on the incident; nobody was paged")
                .contains("'http'");
    }

    @Test
    void aRefusalByTheConnectorIsReportedAsRejected() {
        outcomes.add(Outcome.refused("service name 'x; rm' is not allowed"));
        dispatcher().dispatch(restart("act-1"));
        assertThat(statuses()).containsExactly(ActionStatus.STARTED, ActionStatus.REJECTED);
        assertThat(entries(TimelineKind.ACTION_RESULT).get(0).summary()).contains("REJECTED").contains("not allowed");
    }

    @Test
    void retriesARetriableFailureWithExponentialBackoffThenSucceeds() {
        outcomes.add(Outcome.failed("not healthy yet", true));
        outcomes.add(Outcome.failed("still not healthy", true));
        Dispatcher.Job job = dispatcher().dispatch(restart("act-1"));

        assertThat(executed).hasSize(1);
        assertThat(entries(TimelineKind.ACTION_RESULT)).extracting(TimelineEntry::summary)
                .containsExactly("restart_service service:demo-shop attempt 1 of 3 failed: not healthy yet, retrying in 1s");
        scheduler.advance(Duration.ofMillis(999));
        assertThat(executed).hasSize(1);
        scheduler.advance(Duration.ofMillis(1));
        assertThat(executed).hasSize(2);
        assertThat(entries(TimelineKind.ACTION_RESULT).get(1).summary()).endsWith("retrying in 2s");
        scheduler.advance(Duration.ofMillis(1999));
        assertThat(executed).hasSize(2);
        scheduler.advance(Duration.ofMillis(1));

        assertThat(executed).hasSize(3);
        assertThat(job.done()).isCompletedWithValue(Dispatcher.End.FINISHED);
        assertThat(results).filteredOn(r -> r.status() == ActionStatus.STARTED).extracting(ActionResult::attempt)
                .containsExactly(1, 2, 3);
        assertThat(terminal()).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo(ActionStatus.SUCCEEDED);
            assertThat(r.attempt()).isEqualTo(3);
        });
    }

    @Test
    void givesUpAfterMaxAttemptsWithOneTerminalResult() {
        outcomes.add(Outcome.failed("down", true));
        outcomes.add(Outcome.failed("down", true));
        outcomes.add(Outcome.failed("still down", true));
        dispatcher().dispatch(restart("act-1"));
        scheduler.advance(Duration.ofSeconds(10));
        assertThat(executed).hasSize(3);
        assertThat(terminal()).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo(ActionStatus.FAILED);
            assertThat(r.detail()).contains("still down").contains("attempt 3 of 3");
        });
    }

    @Test
    void aNonRetriableFailureIsNotRetried() {
        outcomes.add(Outcome.failed("no such executable", false));
        dispatcher().dispatch(restart("act-1"));
        scheduler.advance(Duration.ofMinutes(5));
        assertThat(executed).hasSize(1);
        assertThat(statuses()).containsExactly(ActionStatus.STARTED, ActionStatus.FAILED);
        assertThat(scheduler.pending()).isZero();
    }

    @Test
    void anExceptionFromTheConnectorIsARetriableFailure() {
        outcomes.add(new IllegalStateException("boom"));
        dispatcher().dispatch(restart("act-1"));
        assertThat(entries(TimelineKind.ACTION_RESULT).get(0).summary()).contains("boom").contains("retrying in 1s");
        scheduler.advance(Duration.ofSeconds(1));
        assertThat(terminal()).extracting(ActionResult::status).containsExactly(ActionStatus.SUCCEEDED);
    }

    @Test
    void aConnectorThatOverrunsItsTypeTimeoutIsInterruptedAndTimedOut() {
        pool = Executors.newSingleThreadExecutor();
        connectorBlocks = true;
        Dispatcher dispatcher = dispatcher(config(Map.of("restart_service", Duration.ofMinutes(2)), null, null), pool);
        Dispatcher.Job job = dispatcher.dispatch(restart("act-1"));
        await().atMost(Duration.ofSeconds(10)).until(() -> connectorEntered.getCount() == 0);
        assertThat(executed.get(0).deadline()).as("the connector gets the type's deadline, not the action's hour")
                .isEqualTo(NOW.plus(Duration.ofMinutes(2)));

        scheduler.advance(Duration.ofMinutes(2).plusSeconds(4));
        assertThat(terminal()).isEmpty();
        scheduler.advance(Duration.ofSeconds(1));

        assertThat(terminal()).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo(ActionStatus.TIMED_OUT);
            assertThat(r.detail()).contains("did not finish").contains(NOW.plus(Duration.ofMinutes(2)).toString());
        });
        await().atMost(Duration.ofSeconds(10)).untilTrue(connectorInterrupted);
        assertThat(job.done()).succeedsWithin(Duration.ofSeconds(10)).isEqualTo(Dispatcher.End.FINISHED);
        assertThat(entries(TimelineKind.ACTION_RESULT)).singleElement()
                .satisfies(e -> assertThat(e.summary()).contains("TIMED_OUT"));
    }

    @Test
    void theCircuitBreakerOpensAfterNFailuresHoldsThenLetsOneTrialThrough() {
        Dispatcher dispatcher = dispatcher(config(Map.of(), new RemediatorConfig.Retries(1, null, null),
                new RemediatorConfig.CircuitBreaker(2, Duration.ofMinutes(1))));
        outcomes.add(Outcome.failed("down", true));
        outcomes.add(Outcome.failed("down", true));
        dispatcher.dispatch(restart("a1"));
        dispatcher.dispatch(restart("a2"));
        assertThat(executed).hasSize(2);

        Dispatcher.Job held = dispatcher.dispatch(restart("a3"));
        assertThat(executed).as("the open breaker holds a3").hasSize(2);
        assertThat(entries(TimelineKind.GUARDRAIL)).singleElement().satisfies(e -> assertThat(e.summary())
                .contains("circuit open for connector process after 2 failures until " + NOW.plus(Duration.ofMinutes(1))));
        assertThat(held.done()).isNotDone();

        outcomes.add(Outcome.failed("still down", true));
        scheduler.advance(Duration.ofMinutes(1));
        assertThat(executed).as("half-open: a3 is the trial").hasSize(3);
        assertThat(held.done()).isCompletedWithValue(Dispatcher.End.FINISHED);

        Dispatcher.Job next = dispatcher.dispatch(restart("a4"));
        assertThat(executed).as("the failed trial opened the breaker again").hasSize(3);
        assertThat(entries(TimelineKind.GUARDRAIL)).hasSize(2);
        scheduler.advance(Duration.ofMinutes(1));
        assertThat(executed).hasSize(4);
        assertThat(next.done()).isCompletedWithValue(Dispatcher.End.FINISHED);

        dispatcher.dispatch(restart("a5"));
        assertThat(executed).as("the successful trial closed the breaker").hasSize(5);
        assertThat(terminal()).extracting(ActionResult::actionId, ActionResult::status).containsExactly(
                org.assertj.core.groups.Tuple.tuple("a1", ActionStatus.FAILED),
                org.assertj.core.groups.Tuple.tuple("a2", ActionStatus.FAILED),
                org.assertj.core.groups.Tuple.tuple("a3", ActionStatus.FAILED),
                org.assertj.core.groups.Tuple.tuple("a4", ActionStatus.SUCCEEDED),
                org.assertj.core.groups.Tuple.tuple("a5", ActionStatus.SUCCEEDED));
    }

    @Test
    void aHeldActionRunsOnceWhenTheGateAllowsItLaterAndWritesOneGuardrailEntry() {
        gateDecision = GateDecision.hold("kill-switch", "paused by alice", NOW.plus(Duration.ofMinutes(5)));
        Dispatcher.Job job = dispatcher().dispatch(restart("act-1"));
        assertThat(executed).isEmpty();
        assertThat(results).isEmpty();
        assertThat(entries(TimelineKind.GUARDRAIL)).singleElement()
                .satisfies(e -> assertThat(e.summary()).contains("kill-switch").contains("paused by alice"));

        gateDecision = GateDecision.hold("kill-switch", "paused by alice", NOW.plus(Duration.ofMinutes(10)));
        scheduler.advance(Duration.ofMinutes(5));
        assertThat(executed).isEmpty();
        assertThat(entries(TimelineKind.GUARDRAIL)).as("once per hold, not per re-check").hasSize(1);

        gateDecision = GateDecision.allow();
        scheduler.advance(Duration.ofMinutes(5));
        assertThat(executed).hasSize(1);
        assertThat(job.done()).isCompletedWithValue(Dispatcher.End.FINISHED);
        assertThat(terminal()).extracting(ActionResult::status).containsExactly(ActionStatus.SUCCEEDED);
        scheduler.advance(Duration.ofHours(2));
        assertThat(executed).hasSize(1);
    }

    @Test
    void anActionHeldPastItsDeadlineIsSkippedWithTheHoldsReason() {
        gateDecision = GateDecision.hold("maintenance-window", "window db-upgrade until 12:00",
                NOW.plus(Duration.ofHours(2)));
        dispatcher().dispatch(action("act-1", "process", ActionMode.EXECUTE, NOW.plus(Duration.ofMinutes(10))));
        scheduler.advance(Duration.ofMinutes(9));
        assertThat(results).isEmpty();
        scheduler.advance(Duration.ofMinutes(1));
        assertThat(executed).isEmpty();
        assertThat(terminal()).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo(ActionStatus.SKIPPED);
            assertThat(r.detail()).contains("maintenance-window").contains("window db-upgrade until 12:00");
        });
    }

    @Test
    void aRefusalByTheGateIsRejectedWithAGuardrailEntry() {
        gateDecision = GateDecision.refuse("rate-limit", "3 restarts of service:demo-shop in the last hour (limit 3)");
        dispatcher().dispatch(restart("act-1"));
        assertThat(executed).isEmpty();
        assertThat(statuses()).containsExactly(ActionStatus.REJECTED);
        assertThat(results.get(0).detail()).contains("rate-limit").contains("limit 3");
        assertThat(entries(TimelineKind.GUARDRAIL)).singleElement()
                .satisfies(e -> assertThat(e.summary()).contains("rate-limit").contains("limit 3"));
    }

    @Test
    void anEscalationIsSkippedWithAnEscalatedEntry() {
        gateDecision = GateDecision.escalate("flapping", "remediated 4 times in 30m");
        dispatcher().dispatch(restart("act-1"));
        assertThat(executed).isEmpty();
        assertThat(statuses()).containsExactly(ActionStatus.SKIPPED);
        assertThat(entries(TimelineKind.GUARDRAIL)).hasSize(1);
        assertThat(entries(TimelineKind.ESCALATED)).singleElement()
                .satisfies(e -> assertThat(e.summary()).contains("remediated 4 times"));
    }

    @Test
    void aDryRunByTheGateIsSkippedAndSaysWhatItWouldHaveDone() {
        gateDecision = GateDecision.dryRun("dry-run", "rule restart is in dry run");
        dispatcher().dispatch(restart("act-1"));
        assertThat(executed).isEmpty();
        assertThat(terminal()).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo(ActionStatus.SKIPPED);
            assertThat(r.detail()).startsWith("dry run").contains("would restart_service service:demo-shop");
        });
        assertThat(entries(TimelineKind.GUARDRAIL)).hasSize(1);
    }

    @Test
    void aStartedActionWhoseEffectIsInPlaceIsReportedSucceededWithoutRunning() {
        Instant startedAt = NOW.minusSeconds(30);
        ledger.put("act-1", new ActionLedger.Entry(false, startedAt, 1));
        reconciliation = Reconciliation.applied("pid 42 started after the action");
        dispatcher().dispatch(restart("act-1"));
        assertThat(executed).isEmpty();
        assertThat(reconciledFrom).containsExactly(startedAt);
        assertThat(statuses()).containsExactly(ActionStatus.SUCCEEDED);
        assertThat(results.get(0).detail()).isEqualTo("reconciled after a restart: pid 42 started after the action");
        assertThat(results.get(0).startedAt()).isEqualTo(startedAt);
    }

    @Test
    void aStartedActionWithoutEffectRunsAsItsNextAttempt() {
        ledger.put("act-1", new ActionLedger.Entry(false, NOW.minusSeconds(30), 1));
        reconciliation = Reconciliation.notApplied("not running");
        dispatcher().dispatch(restart("act-1"));
        assertThat(executed).hasSize(1);
        assertThat(statuses()).containsExactly(ActionStatus.STARTED, ActionStatus.SUCCEEDED);
        assertThat(results.get(0).attempt()).isEqualTo(2);
    }

    @Test
    void aStartedActionTheConnectorCannotJudgeFailsForAPersonAndDoesNotRun() {
        ledger.put("act-1", new ActionLedger.Entry(false, NOW.minusSeconds(30), 1));
        reconciliation = Reconciliation.unknown("pid file unreadable");
        dispatcher().dispatch(restart("act-1"));
        scheduler.advance(Duration.ofMinutes(5));
        assertThat(executed).isEmpty();
        assertThat(terminal()).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo(ActionStatus.FAILED);
            assertThat(r.detail()).contains("cannot tell whether it took effect").contains("pid file unreadable")
                    .endsWith("check by hand");
        });
    }

    @Test
    void cancellingAHeldActionAbandonsItWithoutAResult() {
        gateDecision = GateDecision.hold("kill-switch", "paused", NOW.plus(Duration.ofMinutes(5)));
        Dispatcher.Job job = dispatcher().dispatch(restart("act-1"));
        job.cancel();
        assertThat(job.done()).isCompletedWithValue(Dispatcher.End.ABANDONED);
        assertThat(scheduler.pending()).isZero();
        assertThat(results).isEmpty();
    }
}
