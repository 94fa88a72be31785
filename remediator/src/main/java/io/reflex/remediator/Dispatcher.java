package io.reflex.remediator;

import io.reflex.connectors.spi.Connector;
import io.reflex.connectors.spi.Outcome;
import io.reflex.connectors.spi.Reconciliation;
import io.reflex.model.Action;
import io.reflex.model.ActionType;
import io.reflex.model.Approval;
import io.reflex.model.ActionMode;
import io.reflex.model.ActionResult;
import io.reflex.model.ActionStatus;
import io.reflex.model.TimelineEntry;
import io.reflex.model.TimelineKind;
import io.reflex.remediator.guard.Rehearsals;
import io.reflex.remediator.guard.Verdict;
import io.reflex.remediator.rollout.RolloutListener;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Carries one action through its life: deadline, mode, gate (guardrails), circuit breaker,
 * execution with a timeout, retries with backoff, and reconciliation of an action a previous
 * process started but never finished. Every step that decides something is reported as a result
 * and a timeline entry. Knows nothing of Kafka: what it reports goes to a {@link Reporter}.
 *
 * <p>A DRY_RUN action with the label {@code drillId} is a drill's rehearsal: judged by that
 * drill's {@link Rehearsals} (never by the gate, never by a connector, never waiting), it ends
 * SKIPPED with what would have happened. Other DRY_RUN and SHADOW actions end SKIPPED unjudged.
 *
 * <p>Non-blocking for its caller: each step runs as a task on the worker executor, and waits
 * (a hold, a backoff, an open breaker) are timers on the {@link Scheduler}, so a held action
 * occupies no worker. The caller (the remediator) runs one action per target at a time.
 */
final class Dispatcher {
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
    /** How long a STARTED result may take to be acknowledged before the action is given up (and re-delivered). */
    private static final Duration STARTED_ACK_TIMEOUT = Duration.ofSeconds(30);
    /** When the gate itself fails, the action is held and asked again after this long. */
    private static final Duration GATE_ERROR_RETRY = Duration.ofSeconds(10);

    /** Where results and timeline entries go; each future completes when the write is durable. */
    interface Reporter {
        CompletableFuture<Void> result(String key, ActionResult result);

        CompletableFuture<Void> timeline(TimelineEntry entry);

        /** Parks an action that needs approval on {@code reflex.approvals}. */
        default CompletableFuture<Void> approval(Approval approval) {
            return CompletableFuture.failedFuture(new UnsupportedOperationException(
                    "this reporter cannot park actions for approval"));
        }
    }

    /** Runs a {@code rotate_patch} action (the patch rollout workflow) instead of a connector. */
    @FunctionalInterface
    interface Rollouts {
        Outcome run(Action action, RolloutListener listener) throws InterruptedException;
    }

    /** What the approvals topic says of an action, and how long a request waits. */
    interface ApprovalBook {
        /** Knows no approval: every action that needs one asks anew. */
        ApprovalBook NONE = new ApprovalBook() {
            @Override
            public Optional<Approval> lookup(String actionId) {
                return Optional.empty();
            }

            @Override
            public Duration expireAfter() {
                return Duration.ofHours(1);
            }
        };

        Optional<Approval> lookup(String actionId);

        Duration expireAfter();
    }

    /** How a job ended. */
    enum End {
        /** A terminal result was written and acknowledged: its record is done. */
        FINISHED,
        /** The action had finished before (a repeat delivery): nothing was written. */
        REPEAT,
        /** Given up without a terminal result (cancelled on revoke, shutdown, a write failed): deliver it again. */
        ABANDONED
    }

    /** The tunables, taken from {@link RemediatorConfig}. */
    record Settings(RemediatorConfig config) {
        int maxAttempts() {
            return config.retries().maxAttempts();
        }

        Duration backoff(int failedAttempt) {
            Duration backoff = config.retries().initialBackoff();
            for (int i = 1; i < failedAttempt && backoff.compareTo(config.retries().maxBackoff()) < 0; i++) {
                backoff = backoff.multipliedBy(2);
            }
            return backoff.compareTo(config.retries().maxBackoff()) > 0 ? config.retries().maxBackoff() : backoff;
        }
    }

