package io.reflex.ingest.publish;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A {@link BatchWriter} in memory: it records every write, commits by default, and can be told
 * to hold the next write until released (a slow commit) or to fail it in a given way.
 */
final class FakeWriter implements BatchWriter {

    /** What one write does. */
    interface Step {
        void run(List<TopicRecord> records) throws RecordsRefusedException, WriteFailedException;
    }

    static final Step COMMIT = records -> { };

    /** Every write, committed or not, in order. */
    final List<List<TopicRecord>> writes = new CopyOnWriteArrayList<>();
    /** The writes that committed. */
    final List<List<TopicRecord>> committed = new CopyOnWriteArrayList<>();
    private final Deque<Step> steps = new ArrayDeque<>();
    private volatile CountDownLatch gate;
    volatile boolean closed;

    /** The next writes do these, in order; later ones commit. */
    synchronized FakeWriter then(Step... next) {
        steps.addAll(List.of(next));
        return this;
    }

    /** Writes from now on wait for {@link #release()}. */
    void hold() {
        gate = new CountDownLatch(1);
    }

    void release() {
        CountDownLatch current = gate;
        gate = null;
        if (current != null) {
            current.countDown();
        }
    }

    @Override
    public void write(List<TopicRecord> records) throws RecordsRefusedException, WriteFailedException {
        writes.add(List.copyOf(records));
        CountDownLatch current = gate;
        if (current != null) {
            try {
                if (!current.await(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the test never released the writer");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        Step step;
        synchronized (this) {
            step = steps.isEmpty() ? COMMIT : steps.poll();
        }
        step.run(records);
        committed.add(List.copyOf(records));
    }

    /** The topics of every committed record, in order. */
    List<String> committedTopics() {
        List<String> topics = new ArrayList<>();
        committed.forEach(write -> write.forEach(r -> topics.add(r.topic())));
        return topics;
    }

    @Override
    public void close() {
        closed = true;
        release();
    }
}
