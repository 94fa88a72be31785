package io.reflex.remediator;

import io.reflex.model.Action;

/**
 * Decides whether an action may run now: the remediator asks it before every attempt and at
 * every re-check of a held action. The guardrails (rate limits, blast radius, maintenance
 * windows, kill switch, flapping) are adapted to it by the application.
 *
 * <p>Called on worker threads, possibly from several at once; it must be quick (no I/O that
 * can hang): what it needs to know about earlier actions comes through an
 * {@link ActivityListener}.
 */
@FunctionalInterface
public interface ActionGate {

    /** Lets every action run. */
    ActionGate ALLOW_ALL = action -> GateDecision.allow();

    GateDecision check(Action action);
}
