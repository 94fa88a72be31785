package io.reflex.remediator;

import java.time.Instant;

/**
 * Runs a task at an instant of the injected clock, without holding a worker meanwhile: held
 * actions, retry backoffs and time-out watchdogs wait here. Tasks must be quick (they hand
 * work to the worker pool).
 */
interface Scheduler {

    /** A scheduled task; {@link #cancel()} answers whether it was cancelled before it ran. */
    interface Scheduled {
        boolean cancel();
    }

    Scheduled at(Instant when, Runnable task);
}
