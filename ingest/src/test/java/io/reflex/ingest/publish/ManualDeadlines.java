package io.reflex.ingest.publish;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/** Deadlines that pass only when the test says so. */
final class ManualDeadlines implements Deadlines {

    private record Task(Runnable task, AtomicBoolean cancelled) {
    }

    private final List<Task> tasks = new CopyOnWriteArrayList<>();

    @Override
    public Runnable schedule(Duration delay, Runnable task) {
        Task scheduled = new Task(task, new AtomicBoolean());
        tasks.add(scheduled);
        return () -> scheduled.cancelled().set(true);
    }

    /** Lets every deadline scheduled so far pass (those not cancelled run). */
    void passAll() {
        for (Task task : tasks) {
            tasks.remove(task);
            if (!task.cancelled().get()) {
                task.task().run();
            }
        }
    }

    /** Deadlines scheduled and neither passed nor cancelled. */
    long pending() {
        return tasks.stream().filter(t -> !t.cancelled().get()).count();
    }

    @Override
    public void close() {
        tasks.clear();
    }
}
