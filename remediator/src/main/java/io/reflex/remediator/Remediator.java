package io.reflex.remediator;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.reflex.connectors.spi.Connectors;
import io.reflex.model.Action;
import io.reflex.model.ActionResult;
import io.reflex.model.TimelineEntry;
import io.reflex.model.Topics;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

    private record Pending(TopicPartition partition, long offset, Action action) {
    }

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

    /** Every action allowed, no activity listener: the guardrails are not wired. */
    public Remediator(RemediatorConfig config, Map<String, Object> kafkaProps, Connectors connectors, Vertx vertx,
            Clock clock, PrometheusRegistry registry) {
        this(config, kafkaProps, connectors, vertx, clock, registry, ActionGate.ALLOW_ALL, ActivityListener.NONE);
    }

    /**
     * @param gate     asked before every attempt (guardrails, kill switch)
     * @param activity hears every action and result of the deployment, read back from Kafka
     */
    public Remediator(RemediatorConfig config, Map<String, Object> kafkaProps, Connectors connectors, Vertx vertx,
            Clock clock, PrometheusRegistry registry, ActionGate gate, ActivityListener activity) {
        this.config = config;
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
        this.observer = new ResultsObserver(kafkaProps, activity);
        this.metrics = new RemediatorMetrics(registry);
        metrics.queuedFrom(queued::get);
        this.dispatcher = new Dispatcher(connectors::get, connectors.names(), new KafkaReporter(), clock, metrics,
                gate, observer, config, workers, new VertxScheduler(vertx, clock));
    }

    /** Starts the observer, then consumes actions on a thread of its own. */
    public void start() {
        observer.start();
        consumer = new KafkaConsumer<>(consumerProps(), new StringDeserializer(),
                Topics.ACTIONS.valueSerde().deserializer());
        consumer.subscribe(List.of(Topics.ACTIONS.name()), new Rebalance());
        running.set(true);
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
        lane.job = dispatcher.dispatch(next.action(), state.ready);
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
            Map<TopicPartition, Long> ends = consumer.endOffsets(results);
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
        if (consumer != null) {
            consumer.wakeup();
        }
        producer.close(Duration.ZERO);
        join();
        shutdown(true);
        log.warn("Remediator aborted");
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

        private CompletableFuture<Void> send(ProducerRecord<String, Object> record) {
            CompletableFuture<Void> acked = new CompletableFuture<>();
            if (aborted) {
                acked.completeExceptionally(new IllegalStateException("the remediator was aborted"));
                return acked;
            }
            try {
                producer.send(record, (metadata, error) -> {
                    if (error != null) {
                        acked.completeExceptionally(error);
                    } else {
                        acked.complete(null);
                    }
                });
            } catch (RuntimeException e) {
                acked.completeExceptionally(e);
            }
            return acked;
        }
    }
}
