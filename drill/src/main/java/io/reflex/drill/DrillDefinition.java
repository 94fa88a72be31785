package io.reflex.drill;

import java.time.Duration;
import java.util.Objects;

/**
 * One drill, as written in a drill file ({@link DrillFile}): what "healthy" means, the fault to
 * inject, the remediation Reflex is expected to run, how fast it must recover and what to undo
 * when it does not.
 *
 * @param timeout how long to wait for the recovery before giving up (and undoing the fault)
 */
public record DrillDefinition(
        String name,
        SteadyState steadyState,
        Fault fault,
        Expectation expect,
        Duration slo,
        Duration timeout,
        Undo undo,
        DrillMode mode) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);

    public DrillDefinition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(steadyState, "steadyState");
        Objects.requireNonNull(fault, "fault");
        Objects.requireNonNull(expect, "expect");
        Objects.requireNonNull(slo, "slo");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(undo, "undo");
        Objects.requireNonNull(mode, "mode");
    }
}
