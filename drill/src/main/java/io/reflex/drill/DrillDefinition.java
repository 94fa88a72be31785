package io.reflex.drill;

import java.time.Duration;
import java.util.Objects;

/**
 * One drill, as written in a drill file ({@link DrillFile}): what "healthy" means, the fault to
 * inject, the remediation Reflex is expected to run, how fast it must recover and what to undo
 * when it does not.
 *
 * @param steadyState null only in dry-run mode (nothing real is touched, so nothing is probed)
 * @param timeout     how long to wait for the recovery before giving up (and undoing the fault)
 * @param alert       the alert a dry run sends for a fault other than an alert storm; null otherwise
 * @param abort       when a live drill stops early ({@link Abort#NONE}: never)
 */
public record DrillDefinition(
        String name,
        SteadyState steadyState,
        Fault fault,
        Expectation expect,
        Duration slo,
        Duration timeout,
        Undo undo,
        DrillMode mode,
        SyntheticAlert alert,
        Abort abort) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);

    public DrillDefinition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(fault, "fault");
        Objects.requireNonNull(expect, "expect");
        Objects.requireNonNull(slo, "slo");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(undo, "undo");
        Objects.requireNonNull(mode, "mode");
        abort = abort == null ? Abort.NONE : abort;
        if (mode == DrillMode.LIVE) {
            Objects.requireNonNull(steadyState, "steadyState (a live drill needs one)");
            if (fault instanceof Fault.AlertStorm) {
                throw new IllegalArgumentException("an alert storm is synthetic: it runs in dry-run mode only");
            }
        } else if (!(fault instanceof Fault.AlertStorm)) {
            Objects.requireNonNull(alert, "alert (a dry run sends it instead of injecting the fault)");
        }
    }

    /** A live drill without an alert section or abort conditions (the first slice's shape). */
    public DrillDefinition(String name, SteadyState steadyState, Fault fault, Expectation expect, Duration slo,
            Duration timeout, Undo undo, DrillMode mode) {
        this(name, steadyState, fault, expect, slo, timeout, undo, mode, null, Abort.NONE);
    }
}
