package io.reflex.remediator.rollout;

import java.time.Duration;
import java.util.Objects;

/**
 * Checks a {@link HealthGate} once. {@link Probes#builtIn()} does HTTP, TCP and commands;
 * tests pass their own.
 */
@FunctionalInterface
public interface Probe {

    /**
     * One check, returning within {@code timeout} (or shortly after).
     *
     * @throws InterruptedException when the rollout is interrupted (shutdown)
     */
    Result check(HealthGate gate, Duration timeout) throws InterruptedException;

    /**
     * @param detail for people: what the check saw ({@code HTTP 503}, {@code connection refused})
     */
    record Result(boolean healthy, String detail) {
        public Result {
            Objects.requireNonNull(detail, "detail");
        }

        public static Result healthy(String detail) {
            return new Result(true, detail);
        }

        public static Result unhealthy(String detail) {
            return new Result(false, detail);
        }
    }
}