    private final Function<String, Optional<Connector>> connectors;
    private final Set<String> connectorNames;
    private final Reporter reporter;
    private final Clock clock;
    private final RemediatorMetrics metrics;
    private final ActionGate gate;
    private final ActionLedger ledger;
    private final Settings settings;
    private final Executor workers;
    private final Scheduler scheduler;
    private final CircuitBreakers breakers;
    /** Null: {@code rotate_patch} goes to its target's connector like any action. */
    private final Rollouts rollouts;
    private final ApprovalBook approvals;
    /** Judges drills' dry runs; null: they end SKIPPED unjudged like any dry run. */
    private final Rehearsals rehearsals;
    /** Parked for approval here; the approvals view learns of them once it reads them back. */
    private final Set<String> requested = ConcurrentHashMap.newKeySet();
    /** Finished here; the ledger learns of them only once the observer reads them back. */
    private final Set<String> finished = ConcurrentHashMap.newKeySet();

    Dispatcher(Function<String, Optional<Connector>> connectors, Set<String> connectorNames, Reporter reporter,
            Clock clock, RemediatorMetrics metrics, ActionGate gate, ActionLedger ledger, RemediatorConfig config,
            Executor workers, Scheduler scheduler) {
        this(connectors, connectorNames, reporter, clock, metrics, gate, ledger, config, workers, scheduler, null,
                ApprovalBook.NONE);
    }

    /**
     * @param rollouts  runs {@code rotate_patch} actions; null sends them to their connector
     * @param approvals the approvals known (read from {@code reflex.approvals})
     */
    Dispatcher(Function<String, Optional<Connector>> connectors, Set<String> connectorNames, Reporter reporter,
            Clock clock, RemediatorMetrics metrics, ActionGate gate, ActionLedger ledger, RemediatorConfig config,
            Executor workers, Scheduler scheduler, Rollouts rollouts, ApprovalBook approvals) {
        this(connectors, connectorNames, reporter, clock, metrics, gate, ledger, config, workers, scheduler, rollouts,
                approvals, null);
    }

    /** @param rehearsals judges drills' dry runs (DRY_RUN with label drillId); null leaves them unjudged */
    Dispatcher(Function<String, Optional<Connector>> connectors, Set<String> connectorNames, Reporter reporter,
            Clock clock, RemediatorMetrics metrics, ActionGate gate, ActionLedger ledger, RemediatorConfig config,
            Executor workers, Scheduler scheduler, Rollouts rollouts, ApprovalBook approvals, Rehearsals rehearsals) {
        this.rehearsals = rehearsals;
        this.rollouts = rollouts;
        this.approvals = approvals;
        this.connectors = connectors;
        this.connectorNames = connectorNames;
        this.reporter = reporter;
        this.clock = clock;
        this.metrics = metrics;
        this.gate = gate;
        this.ledger = ledger;
        this.settings = new Settings(config);
        this.workers = workers;
        this.scheduler = scheduler;
        this.breakers = new CircuitBreakers(config.circuitBreaker().failures(), config.circuitBreaker().coolDown());
    }

    /** Held jobs, so a switch changed (resume, silence ended, release) lets them look again at once. */
    private final Set<Job> holding = ConcurrentHashMap.newKeySet();

    /** Checks every held action again now, instead of at its hold's end. */
    void recheckHeld() {
        for (Job job : List.copyOf(holding)) {
            job.wake();
        }
    }

    /** Starts the action's job now. */
    Job dispatch(Action action) {
        return dispatch(action, CompletableFuture.completedFuture(null));
    }

    /** Starts the action's job once {@code ready} completes (the observer has caught up with its partition). */
    Job dispatch(Action action, CompletionStage<?> ready) {
        return start(new Job(action, null), ready);
    }

    /**
     * Carries out a decided approval once {@code ready} completes: an approved action runs
     * through the guardrails like any other, with a deadline as long as it had when it was
     * created, counted from the approval; a rejected or expired one gets its result.
     */
    Job decided(Approval decision, CompletionStage<?> ready) {
        Action action = decision.action();
        if (decision.state() == Approval.State.APPROVED) {
            Duration window = Duration.between(action.createdAt(), action.deadline());
            action = action.withDeadline(decision.decidedAt().plus(window.isNegative() ? Duration.ZERO : window));
        }
        return start(new Job(action, decision), ready);
    }

