package io.reflex.ingest.probe;

import io.vertx.core.Future;

/**
 * One kind of check a {@link Probe} runs: {@link HttpCheck}, {@link TcpCheck} or {@link CommandCheck}.
 */
@FunctionalInterface
public interface Check {

    /**
     * Checks the target once. The future completes on the caller's Vert.x context, within the
     * probe's timeout (plus the time to stop a command), and should not fail: trouble is an
     * unhealthy {@link CheckResult} that says what went wrong.
     */
    Future<CheckResult> run();
}
