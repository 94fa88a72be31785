package io.reflex.remediator;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.reflex.connectors.spi.Connectors;
import io.reflex.model.Action;
import io.reflex.model.ActionResult;
import io.reflex.model.Approval;
import io.reflex.model.ControlEvent;
import io.reflex.model.Json;
import io.reflex.model.TimelineEntry;
import io.reflex.model.Topics;
import io.reflex.remediator.guard.ActivityLog;
import io.reflex.remediator.guard.Guardrails;
import io.reflex.remediator.guard.Rehearsals;
import io.reflex.remediator.guard.KillSwitch;
import io.reflex.remediator.guard.Silence;
import io.reflex.remediator.rollout.PatchRollout;
import io.reflex.remediator.rollout.Probes;
import io.vertx.core.Vertx;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.nio.charset.StandardCharsets;
import java.util.NoSuchElementException;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The remediator role: consumes {@code reflex.actions}, runs each action through the
 * {@link Dispatcher}, and publishes results and timeline entries.
 *
 * <p>The poll thread never waits for an action: records go into a FIFO queue per target; one
 * action per target runs at a time, in record order, and at most {@code maxConcurrent} run at
 * once on a fixed worker pool. Holds, backoffs and watchdogs are Vert.x timers. Per partition,
 * the offset committed is the one after the highest contiguous finished record, so a crash
 * re-delivers every unfinished action; a partition with too many unfinished actions is paused.
 *
 * <p>Idempotency across processes: a {@link ResultsObserver} reads {@code reflex.results}
 * continuously; on assignment, nothing of a new partition is dispatched before the observer has
 * read the results written until then, so an action the previous owner finished is skipped, and
 * one it started without finishing is reconciled with its connector.
 *
 * <p>Guardrails: built from {@code remediator.guardrails}, asked before every attempt, fed by the
 * observer with every action and result of the deployment, pruned every 10 minutes. Their
 * switches (kill switch, silences added at run time, releases) are shared through the compacted
 * topic {@code reflex.control}: {@link #pause}, {@link #addSilence} and the like write it, and
 * every process applies what it reads there (from the beginning at start).
 *
 * <p>Approvals: an action with {@code requiresApproval} is parked on {@code reflex.approvals}
 * (its record is then done, so its partition goes on). Any process may record a decision
 * ({@link #decide}); the process owning the partition of {@code reflex.actions} the action came
 * from carries it out in the action's target lane (an approved one runs through the guardrails),
 * and expires requests left unanswered for {@code remediator.approvals.expireAfter}. Carrying
 * out is idempotent through the results (a finished action id is never run again), so a
 * partition moving to another process, or a restart, neither loses nor repeats a decision.
 *
 * <p>{@code rotate_patch} actions go to the {@link PatchRollout} ({@code remediator.rollouts}).
 */
public final class Remediator implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Remediator.class);
    private static final Duration POLL = Duration.ofMillis(100);
    /** Waiting on revoke is bounded by the running actions' deadlines, and by this in any case. */
    private static final Duration MAX_REVOKE_WAIT = Duration.ofMinutes(8);
    /** An action given up without a result while its partition is still ours is tried again after this. */
    private static final Duration RETRY_ABANDONED = Duration.ofSeconds(5);

    private final RemediatorConfig config;
    private final Map<String, Object> kafkaProps;
    private final Clock clock;
    private final Vertx vertx;
    private final KafkaProducer<String, Object> producer;
    private final ExecutorService workers;
    private final ResultsObserver observer;
    private final RemediatorMetrics metrics;
    private final Dispatcher dispatcher;
    private final Guardrails guardrails;
    private final ControlApplier control;
    private final ApprovalsView approvals = new ApprovalsView();
    /** Decided approvals handed to a lane, by action id, with the partition they belong to. */
    private final Map<String, TopicPartition> carriedOut = new ConcurrentHashMap<>();
    /** Requests whose expiry this process has written. */
    private final Set<String> expiring = ConcurrentHashMap.newKeySet();
    private volatile int actionPartitions;
    private long sweepTimer = -1;
    private long pruneTimer = -1;
    private final AtomicBoolean running = new AtomicBoolean();
    /** Set by {@link #abort()}: nothing more is written or committed, as if the process died. */
    private volatile boolean aborted;

    /** Guards lanes and partitions; taken by the poll thread and by jobs ending on other threads. */
    private final Object lock = new Object();
    private final Map<String, Lane> lanes = new HashMap<>();
    private final Map<TopicPartition, PartitionState> partitions = new HashMap<>();
    private final AtomicInteger queued = new AtomicInteger();

    private volatile KafkaConsumer<String, Action> consumer;
    private Thread pollThread;
    private Instant lastCommit = Instant.EPOCH;

    /** @param approval a decided approval to carry out (offset -1: not a record of its own), or null */
    private record Pending(TopicPartition partition, long offset, Action action, Approval approval) {
        Pending(TopicPartition partition, long offset, Action action) {
            this(partition, offset, action, null);
        }
    }

    /** How often approvals are looked at: decisions to carry out, requests to expire. */
    private static final Duration APPROVALS_SWEEP = Duration.ofSeconds(1);
    private static final Duration PRUNE_EVERY = Duration.ofMinutes(10);
    /** Who expires approvals, on the approvals topic and the timeline. */
    static final String SYSTEM_ACTOR = "reflex";

    /** The actions of one target, run one after another. */
    private static final class Lane {
        final ArrayDeque<Pending> queue = new ArrayDeque<>();
        Pending current;
        Dispatcher.Job job;
    }

    private static final class PartitionState {
        final CompletableFuture<Void> ready;
        /** Offsets received and not finished. */
        final TreeSet<Long> unfinished = new TreeSet<>();
        long next = -1;
        long committed = -1;
        boolean paused;
        /** Being handed over: what is given up now is the next owner's. */
        boolean revoked;

        PartitionState(CompletableFuture<Void> ready) {
            this.ready = ready;
        }

        /** The offset after the highest contiguous finished record, or -1 when nothing was received. */
        long committable() {
            return unfinished.isEmpty() ? next : unfinished.first();
        }
    }

    /**
     * The guardrails of {@code config.guardrails()}, fed from Kafka, as the gate; the patch rollout
     * of {@code config.rollouts()} for {@code rotate_patch}.
     *
     * @throws IllegalArgumentException when the configuration is invalid (validate it first)
     */
    public Remediator(RemediatorConfig config, Map<String, Object> kafkaProps, Connectors connectors, Vertx vertx,
            Clock clock, PrometheusRegistry registry) {
        this(config, kafkaProps, connectors, vertx, clock, registry,
                new Guardrails(config.guardrails(), new ActivityLog(), clock));
    }

    private Remediator(RemediatorConfig config, Map<String, Object> kafkaProps, Connectors connectors, Vertx vertx,
            Clock clock, PrometheusRegistry registry, Guardrails guardrails) {
        this(config, kafkaProps, connectors, vertx, clock, registry, guardrails, new GuardrailsGate(guardrails),
                new ActivityListener() {
                    @Override
                    public void onAction(Action action, Instant at) {
                        guardrails.activity().onAction(action, at);
                    }

                    @Override
                    public void onResult(ActionResult result, Instant at) {
                        guardrails.activity().onResult(result, at);
                    }
                });
    }

    /**
     * The dispatch engine with another gate in place of the guardrails (tests of the engine): the
     * guardrails of the config still take the shared switches and show in the API, but decide nothing.
     *
     * @param gate     asked before every attempt
     * @param activity hears every action and result of the deployment, read back from Kafka
     */
    public Remediator(RemediatorConfig config, Map<String, Object> kafkaProps, Connectors connectors, Vertx vertx,
            Clock clock, PrometheusRegistry registry, ActionGate gate, ActivityListener activity) {
        this(config, kafkaProps, connectors, vertx, clock, registry,
                new Guardrails(config.guardrails(), new ActivityLog(), clock), gate, activity);
    }

    private Remediator(RemediatorConfig config, Map<String, Object> kafkaProps, Connectors connectors, Vertx vertx,
            Clock clock, PrometheusRegistry registry, Guardrails guardrails, ActionGate gate,
            ActivityListener activity) {
        List<String> problems = config.validate();
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid remediator configuration: " + String.join("; ", problems));
        }
        this.config = config;
        this.guardrails = guardrails;
        this.kafkaProps = Map.copyOf(kafkaProps);
        this.clock = clock;
        this.vertx = vertx;
        this.producer = new KafkaProducer<>(producerProps(kafkaProps), new StringSerializer(), new AnySerializer());
        AtomicInteger threadNo = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(config.maxConcurrent(), r -> {
            Thread t = new Thread(r, "reflex-remediator-worker-" + threadNo.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.observer = new ResultsObserver(kafkaProps, activity, approvals, this::onControl);
        this.control = new ControlApplier(guardrails);
        this.metrics = new RemediatorMetrics(registry);
        metrics.queuedFrom(queued::get);
        Dispatcher.Rollouts rollouts = (action, listener) -> new PatchRollout(config.rollouts(), connectors::get,
                Probes.builtIn(), clock, listener).run(action);
        Dispatcher.ApprovalBook book = new Dispatcher.ApprovalBook() {
            @Override
            public java.util.Optional<Approval> lookup(String actionId) {
                return approvals.get(actionId);
            }

            @Override
            public Duration expireAfter() {
                return config.approvals().expireAfter();
            }
        };
        this.dispatcher = new Dispatcher(connectors::get, connectors.names(), new KafkaReporter(), clock, metrics,
                gate, observer, config, workers, new VertxScheduler(vertx, clock), rollouts, book,
                new Rehearsals(config.guardrails(), clock));
    }

    /** Starts the observer, then consumes actions on a thread of its own. */
    public void start() {
        observer.start();
        consumer = new KafkaConsumer<>(consumerProps(), new StringDeserializer(),
                Topics.ACTIONS.valueSerde().deserializer());
        actionPartitions = consumer.partitionsFor(Topics.ACTIONS.name(), Duration.ofSeconds(30)).size();
        consumer.subscribe(List.of(Topics.ACTIONS.name()), new Rebalance());
        running.set(true);
        // On a worker: writing an expiry may wait for Kafka metadata, which an event loop must not.
        sweepTimer = vertx.setPeriodic(APPROVALS_SWEEP.toMillis(), id -> vertx.executeBlocking(() -> {
            try {
                sweepApprovals();
            } catch (RuntimeException e) {
                log.error("Looking at the approvals failed; trying again in {}", APPROVALS_SWEEP, e);
            }
            return null;
        }, true));
        pruneTimer = vertx.setPeriodic(PRUNE_EVERY.toMillis(), id -> {
            int forgotten = guardrails.prune();
            log.debug("Guardrails forgot {} old executions", forgotten);
        });
        pollThread = new Thread(this::pollLoop, "reflex-remediator-poll");
        pollThread.start();
        log.info("Remediator started (group {}, at most {} actions at once)", config.groupId(), config.maxConcurrent());
    }

    /** Whether it consumes actions and reads results; false after a fatal error (the app's health check says DOWN). */
    public boolean running() {
        return running.get() && pollThread != null && pollThread.isAlive() && observer.alive();
    }

    /** The partitions of {@code reflex.actions} it owns now. */
    Set<TopicPartition> assignment() {
        synchronized (lock) {
            return Set.copyOf(partitions.keySet());
        }
    }

    private void pollLoop() {
        try {
            while (running.get()) {
                for (ConsumerRecord<String, Action> record : consumer.poll(POLL)) {
                    enqueue(record);
                }
                Instant now = clock.instant();
                if (!Duration.between(lastCommit, now).minus(config.commitInterval()).isNegative()) {
                    lastCommit = now;
                    try {
                        commit(List.copyOf(consumer.assignment()));
                    } catch (RebalanceInProgressException | CommitFailedException | RetriableException e) {
                        // The revoke callback commits what is finished; otherwise the next interval does.
                        log.debug("Periodic commit skipped: {}", e.toString());
                    }
                }
                pauseOrResume();
            }
        } catch (WakeupException e) {
            if (running.get()) {
                log.error("Remediator woken up unexpectedly; stopping", e);
            }
        } catch (RuntimeException e) {
            log.error("Remediator stopped: {}. Actions not yet finished will be re-delivered on restart",
                    e.toString(), e);
        } finally {
            try {
                if (!aborted) {
                    revoke(List.copyOf(consumer.assignment()), true);
                }
            } catch (RuntimeException e) {
                log.warn("Could not hand over the partitions cleanly: {}", e.toString());
            }
            // Leaving the group calls the rebalance listener for what is still owned (a commit that
            // failed above is tried again there).
            consumer.close(Duration.ofSeconds(30));
            running.set(false);
        }
    }

    private void enqueue(ConsumerRecord<String, Action> record) {
        TopicPartition tp = new TopicPartition(record.topic(), record.partition());
        synchronized (lock) {
            PartitionState state = partitions.get(tp);
            if (state == null) {
                return; // revoked in between: the next owner reads it
            }
            state.next = record.offset() + 1;
            if (record.value() == null) {
                log.warn("Skipping an empty record at {}@{}", tp, record.offset());
                return;
            }
            state.unfinished.add(record.offset());
            Lane lane = lanes.computeIfAbsent(record.value().target().key(), k -> new Lane());
            lane.queue.add(new Pending(tp, record.offset(), record.value()));
            queued.incrementAndGet();
            if (lane.current == null) {
                startNext(record.value().target().key(), lane);
            }
        }
    }

    /** Caller holds the lock. */
    private void startNext(String target, Lane lane) {
        Pending next = lane.queue.poll();
        if (next == null) {
            lanes.remove(target);
            return;
        }
        queued.decrementAndGet();
        PartitionState state = partitions.get(next.partition());
        lane.current = next;
        lane.job = next.approval() != null ? dispatcher.decided(next.approval(), state.ready)
                : dispatcher.dispatch(next.action(), state.ready);
        lane.job.done().whenComplete((end, error) -> finished(target, lane, next, end));
    }

    private void finished(String target, Lane lane, Pending pending, Dispatcher.End end) {
        synchronized (lock) {
            PartitionState state = partitions.get(pending.partition());
            if (state != null && end != Dispatcher.End.ABANDONED) {
                state.unfinished.remove(pending.offset());
            }
            if (lane.current != pending) {
                return;
            }
            lane.current = null;
            lane.job = null;
            if (end == Dispatcher.End.ABANDONED && state != null && !state.revoked && running.get() && !aborted) {
                // Given up while still ours (a result could not be written): try it again later, first in
                // its lane, rather than skip past it and leave its offset blocking the partition.
                log.warn("Action {} at {}@{} was given up; trying it again in {}", pending.action().id(),
                        pending.partition(), pending.offset(), RETRY_ABANDONED);
                lane.queue.addFirst(pending);
                queued.incrementAndGet();
                lane.current = pending; // keeps the lane busy until the retry
                vertx.setTimer(RETRY_ABANDONED.toMillis(), id -> {
                    synchronized (lock) {
                        if (lane.current == pending && lane.job == null) {
                            lane.current = null;
                            startNext(target, lane);
                        }
                    }
                });
                return;
            }
            startNext(target, lane);
        }
    }

    private void pauseOrResume() {
        List<TopicPartition> pause = new ArrayList<>();
        List<TopicPartition> resume = new ArrayList<>();
        synchronized (lock) {
            partitions.forEach((tp, state) -> {
                int backlog = state.unfinished.size();
                if (!state.paused && backlog > config.maxQueuedPerPartition()) {
                    state.paused = true;
                    pause.add(tp);
                } else if (state.paused && backlog <= config.maxQueuedPerPartition() / 2) {
                    state.paused = false;
                    resume.add(tp);
                }
            });
        }
        if (!pause.isEmpty()) {
            log.info("Pausing {}: more than {} unfinished actions each", pause, config.maxQueuedPerPartition());
            consumer.pause(pause);
        }
        if (!resume.isEmpty()) {
            log.info("Resuming {}", resume);
            consumer.resume(resume);
        }
    }

    private void commit(Collection<TopicPartition> tps) {
        if (aborted) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        synchronized (lock) {
            for (TopicPartition tp : tps) {
                PartitionState state = partitions.get(tp);
                if (state != null && state.committable() > state.committed) {
                    offsets.put(tp, new OffsetAndMetadata(state.committable()));
                }
            }
        }
        if (offsets.isEmpty()) {
            return;
        }
        consumer.commitSync(offsets);
        synchronized (lock) {
            offsets.forEach((tp, om) -> {
                PartitionState state = partitions.get(tp);
                if (state != null) {
                    state.committed = om.offset();
                }
            });
        }
    }

    /**
     * Drops the queued actions of these partitions, gives up the held ones, waits (bounded by
     * their deadlines) for the running ones and their results, commits, and forgets the partitions.
     */
    private void revoke(Collection<TopicPartition> tps, boolean commit) {
        if (tps.isEmpty()) {
            return;
        }
        List<Dispatcher.Job> inFlight = new ArrayList<>();
        synchronized (lock) {
            tps.forEach(tp -> {
                PartitionState state = partitions.get(tp);
                if (state != null) {
                    state.revoked = true;
                }
            });
            Map<String, Lane> idle = new HashMap<>();
            for (Map.Entry<String, Lane> entry : lanes.entrySet()) {
                Lane lane = entry.getValue();
                int before = lane.queue.size();
                lane.queue.removeIf(p -> tps.contains(p.partition()));
                queued.addAndGet(lane.queue.size() - before);
                if (lane.current != null && tps.contains(lane.current.partition())) {
                    if (lane.job != null) {
                        inFlight.add(lane.job);
                    } else {
                        lane.current = null; // waiting to be tried again: the next owner does it
                        idle.put(entry.getKey(), lane);
                    }
                }
            }
            idle.forEach(this::startNext);
            carriedOut.values().removeIf(tps::contains); // the next owner carries them out
        }
        inFlight.forEach(Dispatcher.Job::cancel);
        Instant latest = inFlight.stream().map(j -> j.action().deadline()).max(Instant::compareTo).orElse(clock.instant());
        Duration wait = Duration.between(clock.instant(), latest).plus(config.timeoutGrace()).plusSeconds(5);
        wait = wait.compareTo(MAX_REVOKE_WAIT) > 0 ? MAX_REVOKE_WAIT : wait.isNegative() ? Duration.ZERO : wait;
        if (!inFlight.isEmpty()) {
            log.info("Partitions {} revoked: waiting up to {} for {} actions in progress", tps, wait, inFlight.size());
            try {
                CompletableFuture.allOf(inFlight.stream().map(Dispatcher.Job::done).toArray(CompletableFuture[]::new))
                        .get(wait.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
                log.warn("Actions on revoked partitions {} did not finish within {}; the next owner reconciles them",
                        tps, wait);
            }
        }
        if (commit) {
            try {
                commit(tps);
            } catch (RuntimeException e) {
                // Kept: leaving the group revokes them again and tries once more.
                log.warn("Could not commit revoked partitions {}: {}; their finished actions are skipped by the next"
                        + " owner", tps, e.toString());
                return;
            }
        }
        synchronized (lock) {
            tps.forEach(partitions::remove);
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> tps) {
            if (!aborted) {
                revoke(tps, true);
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> tps) {
            if (!aborted) {
                revoke(tps, false);
            }
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> tps) {
            if (tps.isEmpty() || aborted) {
                return;
            }
            // Results of any action may be on any partition (keyed by the incident's resource):
            // wait for the end of every one, as of now.
            List<TopicPartition> results = consumer.partitionsFor(Topics.RESULTS.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            // And the approvals and switches as of now: a paused deployment must not run anything first.
            List<TopicPartition> shared = new ArrayList<>(results);
            for (String topic : List.of(Topics.APPROVALS.name(), Topics.CONTROL.name())) {
                consumer.partitionsFor(topic).forEach(p -> shared.add(new TopicPartition(p.topic(), p.partition())));
            }
            Map<TopicPartition, Long> ends = consumer.endOffsets(shared);
            CompletableFuture<Void> ready = observer.caughtUp(ends);
            log.info("Assigned {}; dispatching from them once the results up to {} are read", tps, ends);
            synchronized (lock) {
                tps.forEach(tp -> partitions.put(tp, new PartitionState(ready)));
            }
        }
    }

    private Map<String, Object> consumerProps() {
        Map<String, Object> props = new HashMap<>(kafkaProps);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.maxPollRecords());
        // Cooperative: a member joining or leaving moves only the partitions that change owner,
        // so a rebalance does not make every process wait for all its running actions.
        props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        // The poll thread only waits on revoke, bounded by the running actions' deadlines.
        // Not above connections.max.idle.ms (9 min), which would make a rebalance drop the connection.
        props.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) Duration.ofMinutes(9).toMillis());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "reflex-remediator");
        return props;
    }

    private static Map<String, Object> producerProps(Map<String, Object> kafkaProps) {
        Map<String, Object> props = new HashMap<>(kafkaProps);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "reflex-remediator-results");
        return props;
    }

    /**
     * Stops cleanly: held and queued actions are left for the next owner, running ones finish
     * (bounded by their deadlines), offsets of finished ones are committed.
     */
    @Override
    public void close() {
        // No wakeup: a poll lasts 100 ms, and a wakeup would abort the commits of the hand-over.
        running.set(false);
        cancelTimers();
        join();
        shutdown(false);
        log.info("Remediator stopped");
    }

    /**
     * Stops the way a crash would: nothing more is written or committed, running connector calls
     * are interrupted and their results dropped. Leaves the group at once so tests need not wait
     * for the session timeout. For tests of crash recovery.
     */
    void abort() {
        aborted = true;
        running.set(false);
        cancelTimers();
        if (consumer != null) {
            consumer.wakeup();
        }
        producer.close(Duration.ZERO);
        join();
        shutdown(true);
        log.warn("Remediator aborted");
    }

    private void cancelTimers() {
        vertx.cancelTimer(sweepTimer);
        vertx.cancelTimer(pruneTimer);
    }

    private void join() {
        if (pollThread != null) {
            try {
                pollThread.join(MAX_REVOKE_WAIT.plusMinutes(1).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void shutdown(boolean now) {
        if (now) {
            workers.shutdownNow();
        } else {
            workers.shutdown();
        }
        try {
            if (!workers.awaitTermination(10, TimeUnit.SECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        observer.close();
        producer.close(Duration.ofSeconds(5));
    }

    /** Writes results (keyed by the incident's resource) and timeline entries (keyed by incident) with acks=all. */
    private final class KafkaReporter implements Dispatcher.Reporter {
        @Override
        public CompletableFuture<Void> result(String key, ActionResult result) {
            return send(new ProducerRecord<>(Topics.RESULTS.name(), key, result));
        }

        @Override
        public CompletableFuture<Void> timeline(TimelineEntry entry) {
            return send(new ProducerRecord<>(Topics.TIMELINE.name(), entry.incidentId(), entry));
        }

        @Override
        public CompletableFuture<Void> approval(Approval approval) {
            return send(new ProducerRecord<>(Topics.APPROVALS.name(), approval.actionId(), approval));
        }

        private CompletableFuture<Void> send(ProducerRecord<String, Object> record) {
            return write(record).thenApply(metadata -> null);
        }
    }

    /** Completes with the record's position once the broker has it (acks=all). */
    private CompletableFuture<RecordMetadata> write(ProducerRecord<String, Object> record) {
        CompletableFuture<RecordMetadata> acked = new CompletableFuture<>();
        if (aborted) {
            acked.completeExceptionally(new IllegalStateException("the remediator was aborted"));
            return acked;
        }
        try {
            producer.send(record, (metadata, error) -> {
                if (error != null) {
                    acked.completeExceptionally(error);
                } else {
                    acked.complete(metadata);
                }
            });
        } catch (RuntimeException e) {
            acked.completeExceptionally(e);
        }
        return acked;
    }

    /** Writes the record, then completes once this process has read it back (and applied it). */
    private CompletableFuture<Void> writeAndRead(ProducerRecord<String, Object> record) {
        return write(record).thenCompose(m -> observer.caughtUp(
                Map.of(new TopicPartition(m.topic(), m.partition()), m.offset() + 1)));
    }

    // --- approvals ------------------------------------------------------------------------

    /** The partition of {@code reflex.actions} the action was written to (keyed by target, default partitioner). */
    private TopicPartition partitionOf(Action action) {
        byte[] key = action.target().key().getBytes(StandardCharsets.UTF_8);
        return new TopicPartition(Topics.ACTIONS.name(), Utils.toPositive(Utils.murmur2(key)) % actionPartitions);
    }

    /**
     * Carries out the decided approvals of the partitions this process owns (each once per
     * ownership; the results tell a finished one), and expires unanswered requests.
     */
    private void sweepApprovals() {
        if (!running.get() || aborted || actionPartitions == 0) {
            return;
        }
        Instant now = clock.instant();
        for (Approval approval : approvals.all()) {
            String id = approval.actionId();
            TopicPartition tp = partitionOf(approval.action());
            synchronized (lock) {
                PartitionState state = partitions.get(tp);
                if (state == null || state.revoked || !state.ready.isDone() || state.ready.isCompletedExceptionally()) {
                    continue;
                }
            }
            if (!approval.state().decided()) {
                if (!now.isBefore(approval.expiresAt()) && expiring.add(id)) {
                    String why = "approval expired after "
                            + Dispatcher.human(Duration.between(approval.requestedAt(), approval.expiresAt()));
                    Approval expired = approval.decide(Approval.State.EXPIRED, SYSTEM_ACTOR, now, why);
                    log.info("Action {} was not approved in time: {}", id, why);
                    write(new ProducerRecord<>(Topics.APPROVALS.name(), id, expired)).whenComplete((m, e) -> {
                        if (e != null) {
                            log.warn("Could not write the expiry of action {}: {}; trying again", id, e.toString());
                            expiring.remove(id);
                        }
                    });
                }
                continue;
            }
            if (carriedOut.putIfAbsent(id, tp) != null) {
                continue;
            }
            if (observer.lookup(id).map(ActionLedger.Entry::finished).orElse(false)) {
                continue; // carried out before (by this process or another): nothing to do
            }
            synchronized (lock) {
                PartitionState state = partitions.get(tp);
                if (state == null || state.revoked) {
                    carriedOut.remove(id);
                    continue;
                }
                String target = approval.action().target().key();
                Lane lane = lanes.computeIfAbsent(target, k -> new Lane());
                lane.queue.add(new Pending(tp, -1, approval.action(), approval));
                queued.incrementAndGet();
                if (lane.current == null) {
                    startNext(target, lane);
                }
            }
        }
    }

    /** The approvals known (from {@code reflex.approvals}). */
    public ApprovalsView approvals() {
        return approvals;
    }

    /**
     * Records a person's decision on a waiting action, and completes once this process has read
     * it back: with the approval as decided, or exceptionally with {@link NoSuchElementException}
     * (no such action waits for approval) or {@link IllegalStateException} (already decided,
     * or decided by someone else at the same time).
     *
     * @param decision APPROVED or REJECTED
     */
    public CompletableFuture<Approval> decide(String actionId, Approval.State decision, String by, String reason) {
        if (decision != Approval.State.APPROVED && decision != Approval.State.REJECTED) {
            throw new IllegalArgumentException("a person approves or rejects, not " + decision);
        }
        Optional<Approval> current = approvals.get(actionId);
        if (current.isEmpty()) {
            return CompletableFuture.failedFuture(new NoSuchElementException("no action " + actionId
                    + " waits for approval here; list the waiting ones with GET /api/actions?status=AWAITING_APPROVAL"));
        }
        if (current.get().state().decided()) {
            return CompletableFuture.failedFuture(new IllegalStateException(already(current.get())));
        }
        Approval mine = current.get().decide(decision, by, clock.instant(), reason);
        log.info("Action {} {} by {}{}", actionId, decision, by, reason == null ? "" : ": " + reason);
        return writeAndRead(new ProducerRecord<>(Topics.APPROVALS.name(), actionId, mine)).thenApply(v -> {
            Approval now = approvals.get(actionId).orElseThrow();
            if (!now.equals(mine)) {
                throw new CompletionException(new IllegalStateException(already(now)));
            }
            return now;
        });
    }

    private static String already(Approval a) {
        return "action " + a.actionId() + " was already " + a.state() + " by " + a.decidedBy() + " at "
                + a.decidedAt() + (a.reason() == null ? "" : " (" + a.reason() + ")") + "; a decision is final";
    }

    // --- shared switches ------------------------------------------------------------------

    /** The guardrails of this process: {@link Guardrails#describe()} for the API. */
    public Guardrails guardrails() {
        return guardrails;
    }

    /** Pauses every remediator of the deployment; completes once this process applied it. */
    public CompletableFuture<KillSwitch.State> pause(String by, String reason) {
        return control(new ControlEvent(ControlEvent.Kind.PAUSE, by, clock.instant(), reason, Map.of()))
                .thenApply(v -> guardrails.killSwitch().state());
    }

    /** Resumes every remediator of the deployment: held actions run within about a second. */
    public CompletableFuture<KillSwitch.State> resume(String by, String reason) {
        return control(new ControlEvent(ControlEvent.Kind.RESUME, by, clock.instant(), reason, Map.of()))
                .thenApply(v -> guardrails.killSwitch().state());
    }

    /**
     * Adds a silence for the whole deployment (an id is given when it has none; createdBy
     * defaults to {@code by}).
     *
     * @throws IllegalArgumentException listing every problem of the silence
     */
    public CompletableFuture<Silence> addSilence(Silence silence, String by) {
        List<String> problems = silence.validate("silence");
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        Silence added = new Silence(silence.id() == null || silence.id().isBlank() ? UUID.randomUUID().toString()
                : silence.id(), silence.matchers(), silence.from(), silence.until(),
                silence.createdBy() == null ? by : silence.createdBy(), silence.comment());
        String json;
        try {
            json = Json.MAPPER.writeValueAsString(added);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the silence cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
        return control(new ControlEvent(ControlEvent.Kind.SILENCE, by, clock.instant(), added.comment(),
                Map.of(ControlApplier.ID, added.id(), ControlApplier.SILENCE, json))).thenApply(v -> added);
    }

    /**
     * Ends a silence for the whole deployment; the actions it held are checked again at once.
     *
     * @throws NoSuchElementException when no such silence is active or coming
     */
    public CompletableFuture<Void> removeSilence(String id, String by) {
        boolean known = guardrails.holds().silences(clock.instant()).stream().anyMatch(s -> s.id().equals(id));
        if (!known) {
            throw new NoSuchElementException("no silence " + id + " is active or coming; see GET /api/guardrails");
        }
        return control(new ControlEvent(ControlEvent.Kind.UNSILENCE, by, clock.instant(), null,
                Map.of(ControlApplier.ID, id)));
    }

    /** People brought the target back: it no longer counts as disrupted (blast radius), everywhere. */
    public CompletableFuture<Void> release(String targetKey, String by, String reason) {
        return control(new ControlEvent(ControlEvent.Kind.RELEASE, by, clock.instant(), reason,
                Map.of(ControlApplier.TARGET, targetKey)));
    }

    /** A switch changed (here or in another process): apply it, and let held actions look again at once. */
    private void onControl(ControlEvent event) {
        control.accept(event);
        dispatcher.recheckHeld();
    }

    private CompletableFuture<Void> control(ControlEvent event) {
        return writeAndRead(new ProducerRecord<>(Topics.CONTROL.name(), event.key(), event));
    }
}