    private Job start(Job job, CompletionStage<?> ready) {
        ready.whenComplete((ignored, error) -> {
            if (error != null) {
                job.abandon("the results could not be read: " + error);
            } else {
                job.submit(job::begin);
            }
        });
        return job;
    }

    /** One action on its way; {@link #done()} completes once, never exceptionally. */
    final class Job {
        private final Action action;
        private final String what;
        private final CompletableFuture<End> done = new CompletableFuture<>();
        private final List<CompletableFuture<Void>> writes = new ArrayList<>();
        private volatile boolean cancelled;
        private boolean begun;
        private Scheduler.Scheduled waiting;
        private boolean heldCounted;
        private int attempt;
        /** The guardrail (or breaker) holding the action, so a re-check does not write its entry again. */
        private String holdKey;
        private String holdReason;
        /** The decision on its approval, for an action that needed one; null otherwise. */
        private final Approval decision;

        /** The drill that caused the action (its label), or null. */
        private final String drillId;
        /** Whether it is a drill's rehearsal, judged by the rehearsal guardrails. */
        private final boolean rehearsal;

        private Job(Action action, Approval decision) {
            this.action = action;
            this.drillId = action.label(Rehearsals.DRILL_ID);
            this.rehearsal = rehearsals != null && Rehearsals.drillOf(action) != null;
            this.decision = decision;
            this.what = action.type().wireName() + " " + action.target().key();
        }

        Action action() {
            return action;
        }

        CompletableFuture<End> done() {
            return done;
        }

        /**
         * Gives the action up unless a connector is working on it: a held or backing-off action
         * ends ABANDONED at once (no result: the next owner of its partition takes it up); a
         * running one finishes its attempt and then ends.
         */
        void cancel() {
            Scheduler.Scheduled timer;
            boolean idle;
            synchronized (this) {
                cancelled = true;
                timer = waiting;
                waiting = null;
                idle = !begun; // still waiting for the observer, or queued for a worker
            }
            if (idle || timer != null && timer.cancel()) {
                abandon("cancelled while waiting");
            }
        }

        /** A held job checks again now; one not held (running, backing off) is left alone. */
        private void wake() {
            Scheduler.Scheduled timer;
            synchronized (this) {
                timer = waiting;
                if (timer == null || cancelled || holdKey == null) {
                    return;
                }
            }
            if (timer.cancel()) {
                synchronized (this) {
                    waiting = null;
                }
                submit(this::check);
            }
        }

        /** Whether a step may run; once it has, {@link #cancel()} leaves the job to end by itself. */
        private synchronized boolean enter() {
            if (cancelled) {
                return false;
            }
            begun = true;
            return true;
        }

        private void submit(Runnable step) {
            try {
                workers.execute(() -> inContext(step));
            } catch (RejectedExecutionException e) {
                abandon("the worker pool is shut down");
            }
        }

        private void inContext(Runnable step) {
            MDC.put("incidentId", action.incidentId());
            MDC.put("actionId", action.id());
            if (drillId != null) {
                MDC.put("drillId", drillId);
            }
            try {
                if (!enter()) {
                    abandon("cancelled");
                    return;
                }
                step.run();
            } catch (RuntimeException e) {
                log.error("Action {} failed inside the remediator; it will be delivered again", action.id(), e);
                abandon("remediator error: " + e);
            } finally {
                MDC.remove("incidentId");
                MDC.remove("actionId");
                MDC.remove("drillId");
            }
        }

        private void waitUntil(Instant when, Runnable step) {
            synchronized (this) {
                if (cancelled) {
                    waiting = null;
                } else {
                    waiting = scheduler.at(when, () -> {
                        synchronized (this) {
                            waiting = null;
                        }
                        submit(step);
                    });
                    return;
                }
            }
            abandon("cancelled");
        }

        // --- the steps ------------------------------------------------------------------

