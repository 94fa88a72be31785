package io.reflex.remediator;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.reflex.connectors.spi.Connector;
import io.reflex.connectors.spi.Outcome;
import io.reflex.connectors.spi.Reconciliation;
import io.reflex.model.Action;
import io.reflex.model.ActionMode;
import io.reflex.model.ActionResult;
import io.reflex.model.ActionStatus;
import io.reflex.model.ActionType;
import io.reflex.model.Approval;
import io.reflex.model.RuleRef;
import io.reflex.model.Target;
import io.reflex.model.TimelineEntry;
import io.reflex.model.TimelineKind;
import io.reflex.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Approvals and the rotate_patch workflow in the dispatcher, on a hand-moved clock, steps inline. */
class DispatcherApprovalAndRolloutTest {
    private static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");
    private final MutableClock clock = new MutableClock(NOW);
    private final List<ActionResult> results = new CopyOnWriteArrayList<>();
    private final List<TimelineEntry> timeline = new CopyOnWriteArrayList<>();
    private final List<Approval> parked = new CopyOnWriteArrayList<>();
    private final List<Action> executed = new CopyOnWriteArrayList<>();
    private final List<Action> rolledOut = new CopyOnWriteArrayList<>();
    private final Map<String, Approval> book = new HashMap<>();
    private GateDecision gateDecision = GateDecision.allow();
    private Outcome rolloutOutcome = Outcome.succeeded("patched 6 members in 3 batches");

    private final Connector process = new Connector() {
        @Override
        public String name() {
            return "process";
        }

        @Override
        public Outcome execute(Action action) {
            executed.add(action);
            return Outcome.succeeded("isolated");
        }

        @Override
        public Reconciliation reconcile(Action action, Instant startedAt) {
            throw new AssertionError("not expected");
        }
    };

