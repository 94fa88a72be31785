package io.reflex.remediator;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * One circuit breaker per connector. Closed: every action passes. After {@code failures}
 * failed or timed-out attempts in a row it opens for {@code coolDown}: actions are held. Then
 * half-open: one trial action passes; its success closes the breaker, its failure opens it again.
 */
final class CircuitBreakers {
    /** How often actions held behind a half-open breaker's trial look again. */
    private static final Duration TRIAL_RECHECK = Duration.ofSeconds(1);

    /**
     * @param trial   whether the caller is the half-open breaker's trial (must report back)
     * @param reason  when blocked: why, for the GUARDRAIL entry
     * @param retryAt when blocked: when to ask again
     */
    record Admission(boolean allowed, boolean trial, String reason, Instant retryAt) {
    }

    private static final class State {
        int consecutiveFailures;
        Instant openUntil;
        boolean trialRunning;
    }

    private final int failures;
    private final Duration coolDown;
    private final Map<String, State> states = new HashMap<>();

    CircuitBreakers(int failures, Duration coolDown) {
        this.failures = failures;
        this.coolDown = coolDown;
    }

    synchronized Admission admit(String connector, Instant now) {
        State state = states.computeIfAbsent(connector, c -> new State());
        if (state.openUntil == null) {
            return new Admission(true, false, null, null);
        }
        if (now.isBefore(state.openUntil)) {
            return new Admission(false, false, "circuit open for connector " + connector + " after "
                    + state.consecutiveFailures + " failures until " + state.openUntil, state.openUntil);
        }
        if (state.trialRunning) {
            Duration wait = coolDown.compareTo(TRIAL_RECHECK) < 0 ? coolDown : TRIAL_RECHECK;
            return new Admission(false, false, "circuit half-open for connector " + connector + " after "
                    + state.consecutiveFailures + " failures: waiting for the trial action", now.plus(wait));
        }
        state.trialRunning = true;
        return new Admission(true, true, null, null);
    }

    /** An attempt succeeded: the connector works. */
    synchronized void succeeded(String connector) {
        State state = states.computeIfAbsent(connector, c -> new State());
        state.consecutiveFailures = 0;
        state.openUntil = null;
        state.trialRunning = false;
    }

    /** An attempt failed or timed out. */
    synchronized void failed(String connector, boolean trial, Instant now) {
        State state = states.computeIfAbsent(connector, c -> new State());
        state.consecutiveFailures++;
        if (trial || state.consecutiveFailures >= failures) {
            state.openUntil = now.plus(coolDown);
        }
        if (trial) {
            state.trialRunning = false;
        }
    }

    /** An attempt that says nothing about the connector's health (a refusal). */
    synchronized void neutral(String connector, boolean trial) {
        if (trial) {
            states.computeIfAbsent(connector, c -> new State()).trialRunning = false;
        }
    }
}