        private void begin() {
            if (finished.contains(action.id())) {
                log.info("Action {} already ran; this delivery is a repeat and is ignored", action.id());
                end(End.REPEAT);
                return;
            }
            Optional<ActionLedger.Entry> known = ledger.lookup(action.id());
            if (known.isPresent() && known.get().finished()) {
                log.info("Action {} already finished (read from the results); this delivery is a repeat and is ignored",
                        action.id());
                finished.add(action.id());
                end(End.REPEAT);
                return;
            }
            if (decision == null && action.requiresApproval() && action.mode() == ActionMode.EXECUTE
                    && (requested.contains(action.id()) || approvals.lookup(action.id()).isPresent())) {
                log.info("Action {} is already parked for approval; this delivery is a repeat and is ignored"
                        + " (once decided, the remediator owning its partition carries the decision out)", action.id());
                end(End.REPEAT);
                return;
            }
            if (known.isPresent()) {
                reconcile(known.get());
                return;
            }
            if (decision != null) {
                carryOut();
                return;
            }
            check();
        }

        /** A person decided (or the request expired): say so, then run, reject or skip it. */
        private void carryOut() {
            String by = decision.decidedBy();
            String why = decision.reason() == null || decision.reason().isBlank() ? "" : ": " + decision.reason();
            Map<String, String> refs = Map.of("decision", decision.state().name(), "by", by);
            switch (decision.state()) {
                case APPROVED -> {
                    timeline(TimelineKind.APPROVAL, what + " approved by " + by + why, refs);
                    check();
                }
                case REJECTED -> {
                    timeline(TimelineKind.APPROVAL, what + " rejected by " + by + why, refs);
                    terminal(ActionStatus.REJECTED, 1, null, "rejected by " + by + why);
                }
                default -> {
                    String expired = decision.reason() != null ? decision.reason()
                            : "approval expired at " + decision.expiresAt();
                    timeline(TimelineKind.APPROVAL, what + ": " + expired, refs);
                    terminal(ActionStatus.SKIPPED, 1, null, expired + "; nothing was done");
                }
            }
        }

        /** Parks the action on the approvals topic: its record is done, the decision comes back from there. */
        private void requestApproval(Instant now) {
            Instant expiresAt = now.plus(approvals.expireAfter());
            CompletableFuture<Void> parked = reporter.approval(Approval.request(action, now, expiresAt));
            requested.add(action.id());
            String how = "approve or reject it with POST /api/actions/" + action.id() + "/approve or /reject";
            CompletableFuture<Void> result = reporter.result(action.resultKey(), new ActionResult(action.id(),
                    action.incidentId(), ActionStatus.AWAITING_APPROVAL, 0, "waiting for approval until " + expiresAt
                            + "; " + how, now, null, action.type()));
            timeline(TimelineKind.APPROVAL, what + " needs approval: waiting until " + expiresAt + "; " + how,
                    Map.of("decision", Approval.State.AWAITING.name()));
            metrics.finished(action.type().wireName(), ActionStatus.AWAITING_APPROVAL);
            log.info("Action {} needs approval; parked until {}", what, expiresAt);
            List<CompletableFuture<Void>> all;
            synchronized (this) {
                writes.add(parked);
                writes.add(result);
                all = List.copyOf(writes);
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).whenComplete((ok, error) -> {
                if (error != null) {
                    log.error("Action {} could not be parked for approval ({}); it will be delivered again",
                            action.id(), error.toString());
                    requested.remove(action.id());
                    end(End.ABANDONED);
                } else {
                    end(End.FINISHED);
                }
            });
        }

        /** Started by an earlier process that never wrote its result: ask the connector what happened. */
        private void reconcile(ActionLedger.Entry started) {
            Optional<Connector> connector = connectors.apply(action.target().connector());
            if (connector.isEmpty()) {
                terminal(ActionStatus.FAILED, started.attempt(), started.startedAt(), noConnector()
                        + "; it was started before a restart and may have taken effect: check by hand");
                return;
            }
            Reconciliation found;
            try {
                found = connector.get().reconcile(action, started.startedAt());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                abandon("interrupted while reconciling");
                return;
            } catch (RuntimeException e) {
                log.warn("Connector {} failed to reconcile {}", action.target().connector(), what, e);
                found = Reconciliation.unknown("connector " + action.target().connector() + " failed: " + e);
            }
            log.info("Action {} was started at {} (attempt {}) and never finished; reconciled: {} - {}", action.id(),
                    started.startedAt(), started.attempt(), found.state(), found.detail());
            switch (found.state()) {
                case APPLIED -> terminal(ActionStatus.SUCCEEDED, started.attempt(), started.startedAt(),
                        "reconciled after a restart: " + found.detail());
                case UNKNOWN -> terminal(ActionStatus.FAILED, started.attempt(), started.startedAt(),
                        "started before a restart and the connector cannot tell whether it took effect: "
                                + found.detail() + "; check by hand");
                case NOT_APPLIED -> {
                    attempt = started.attempt();
                    timeline(TimelineKind.ACTION_RESULT, what + " was started before a restart and did not take"
                            + " effect (" + found.detail() + "); running it again", Map.of());
                    check();
                }
            }
        }

