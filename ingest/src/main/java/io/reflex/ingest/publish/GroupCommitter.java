package io.reflex.ingest.publish;

import io.reflex.ingest.publish.PublishFailedException.Reason;
import io.reflex.ingest.publish.RecordsRefusedException.Refusal;
import io.reflex.model.AlertEvent;
import io.reflex.model.Topics;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit: concurrent publishes are queued, and one thread takes everything queued (up to
 * the batch bounds), writes it in one transaction, and then answers every caller of the batch
 * at once: all stored, or all failed with nothing visible. One transaction per batch instead of
 * per request keeps the commit cost flat under load.
 *
 * <p>Bounds, so memory stays flat and every caller hears back in time while Kafka is down:
 * <ul>
 *   <li>the queue holds at most {@code maxQueuedAlerts} / {@code maxQueuedBytes}; beyond that a
 *       publish fails at once ({@link Reason#QUEUE_FULL});</li>
 *   <li>each caller has a deadline ({@code ackTimeout} after it arrived). Still queued then: it is
 *       taken out and never written ({@link Reason#TIMED_OUT}). In a transaction Kafka has not
 *       confirmed yet: it is answered {@link Reason#UNCONFIRMED} and the transaction goes on.</li>
 * </ul>
 *
 * <p>The one outcome that cannot be bounded is a commit Kafka received but did not confirm: it
 * may still land after its callers were answered. When it does, the alerts' ids are remembered
 * (the last {@value #REMEMBERED_IDS}), and a resend of them is answered as stored without writing
 * them again; so an alert a sender was told is stored is in {@code reflex.alerts} exactly once.
 *
 * <p>A record Kafka refuses for itself (too large) fails only itself: its transaction is retried
 * at once with the alert as a dead letter instead ({@link AlertRecords}).
 */
public final class GroupCommitter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GroupCommitter.class);

    /** Alerts remembered as committed although their callers were told otherwise. */
    static final int REMEMBERED_IDS = 10_000;

    private static final int QUEUED = 0;
    private static final int CLAIMED = 1;
    private static final int DONE = 2;
    private static final int EXPIRED = 3;

    private final BatchWriter writer;
    private final AlertRecords records;
    private final PublishLimits limits;
    private final Duration ackTimeout;
    private final PublisherMetrics metrics;
    private final Deadlines deadlines;
    private final Thread thread;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final ArrayDeque<Entry> queue = new ArrayDeque<>();
    private int queuedAlerts;
    private long queuedBytes;
    private boolean closed;

    /** Touched by the committer thread only. */
    private final Map<String, Boolean> committedUnconfirmed = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED_IDS;
        }
    };

    /**
     * @param ackTimeout how long a caller waits at most, from its publish to its answer
     */
    public GroupCommitter(BatchWriter writer, AlertRecords records, PublishLimits limits, Duration ackTimeout,
            PublisherMetrics metrics, Deadlines deadlines, String threadName) {
        this.writer = writer;
        this.records = records;
        this.limits = limits.requireValid();
        this.ackTimeout = ackTimeout;
        this.metrics = metrics;
        this.deadlines = deadlines;
        this.thread = new Thread(this::run, threadName);
        this.thread.setDaemon(true);
    }

    /** Starts the committer thread. */
    public void start() {
        thread.start();
    }

    /**
     * Queues the events for the next transaction. Never blocks: the stage completes on the
     * committer thread (or the deadline thread), with every event either stored or dead-lettered,
     * or fails with a {@link PublishFailedException} and nothing stored.
     */
    public CompletionStage<PublishResult> submit(List<AlertEvent> events) {
        if (events.isEmpty()) {
            return CompletableFuture.completedFuture(new PublishResult(List.of(), List.of()));
        }
        Planned[] plan = new Planned[events.size()];
        long bytes = 0;
        for (int i = 0; i < plan.length; i++) {
            plan[i] = records.plan(events.get(i));
            bytes += plan[i].bytes();
        }
        Entry entry = new Entry(plan, bytes);
        Reason refused = null;
        String why = null;
        lock.lock();
        try {
            if (closed) {
                refused = Reason.CLOSED;
                why = "the alert publisher is closed";
            } else if (!queue.isEmpty() && (queuedAlerts + plan.length > limits.maxQueuedAlerts()
                    || queuedBytes + bytes > limits.maxQueuedBytes())) {
                refused = Reason.QUEUE_FULL;
                why = "the publish queue is full (" + queuedAlerts + " alerts, " + queuedBytes + " bytes waiting; "
                        + "ingest.publish.maxQueuedAlerts=" + limits.maxQueuedAlerts() + ", maxQueuedBytes="
                        + limits.maxQueuedBytes() + "): Kafka is slow or unreachable";
            } else {
                // Under the lock, so the deadline cannot fire before the entry is in the queue.
                entry.cancelDeadline = deadlines.schedule(ackTimeout, () -> expire(entry));
                queue.addLast(entry);
                queuedAlerts += plan.length;
                queuedBytes += bytes;
                metrics.queue(thread.getName(), queuedAlerts, queuedBytes);
                notEmpty.signal();
            }
        } catch (RejectedExecutionException e) {
            refused = Reason.CLOSED;
            why = "the alert publisher is closed";
        } finally {
            lock.unlock();
        }
        if (refused != null) {
            entry.state.set(DONE);
            fail(entry, new PublishFailedException(refused, why));
        }
        return entry.result;
    }

    /** The deadline of an entry: fail it unless it is answered already. */
    private void expire(Entry entry) {
        int previous;
        do {
            previous = entry.state.get();
            if (previous == DONE || previous == EXPIRED) {
                return;
            }
        } while (!entry.state.compareAndSet(previous, EXPIRED));
        long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - entry.arrivedNanos);
        if (previous == QUEUED) {
            lock.lock();
            try {
                if (queue.remove(entry)) {
                    queuedAlerts -= entry.plan.length;
                    queuedBytes -= entry.bytes;
                    metrics.queue(thread.getName(), queuedAlerts, queuedBytes);
                }
            } finally {
                lock.unlock();
            }
            fail(entry, new PublishFailedException(Reason.TIMED_OUT, "waited " + waitedMs + " ms in the publish queue "
                    + "behind earlier transactions without reaching Kafka; Kafka is slow or unreachable"));
        } else {
            fail(entry, new PublishFailedException(Reason.UNCONFIRMED, "Kafka did not confirm the transaction within "
                    + waitedMs + " ms; if it commits after all, a resend of these alerts is acknowledged without "
                    + "storing them twice"));
        }
    }

    private void fail(Entry entry, PublishFailedException error) {
        metrics.failed(error.reason(), entry.plan.length);
        entry.result.completeExceptionally(error);
    }

    private void run() {
        try {
            writer.open();
        } catch (RuntimeException e) {
            LOG.warn("the alert writer could not prepare ({}); the first publish tries again", e.toString());
        }
        List<Entry> batch;
        while ((batch = take()) != null) {
            try {
                commit(batch);
            } catch (RuntimeException e) {
                // A bug, not a Kafka failure: answer the callers rather than leave them to their deadline.
                LOG.error("publishing a batch of {} request(s) failed unexpectedly", batch.size(), e);
                for (Entry entry : batch) {
                    if (entry.state.compareAndSet(CLAIMED, DONE)) {
                        entry.cancelDeadline.run();
                        fail(entry, new PublishFailedException(Reason.KAFKA, "publishing failed unexpectedly: " + e, e));
                    }
                }
            }
        }
    }

    /** The next batch: waits for a first entry, then takes what follows within the batch bounds. Null once closed and drained. */
    private List<Entry> take() {
        lock.lock();
        try {
            while (queue.isEmpty()) {
                if (closed) {
                    return null;
                }
                notEmpty.awaitUninterruptibly();
            }
            List<Entry> batch = new ArrayList<>();
            int alerts = 0;
            long bytes = 0;
            while (!queue.isEmpty()) {
                Entry next = queue.peekFirst();
                if (!batch.isEmpty() && (alerts + next.plan.length > limits.maxBatchAlerts()
                        || bytes + next.bytes > limits.maxBatchBytes())) {
                    break;
                }
                queue.pollFirst();
                batch.add(next);
                alerts += next.plan.length;
                bytes += next.bytes;
            }
            queuedAlerts -= alerts;
            queuedBytes -= bytes;
            metrics.queue(thread.getName(), queuedAlerts, queuedBytes);
            return batch;
        } finally {
            lock.unlock();
        }
    }

    private void commit(List<Entry> batch) {
        List<Entry> live = new ArrayList<>(batch.size());
        for (Entry entry : batch) {
            if (entry.state.compareAndSet(QUEUED, CLAIMED)) {
                live.add(entry);
            }
        }
        skipRemembered(live);
        while (true) {
            // Expired before this attempt: none of its records was written (or an earlier attempt
            // was aborted), so leave it out; its caller was answered already.
            live.removeIf(entry -> entry.state.get() == EXPIRED);
            List<TopicRecord> batchRecords = new ArrayList<>();
            List<int[]> slots = new ArrayList<>();
            for (int e = 0; e < live.size(); e++) {
                Planned[] plan = live.get(e).plan;
                for (int i = 0; i < plan.length; i++) {
                    if (plan[i].record() != null) {
                        batchRecords.add(plan[i].record());
                        slots.add(new int[] {e, i});
                    }
                }
            }
            if (batchRecords.isEmpty()) {
                finish(live);
                return;
            }
            long start = System.nanoTime();
            try {
                writer.write(batchRecords);
                metrics.transaction("committed", start, batchRecords.size());
                finish(live);
                return;
            } catch (RecordsRefusedException refused) {
                metrics.transaction("refused", start, batchRecords.size());
                List<Entry> failed = new ArrayList<>();
                boolean changed = false;
                for (Refusal refusal : refused.refusals()) {
                    if (refusal.index() < 0 || refusal.index() >= slots.size()) {
                        continue;
                    }
                    int[] slot = slots.get(refusal.index());
                    Entry entry = live.get(slot[0]);
                    Planned planned = entry.plan[slot[1]];
                    if (planned.isDeadLetter()) {
                        failed.add(entry);
                    } else {
                        entry.plan[slot[1]] = records.deadLetter(planned.alert(), refusal.reason(),
                                "Kafka refused the alert's record: " + refusal.error() + ". Shorten the alert at the "
                                        + "source, or raise max.message.bytes of " + Topics.ALERTS.name() + ".",
                                Map.of("topic", Topics.ALERTS.name(), "error", refusal.error()));
                        LOG.warn("Kafka refused alert {} ({}@{}): {}; retrying its transaction with the alert as a "
                                + "dead letter", planned.alert().id(), planned.alert().name(),
                                planned.alert().resource().key(), refusal.error());
                    }
                    changed = true;
                }
                for (Entry entry : failed) {
                    live.remove(entry);
                    if (entry.state.compareAndSet(CLAIMED, DONE)) {
                        entry.cancelDeadline.run();
                        fail(entry, new PublishFailedException(Reason.DEAD_LETTER_REFUSED, "Kafka refused the dead "
                                + "letter of an alert of this request on " + Topics.ALERTS_DLQ.name() + " ("
                                + refused.getMessage() + "); check that topic's max.message.bytes"));
                    }
                }
                if (!changed) {
                    failAll(live, Reason.KAFKA, refused.getMessage(), refused, false);
                    return;
                }
                // Each round turns at least one record into a dead letter or drops a request: it ends.
            } catch (WriteFailedException failed) {
                metrics.transaction(failed.inDoubt() ? "in_doubt" : "failed", start, batchRecords.size());
                failAll(live, Reason.KAFKA, failed.getMessage(), failed, failed.inDoubt());
                return;
            }
        }
    }

    /** Marks alerts an earlier, belatedly committed transaction holds already, so they are not written again. */
    private void skipRemembered(List<Entry> live) {
        if (committedUnconfirmed.isEmpty()) {
            return;
        }
        for (Entry entry : live) {
            for (int i = 0; i < entry.plan.length; i++) {
                Planned planned = entry.plan[i];
                if (!planned.isDeadLetter() && committedUnconfirmed.containsKey(planned.alert().id())) {
                    entry.plan[i] = Planned.alreadyStored(planned.alert());
                    LOG.info("alert {} ({}@{}) was committed by an earlier transaction whose sender was told it was "
                            + "not; acknowledging the resend without storing it again", planned.alert().id(),
                            planned.alert().name(), planned.alert().resource().key());
                }
            }
        }
    }

    /** Their transaction committed: answer each caller, or remember the alerts of callers answered already. */
    private void finish(List<Entry> live) {
        for (Entry entry : live) {
            List<AlertEvent> stored = new ArrayList<>(entry.plan.length);
            List<DeadLettered> deadLettered = new ArrayList<>();
            for (Planned planned : entry.plan) {
                if (planned.isDeadLetter()) {
                    deadLettered.add(planned.deadLettered());
                    metrics.deadLetter(planned.deadLettered().reason());
                } else {
                    stored.add(planned.alert());
                }
            }
            if (entry.state.compareAndSet(CLAIMED, DONE)) {
                entry.cancelDeadline.run();
                entry.result.complete(new PublishResult(stored, deadLettered));
            } else {
                stored.forEach(alert -> committedUnconfirmed.put(alert.id(), Boolean.TRUE));
                LOG.warn("Kafka committed {} alert(s) after their sender was answered that they were not confirmed; a "
                        + "resend of them will be acknowledged without storing them again: {}", stored.size(),
                        stored.stream().map(AlertEvent::id).toList());
            }
        }
    }

    private void failAll(List<Entry> live, Reason reason, String why, Throwable cause, boolean inDoubt) {
        int answered = 0;
        for (Entry entry : live) {
            if (entry.state.compareAndSet(CLAIMED, DONE)) {
                entry.cancelDeadline.run();
                fail(entry, new PublishFailedException(reason, why, cause));
                answered++;
            }
        }
        if (inDoubt) {
            LOG.warn("the outcome of a transaction of {} request(s) is unknown ({}); a resend may store their alerts "
                    + "a second time", live.size(), why);
        } else {
            LOG.warn("Kafka did not store {} request(s) ({} still waiting for an answer): {}", live.size(), answered,
                    why);
        }
    }

    /**
     * Stops taking publishes, lets the committer finish what is queued (within the ack timeout),
     * then closes the writer and fails whatever is left with {@link Reason#CLOSED}.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            notEmpty.signalAll();
        } finally {
            lock.unlock();
        }
        boolean stopped = join(ackTimeout);
        if (!stopped) {
            LOG.warn("the alert publisher is still writing after {} ms; closing the Kafka producer under it",
                    ackTimeout.toMillis());
        }
        writer.close();
        if (!stopped && !join(Duration.ofSeconds(10))) {
            LOG.warn("the alert publisher thread did not stop; its callers are answered as closed");
        }
        List<Entry> left;
        lock.lock();
        try {
            left = new ArrayList<>(queue);
            queue.clear();
            queuedAlerts = 0;
            queuedBytes = 0;
            metrics.queue(thread.getName(), 0, 0);
        } finally {
            lock.unlock();
        }
        for (Entry entry : left) {
            if (entry.state.compareAndSet(QUEUED, DONE)) {
                entry.cancelDeadline.run();
                fail(entry, new PublishFailedException(Reason.CLOSED, "the alert publisher closed before Kafka "
                        + "stored these alerts"));
            }
        }
        deadlines.close();
    }

    private boolean join(Duration bound) {
        if (!thread.isAlive()) {
            return true;
        }
        try {
            thread.join(Math.max(1, bound.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !thread.isAlive();
    }

    /** One publish: its alerts' plans, its caller's stage and where it stands. */
    private static final class Entry {
        /** Replaced per alert by the committer thread only (dead letters, alerts stored already). */
        final Planned[] plan;
        final long bytes;
        final long arrivedNanos = System.nanoTime();
        final CompletableFuture<PublishResult> result = new CompletableFuture<>();
        /** QUEUED to CLAIMED by the committer; to DONE by whoever answers; to EXPIRED by the deadline. */
        final AtomicInteger state = new AtomicInteger(QUEUED);
        volatile Runnable cancelDeadline = () -> { };

        Entry(Planned[] plan, long bytes) {
            this.plan = plan;
            this.bytes = bytes;
        }
    }
}
