package io.reflex.remediator;

import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/** {@link Scheduler} on Vert.x timers: the task runs on an event loop, so it only hands work on. */
final class VertxScheduler implements Scheduler {
    private final Vertx vertx;
    private final Clock clock;

    VertxScheduler(Vertx vertx, Clock clock) {
        this.vertx = vertx;
        this.clock = clock;
    }

    @Override
    public Scheduled at(Instant when, Runnable task) {
        long delay = Math.max(1, Duration.between(clock.instant(), when).toMillis());
        long id = vertx.setTimer(delay, ignored -> task.run());
        return () -> vertx.cancelTimer(id);
    }
}