        /** Deadline, mode and gate; then the breaker and the attempt. Also each re-check of a held action. */
        private void check() {
            Instant now = clock.instant();
            if (!now.isBefore(action.deadline())) {
                if (holdReason != null) {
                    terminal(ActionStatus.SKIPPED, Math.max(attempt, 1), null, "held until its deadline "
                            + action.deadline() + " passed: " + holdReason + "; nothing was done");
                } else {
                    terminal(ActionStatus.TIMED_OUT, Math.max(attempt, 1), null, "deadline " + action.deadline()
                            + " passed before " + (attempt == 0 ? "dispatch" : "attempt " + (attempt + 1))
                            + "; nothing was done");
                }
                return;
            }
            if (rehearsal) {
                rehearse();
                return;
            }
            if (action.mode() != ActionMode.EXECUTE) {
                terminal(ActionStatus.SKIPPED, 1, null, action.mode() + ": would " + what + " through "
                        + action.target().connector() + "; nothing was done");
                return;
            }
            if (decision == null && action.requiresApproval()) {
                requestApproval(now);
                return;
            }
            // The connector and its breaker before the gate: an action the gate allows counts as
            // started in the guardrails, so it must then run (or get a result) without waiting.
            boolean rollout = action.type() == ActionType.ROTATE_PATCH && rollouts != null;
            String name = action.target().connector();
            Connector connector = null;
            CircuitBreakers.Admission admission = null;
            if (!rollout) {
                Optional<Connector> found = connectors.apply(name);
                if (found.isEmpty() && action.type() == ActionType.ESCALATE) {
                    // The rules stage has already marked the incident ESCALATED; only the paging is missing.
                    terminal(ActionStatus.SKIPPED, Math.max(attempt, 1), null, "escalation recorded on the incident;"
                            + " nobody was paged: " + noConnector() + " (e.g. connectors.http with escalateTo)");
                    return;
                }
                if (found.isEmpty()) {
                    terminal(ActionStatus.FAILED, Math.max(attempt, 1), null, noConnector());
                    return;
                }
                connector = found.get();
                admission = breakers.admit(name, now);
                if (!admission.allowed()) {
                    hold("circuit-breaker:" + name, admission.reason(), admission.retryAt());
                    return;
                }
            }
            GateDecision decision;
            try {
                decision = gate.check(action);
            } catch (RuntimeException e) {
                log.error("The guardrails failed to judge {}; holding it", what, e);
                decision = GateDecision.hold("guardrails", "the guardrails failed to judge the action (" + e
                        + "); holding it", now.plus(GATE_ERROR_RETRY));
            }
            if (decision.kind() != GateDecision.Kind.ALLOW && admission != null && admission.trial()) {
                breakers.neutral(name, true);
            }
            switch (decision.kind()) {
                case ALLOW -> {
                    leaveHold();
                    if (rollout) {
                        rollout();
                    } else {
                        execute(connector, admission.trial());
                    }
                }
                case HOLD -> hold(decision.guardrail(), decision.guardrail() + ": " + decision.reason(),
                        decision.retryAt());
                case DRY_RUN -> {
                    guardrail(decision);
                    terminal(ActionStatus.SKIPPED, 1, null, "dry run (" + decision.guardrail() + ": "
                            + decision.reason() + "): would " + what + " through " + action.target().connector()
                            + "; nothing was done");
                }
                case REFUSE -> {
                    guardrail(decision);
                    terminal(ActionStatus.REJECTED, 1, null, "refused by " + decision.guardrail() + ": "
                            + decision.reason());
                }
                case ESCALATE -> {
                    guardrail(decision);
                    timeline(TimelineKind.ESCALATED, "escalated instead of " + what + ": " + decision.reason(),
                            Map.of("guardrail", decision.guardrail()));
                    terminal(ActionStatus.SKIPPED, 1, null, "escalated by " + decision.guardrail() + ": "
                            + decision.reason() + "; nothing was done");
                }
            }
        }

