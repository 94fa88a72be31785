package io.reflex.remediator;

import io.reflex.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** A {@link Scheduler} on a {@link MutableClock}: tasks run, in time order, when a test advances the clock past them. */
final class ManualScheduler implements Scheduler {
    private final MutableClock clock;
    private final List<Task> tasks = new ArrayList<>();
    private long sequence;

    private final class Task implements Scheduled {
        final Instant when;
        final long order;
        final Runnable run;

        Task(Instant when, long order, Runnable run) {
            this.when = when;
            this.order = order;
            this.run = run;
        }

        @Override
        public boolean cancel() {
            synchronized (ManualScheduler.this) {
                return tasks.remove(this);
            }
        }
    }

    ManualScheduler(MutableClock clock) {
        this.clock = clock;
    }

    @Override
    public synchronized Scheduled at(Instant when, Runnable task) {
        Task t = new Task(when, sequence++, task);
        tasks.add(t);
        return t;
    }

    synchronized int pending() {
        return tasks.size();
    }

    /** Moves the clock by {@code by}, running every task that comes due on the way at its own time. */
    void advance(Duration by) {
        Instant end = clock.instant().plus(by);
        while (true) {
            Task next;
            synchronized (this) {
                next = tasks.stream().filter(t -> !t.when.isAfter(end))
                        .min(Comparator.comparing((Task t) -> t.when).thenComparingLong(t -> t.order)).orElse(null);
                if (next != null) {
                    tasks.remove(next);
                }
            }
            if (next == null) {
                break;
            }
            if (next.when.isAfter(clock.instant())) {
                clock.advance(Duration.between(clock.instant(), next.when));
            }
            next.run.run();
        }
        if (end.isAfter(clock.instant())) {
            clock.advance(Duration.between(clock.instant(), end));
        }
    }
}
