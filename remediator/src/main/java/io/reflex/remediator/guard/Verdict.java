package io.reflex.remediator.guard;

import java.time.Instant;
import java.util.Objects;

/**
 * The guardrails' answer for one action.
 *
 * @param guardrail which limit decided, e.g. {@code rateLimit:restarts-per-service}; null for {@link Decision#ALLOW}
 * @param reason    a sentence for the {@code GUARDRAIL} timeline entry: which limit, why, with the numbers
 * @param retryAt   for {@link Decision#HOLD}: when to check again; null otherwise
 */
public record Verdict(Decision decision, String guardrail, String reason, Instant retryAt) {
    private static final Verdict ALLOW = new Verdict(Decision.ALLOW, null, null, null);

    public Verdict {
        Objects.requireNonNull(decision, "decision");
        if (decision != Decision.ALLOW) {
            Objects.requireNonNull(guardrail, "guardrail");
            Objects.requireNonNull(reason, "reason");
        }
        if (decision == Decision.HOLD) {
            Objects.requireNonNull(retryAt, "retryAt is required for a HOLD");
        } else if (retryAt != null) {
            throw new IllegalArgumentException("retryAt is only for a HOLD, not " + decision);
        }
    }

    public static Verdict allow() {
        return ALLOW;
    }

    public static Verdict dryRun(String guardrail, String reason) {
        return new Verdict(Decision.DRY_RUN, guardrail, reason, null);
    }

    public static Verdict hold(String guardrail, String reason, Instant retryAt) {
        return new Verdict(Decision.HOLD, guardrail, reason, retryAt);
    }

    public static Verdict refuse(String guardrail, String reason) {
        return new Verdict(Decision.REFUSE, guardrail, reason, null);
    }

    public static Verdict escalate(String guardrail, String reason) {
        return new Verdict(Decision.ESCALATE, guardrail, reason, null);
    }

    public boolean allowed() {
        return decision == Decision.ALLOW;
    }
}