        /**
         * A drill's dry run: what the guardrails would do in the drill's rehearsal ledger, said at
         * once; the connector is never called and nothing waits (a hold ends it too).
         */
        private void rehearse() {
            String connector = action.target().connector();
            Verdict verdict;
            try {
                verdict = rehearsals.check(action);
            } catch (RuntimeException e) {
                log.error("Drill {}: the rehearsal guardrails failed to judge {}", drillId, what, e);
                terminal(ActionStatus.SKIPPED, 1, null, "dry run: the guardrails could not judge it (" + e
                        + "); nothing was done");
                return;
            }
            if (verdict.allowed()) {
                log.info("Drill {}: dry run of {} allowed by the guardrails in its rehearsal", drillId, what);
                terminal(ActionStatus.SKIPPED, 1, null, "dry run: would " + what + " through " + connector
                        + "; guardrails allow it; nothing was done");
                return;
            }
            String guardrail = verdict.guardrail();
            String would = switch (verdict.decision()) {
                case HOLD -> "would be held by ";
                case REFUSE -> "would be refused by ";
                case ESCALATE -> "would be escalated by ";
                default -> "would be run dry by ";
            };
            timeline(TimelineKind.GUARDRAIL, "drill " + drillId + ": " + what + " " + would + guardrail + ": "
                    + verdict.reason(), Map.of("guardrail", guardrail, "decision", verdict.decision().name()));
            log.info("Drill {}: dry run of {} {}{}: {}", drillId, what, would, guardrail, verdict.reason());
            terminal(ActionStatus.SKIPPED, 1, null, "dry run: " + would + guardrail + ": " + verdict.reason());
        }

        private void hold(String key, String reason, Instant retryAt) {
            if (!key.equals(holdKey)) {
                holdKey = key;
                timeline(TimelineKind.GUARDRAIL, "held " + what + ": " + reason,
                        Map.of("guardrail", key, "decision", "HOLD"));
                log.info("Holding {}: {}", what, reason);
            }
            holdReason = reason;
            if (!heldCounted) {
                heldCounted = true;
                metrics.held.incrementAndGet();
            }
            Instant when = retryAt.isBefore(action.deadline()) ? retryAt : action.deadline();
            holding.add(this);
            waitUntil(when, this::check);
        }

        private void leaveHold() {
            holding.remove(this);
            holdKey = null;
            holdReason = null;
            if (heldCounted) {
                heldCounted = false;
                metrics.held.decrementAndGet();
            }
        }

