package io.reflex.remediator;

import java.time.Instant;
import java.util.Objects;

/**
 * What an {@link ActionGate} decided for one action.
 *
 * @param kind      what happens to the action
 * @param guardrail the name of the limit that decided it ({@code rate-limit}, {@code kill-switch}, …);
 *                  null only for {@link Kind#ALLOW}
 * @param reason    for people, written on the {@code GUARDRAIL} timeline entry and in the result:
 *                  which limit and why; null only for {@link Kind#ALLOW}
 * @param retryAt   for {@link Kind#HOLD}: when to ask again (the action is re-checked then, or
 *                  at its deadline if that comes first); null otherwise
 */
public record GateDecision(Kind kind, String guardrail, String reason, Instant retryAt) {

    public enum Kind {
        /** Run it. */
        ALLOW,
        /** Rehearse it: reported SKIPPED with what it would have done; the connector is not called. */
        DRY_RUN,
        /** Not now: its target's queue waits until {@code retryAt}; past the action's deadline it is SKIPPED. */
        HOLD,
        /** Never: reported REJECTED with the reason. */
        REFUSE,
        /** Not by automation: reported SKIPPED and the incident gets an ESCALATED entry. */
        ESCALATE
    }

    private static final GateDecision ALLOW = new GateDecision(Kind.ALLOW, null, null, null);

    public GateDecision {
        Objects.requireNonNull(kind, "kind");
        if (kind != Kind.ALLOW) {
            if (guardrail == null || guardrail.isBlank()) {
                throw new IllegalArgumentException(kind + " must name the guardrail that decided it");
            }
            if (reason == null || reason.isBlank()) {
                throw new IllegalArgumentException(kind + " must say why");
            }
        }
        if (kind == Kind.HOLD && retryAt == null) {
            throw new IllegalArgumentException("HOLD needs retryAt: when to check the action again");
        }
    }

    public static GateDecision allow() {
        return ALLOW;
    }

    public static GateDecision dryRun(String guardrail, String reason) {
        return new GateDecision(Kind.DRY_RUN, guardrail, reason, null);
    }

    public static GateDecision hold(String guardrail, String reason, Instant retryAt) {
        return new GateDecision(Kind.HOLD, guardrail, reason, retryAt);
    }

    public static GateDecision refuse(String guardrail, String reason) {
        return new GateDecision(Kind.REFUSE, guardrail, reason, null);
    }

    public static GateDecision escalate(String guardrail, String reason) {
        return new GateDecision(Kind.ESCALATE, guardrail, reason, null);
    }
}
