package io.reflex.ingest.publish;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Runs a task once a deadline passes, on a thread of its own: the committer's thread may be
 * blocked in Kafka exactly when a caller's deadline comes. Tests fire deadlines by hand.
 */
public interface Deadlines extends AutoCloseable {

    /**
     * Runs {@code task} after {@code delay}.
     *
     * @return cancels the task (a no-op once it ran)
     */
    Runnable schedule(Duration delay, Runnable task);

    @Override
    void close();

    /** Deadlines on one daemon thread named {@code threadName}. */
    static Deadlines onThread(String threadName) {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, threadName);
            thread.setDaemon(true);
            return thread;
        });
        // Most requests finish long before their deadline: drop their tasks at once, not when due.
        executor.setRemoveOnCancelPolicy(true);
        return new Deadlines() {
            @Override
            public Runnable schedule(Duration delay, Runnable task) {
                ScheduledFuture<?> future = executor.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
                return () -> future.cancel(false);
            }

            @Override
            public void close() {
                executor.shutdownNow();
            }
        };
    }
}