        /** Hands a {@code rotate_patch} action to the patch rollout; its steps become timeline entries. Never retried. */
        private void rollout() {
            attempt++;
            Instant startedAt = clock.instant();
            CompletableFuture<Void> started = reporter.result(action.resultKey(), new ActionResult(action.id(),
                    action.incidentId(), ActionStatus.STARTED, attempt, null, startedAt, null, action.type()));
            timeline(TimelineKind.ACTION_DISPATCHED, "dispatched " + what + " to the patch rollout",
                    Map.of("workflow", "rotate_patch"));
            try {
                started.get(STARTED_ACK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                abandon("interrupted before the rollout started");
                return;
            } catch (ExecutionException | TimeoutException e) {
                abandon("the STARTED result was not written (" + e + "); the rollout was not started");
                return;
            }
            RolloutListener listener = new RolloutListener() {
                @Override
                public void step(String incidentId, String summary, Map<String, String> refs) {
                    timeline(TimelineKind.ACTION_RESULT, summary, refs);
                }

                @Override
                public void escalate(String incidentId, String reason) {
                    timeline(TimelineKind.ESCALATED, what + " halted and needs a person: " + reason,
                            Map.of("workflow", "rotate_patch"));
                }
            };
            log.info("Rolling out {}, deadline {}", what, action.deadline());
            Outcome outcome;
            metrics.running.incrementAndGet();
            try {
                outcome = rollouts.run(action, listener);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                abandon("interrupted during the rollout (shutdown); members already patched stay patched");
                return;
            } catch (RuntimeException e) {
                log.warn("The patch rollout failed on {}", what, e);
                outcome = Outcome.failed("the patch rollout failed unexpectedly: " + e, false);
            } finally {
                metrics.running.decrementAndGet();
            }
            // Not retried: a second run would patch the batches already done again.
            ActionStatus status = switch (outcome.status()) {
                case SUCCEEDED, REJECTED, TIMED_OUT -> outcome.status();
                default -> ActionStatus.FAILED;
            };
            terminal(status, attempt, startedAt, outcome.detail());
        }

        private void execute(Connector connector, boolean trial) {
            String name = connector.name();
            attempt++;
            Instant startedAt = clock.instant();
            Instant effective = settings.config().timeoutFor(action.type())
                    .map(startedAt::plus).filter(t -> t.isBefore(action.deadline())).orElse(action.deadline());
            // STARTED must be durable before the connector acts: a crash after the effect then leaves
            // a trace the next owner reconciles instead of running the action blindly again.
            CompletableFuture<Void> started = reporter.result(action.resultKey(), new ActionResult(action.id(),
                    action.incidentId(), ActionStatus.STARTED, attempt, null, startedAt, null, action.type()));
            String attemptText = settings.maxAttempts() > 1 ? " (attempt " + attempt + " of " + settings.maxAttempts() + ")" : "";
            timeline(TimelineKind.ACTION_DISPATCHED, "dispatched " + what + " to connector " + name + attemptText,
                    Map.of("connector", name));
            try {
                started.get(STARTED_ACK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                breakers.neutral(name, trial);
                abandon("interrupted before the connector was called");
                return;
            } catch (ExecutionException | TimeoutException e) {
                breakers.neutral(name, trial);
                abandon("the STARTED result was not written (" + e + "); the connector was not called");
                return;
            }
            log.info("Dispatching {} through {}{}, deadline {}", what, name, attemptText, effective);
            AtomicBoolean settled = new AtomicBoolean();
            Thread worker = Thread.currentThread();
            int thisAttempt = attempt;
            Scheduler.Scheduled watchdog = scheduler.at(effective.plus(settings.config().timeoutGrace()), () -> {
                if (settled.compareAndSet(false, true)) {
                    log.warn("Connector {} did not return from {} by {} plus {}; interrupting it", name, what,
                            effective, settings.config().timeoutGrace());
                    breakers.failed(name, trial, clock.instant());
                    worker.interrupt();
                    terminal(ActionStatus.TIMED_OUT, thisAttempt, startedAt, "connector " + name + " did not finish "
                            + what + " by its deadline " + effective + "; it was interrupted. Check the target by hand");
                }
            });
            Outcome outcome;
            metrics.running.incrementAndGet();
            try {
                outcome = connector.execute(action.withDeadline(effective));
            } catch (InterruptedException e) {
                if (!settled.compareAndSet(false, true)) {
                    Thread.interrupted(); // the watchdog's interrupt, already reported as TIMED_OUT
                    return;
                }
                watchdog.cancel();
                Thread.currentThread().interrupt();
                breakers.neutral(name, trial);
                abandon("interrupted while the connector was running (shutdown); the next owner reconciles it");
                return;
            } catch (RuntimeException e) {
                log.warn("Connector {} threw while running {}", name, what, e);
                outcome = Outcome.failed("connector " + name + " failed unexpectedly: " + e, true);
            } finally {
                metrics.running.decrementAndGet();
            }
            if (!settled.compareAndSet(false, true)) {
                Thread.interrupted();
                return; // too late: reported TIMED_OUT already
            }
            watchdog.cancel();
            outcome(name, trial, startedAt, outcome);
        }

        private void outcome(String connector, boolean trial, Instant startedAt, Outcome outcome) {
            Instant now = clock.instant();
            switch (outcome.status()) {
                case SUCCEEDED -> {
                    breakers.succeeded(connector);
                    terminal(ActionStatus.SUCCEEDED, attempt, startedAt, outcome.detail());
                }
                case REJECTED -> {
                    breakers.neutral(connector, trial);
                    terminal(ActionStatus.REJECTED, attempt, startedAt, outcome.detail());
                }
                default -> {
                    breakers.failed(connector, trial, now);
                    if (!outcome.retriable() || attempt >= settings.maxAttempts()) {
                        terminal(ActionStatus.FAILED, attempt, startedAt, outcome.detail()
                                + (attempt > 1 ? " (attempt " + attempt + " of " + settings.maxAttempts() + ")" : ""));
                        return;
                    }
                    Duration backoff = settings.backoff(attempt);
                    Instant retryAt = now.plus(backoff);
                    if (!retryAt.isBefore(action.deadline())) {
                        terminal(ActionStatus.FAILED, attempt, startedAt, outcome.detail() + " (attempt " + attempt
                                + " of " + settings.maxAttempts() + "; no retry: the deadline " + action.deadline()
                                + " comes before the next attempt)");
                        return;
                    }
                    metrics.retried(action.type().wireName());
                    timeline(TimelineKind.ACTION_RESULT, what + " attempt " + attempt + " of " + settings.maxAttempts()
                            + " failed: " + outcome.detail() + ", retrying in " + human(backoff),
                            Map.of("status", ActionStatus.FAILED.name(), "attempt", String.valueOf(attempt)));
                    log.info("Attempt {} of {} of {} failed, retrying in {}: {}", attempt, settings.maxAttempts(),
                            what, human(backoff), outcome.detail());
                    if (!heldCounted) {
                        heldCounted = true;
                        metrics.held.incrementAndGet();
                    }
                    waitUntil(retryAt, this::check);
                }
            }
        }

        // --- reporting ------------------------------------------------------------------

        private void guardrail(GateDecision decision) {
            timeline(TimelineKind.GUARDRAIL, decision.kind() + " " + what + " (" + decision.guardrail() + "): "
                    + decision.reason(), Map.of("guardrail", decision.guardrail(), "decision", decision.kind().name()));
        }

        private void timeline(TimelineKind kind, String summary, Map<String, String> refs) {
            Map<String, String> all = new java.util.HashMap<>(refs);
            all.put("actionId", action.id());
            if (drillId != null) {
                // Everything a drill causes carries its id, so the console tells it from real work.
                all.put(Rehearsals.DRILL_ID, drillId);
            }
            CompletableFuture<Void> write = reporter.timeline(
                    new TimelineEntry(action.incidentId(), clock.instant(), kind, summary, all));
            synchronized (this) {
                writes.add(write);
            }
        }

        private void terminal(ActionStatus status, int attemptNo, Instant startedAt, String detail) {
            leaveHold();
            Instant now = clock.instant();
            CompletableFuture<Void> result = reporter.result(action.resultKey(), new ActionResult(action.id(),
                    action.incidentId(), status, attemptNo, detail, startedAt == null ? now : startedAt, now,
                    action.type()));
            timeline(TimelineKind.ACTION_RESULT, what + " " + status + ": " + detail,
                    Map.of("status", status.name(), "connector", action.target().connector()));
            finished.add(action.id());
            if (rehearsal) {
                metrics.rehearsed(action.type().wireName());
                log.info("Drill {}: action {} {}: {}", drillId, what, status, detail);
            } else {
                metrics.finished(action.type().wireName(), status);
                log.info("Action {} {}: {}", what, status, detail);
            }
            List<CompletableFuture<Void>> all;
            synchronized (this) {
                writes.add(result);
                all = List.copyOf(writes);
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).whenComplete((ok, error) -> {
                if (error != null) {
                    log.error("The result of action {} was not written ({}); it will be delivered again",
                            action.id(), error.toString());
                    finished.remove(action.id());
                    end(End.ABANDONED);
                } else {
                    end(End.FINISHED);
                }
            });
        }

        private void abandon(String why) {
            if (!done.isDone()) {
                log.info("Action {} given up without a result ({}); it will be delivered again", action.id(), why);
            }
            leaveHold();
            end(End.ABANDONED);
        }

        private void end(End end) {
            done.complete(end);
        }

        private String noConnector() {
            return "no connector named '" + action.target().connector() + "' is configured (configured: "
                    + connectorNames + "); add it under connectors: in the config";
        }
    }

    static String human(Duration d) {
        if (d.toMillis() % 1000 != 0) {
            return d.toMillis() + "ms";
        }
        long s = d.toSeconds();
        return s % 3600 == 0 ? s / 3600 + "h" : s % 60 == 0 ? s / 60 + "m" : s + "s";
    }
}