    private Dispatcher dispatcher() {
        Dispatcher.Rollouts rollouts = (action, listener) -> {
            rolledOut.add(action);
            listener.step(action.incidentId(), "batch 1/3: restart_service service:web-1 SUCCEEDED",
                    Map.of("batch", "1", "member", "web-1"));
            if (rolloutOutcome.status() == ActionStatus.FAILED) {
                listener.escalate(action.incidentId(), "gate failed for web-3");
            }
            return rolloutOutcome;
        };
        Dispatcher.ApprovalBook approvals = new Dispatcher.ApprovalBook() {
            @Override
            public Optional<Approval> lookup(String actionId) {
                return Optional.ofNullable(book.get(actionId));
            }

            @Override
            public Duration expireAfter() {
                return Duration.ofHours(1);
            }
        };
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

                    @Override
                    public CompletableFuture<Void> approval(Approval approval) {
                        parked.add(approval);
                        return CompletableFuture.completedFuture(null);
                    }
                }, clock, new RemediatorMetrics(new PrometheusRegistry()), action -> gateDecision,
                id -> Optional.empty(), RemediatorConfig.defaults(), Runnable::run, new ManualScheduler(clock),
                rollouts, approvals);
    }

    private static Action isolate(String id) {
        return new Action(id, "inc-1", new RuleRef("isolate", 1), ActionType.ISOLATE_HOST,
                new Target("process", "host", "web-1"), Map.of(), ActionMode.EXECUTE, true, NOW,
                NOW.plusSeconds(300));
    }

    private static Action rotate(String id) {
        return new Action(id, "inc-2", new RuleRef("patch", 1), ActionType.ROTATE_PATCH,
                new Target("process", "group", "web"), Map.of("patch", "cve-1"), ActionMode.EXECUTE, false, NOW,
                NOW.plusSeconds(600));
    }

    private List<TimelineKind> kinds() {
        return timeline.stream().map(TimelineEntry::kind).toList();
    }

    @Test
    void anActionNeedingApprovalIsParkedNotRunAndItsRecordIsDone() {
        Dispatcher dispatcher = dispatcher();
        assertThat(dispatcher.dispatch(isolate("act-1")).done()).isCompletedWithValue(Dispatcher.End.FINISHED);
        assertThat(executed).isEmpty();
        assertThat(results).extracting(ActionResult::status).containsExactly(ActionStatus.AWAITING_APPROVAL);
        assertThat(kinds()).containsExactly(TimelineKind.APPROVAL);
        assertThat(parked).singleElement().satisfies(a -> {
            assertThat(a.state()).isEqualTo(Approval.State.AWAITING);
            assertThat(a.expiresAt()).isEqualTo(NOW.plus(Duration.ofHours(1)));
        });
        // Delivered again (before or after the approvals topic was read back): not parked twice.
        assertThat(dispatcher.dispatch(isolate("act-1")).done()).isCompletedWithValue(Dispatcher.End.REPEAT);
        book.put("act-1", parked.get(0));
        assertThat(dispatcher().dispatch(isolate("act-1")).done()).isCompletedWithValue(Dispatcher.End.REPEAT);
        assertThat(parked).hasSize(1);
    }

    @Test
    void anApprovedActionRunsThroughTheGateWithItsDeadlineCountedFromTheApproval() {
        Approval request = Approval.request(isolate("act-1"), NOW, NOW.plus(Duration.ofHours(1)));
        clock.advance(Duration.ofMinutes(30)); // past the action's own 5-minute deadline
        Approval approved = request.decide(Approval.State.APPROVED, "alice", clock.instant(), "confirmed");
        Dispatcher dispatcher = dispatcher();
        dispatcher.decided(approved, CompletableFuture.completedFuture(null));
        assertThat(executed).singleElement().satisfies(a -> assertThat(a.deadline())
                .isEqualTo(NOW.plus(Duration.ofMinutes(35))));
        assertThat(results).extracting(ActionResult::status)
                .containsExactly(ActionStatus.STARTED, ActionStatus.SUCCEEDED);
        assertThat(timeline.get(0).kind()).isEqualTo(TimelineKind.APPROVAL);
        assertThat(timeline.get(0).summary()).contains("approved by alice: confirmed");
    }

    @Test
    void anApprovedActionIsStillSubjectToTheGuardrails() {
        Approval approved = Approval.request(isolate("act-1"), NOW, NOW.plus(Duration.ofHours(1)))
                .decide(Approval.State.APPROVED, "alice", NOW, null);
        gateDecision = GateDecision.refuse("rateLimit:isolations", "3 isolations within 1h");
        dispatcher().decided(approved, CompletableFuture.completedFuture(null));
        assertThat(executed).isEmpty();
        assertThat(results).extracting(ActionResult::status).containsExactly(ActionStatus.REJECTED);
        assertThat(kinds()).contains(TimelineKind.APPROVAL, TimelineKind.GUARDRAIL);
    }

    @Test
    void aRejectedOrExpiredApprovalIsReportedWithWhoAndWhy() {
        Approval request = Approval.request(isolate("act-1"), NOW, NOW.plus(Duration.ofHours(1)));
        Dispatcher dispatcher = dispatcher();
        dispatcher.decided(request.decide(Approval.State.REJECTED, "bob", NOW, "wrong host"),
                CompletableFuture.completedFuture(null));
        Approval other = Approval.request(isolate("act-2"), NOW, NOW.plus(Duration.ofHours(1)));
        dispatcher.decided(other.decide(Approval.State.EXPIRED, "reflex", NOW.plus(Duration.ofHours(1)),
                "approval expired after 1h"), CompletableFuture.completedFuture(null));
        assertThat(executed).isEmpty();
        assertThat(results).extracting(ActionResult::actionId, ActionResult::status, ActionResult::detail)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("act-1", ActionStatus.REJECTED, "rejected by bob: wrong host"),
                        org.assertj.core.groups.Tuple.tuple("act-2", ActionStatus.SKIPPED,
                                "approval expired after 1h; nothing was done"));
        assertThat(timeline).filteredOn(e -> e.kind() == TimelineKind.APPROVAL).hasSize(2);
    }

    @Test
    void rotatePatchGoesToThePatchRolloutAndItsStepsToTheTimeline() {
        dispatcher().dispatch(rotate("act-9"));
        assertThat(rolledOut).extracting(Action::id).containsExactly("act-9");
        assertThat(executed).isEmpty();
        assertThat(results).extracting(ActionResult::status)
                .containsExactly(ActionStatus.STARTED, ActionStatus.SUCCEEDED);
        assertThat(timeline).filteredOn(e -> e.summary().startsWith("batch 1/3")).singleElement()
                .satisfies(e -> {
                    assertThat(e.kind()).isEqualTo(TimelineKind.ACTION_RESULT);
                    assertThat(e.refs()).containsEntry("actionId", "act-9").containsEntry("member", "web-1");
                });
    }

    @Test
    void aHaltedRolloutEscalatesAndIsNotRetried() {
        rolloutOutcome = Outcome.failed("halted: gate failed for web-3", true);
        dispatcher().dispatch(rotate("act-9"));
        assertThat(rolledOut).hasSize(1);
        assertThat(results).extracting(ActionResult::status).containsExactly(ActionStatus.STARTED, ActionStatus.FAILED);
        assertThat(timeline).filteredOn(e -> e.kind() == TimelineKind.ESCALATED).singleElement()
                .satisfies(e -> assertThat(e.summary()).contains("gate failed for web-3"));
    }
}
