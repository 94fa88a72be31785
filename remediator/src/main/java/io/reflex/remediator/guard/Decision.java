package io.reflex.remediator.guard;

/** What the guardrails let the dispatcher do with an action, just before it runs. */
public enum Decision {
    /** Run it as it is. */
    ALLOW,
    /** Rehearse it: guardrails and approvals run, the connector does not. */
    DRY_RUN,
    /** Not now: check again at {@link Verdict#retryAt()} (a hold past the action's deadline becomes SKIPPED). */
    HOLD,
    /** Never: report it as REJECTED with the reason. */
    REFUSE,
    /** Do not run it; escalate the incident to people instead. */
    ESCALATE
}
