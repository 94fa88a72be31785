package io.reflex.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * The approval of one action that needs a person's yes before it runs, on the compacted topic
 * {@code reflex.approvals} keyed by the action id. The remediator writes it {@link State#AWAITING}
 * when it parks the action; approve and reject (any process's API) and expiry (the remediator
 * owning the action) write the decision. Readers keep the first decision after the request: a
 * second one racing it is ignored.
 *
 * @param action      the action as requested (its {@code requiresApproval} is true)
 * @param requestedAt when the remediator parked it
 * @param expiresAt   when it expires unless decided
 * @param decidedBy   who decided ({@code X-Reflex-Author}, or {@code reflex} for an expiry); null while AWAITING
 * @param decidedAt   null while AWAITING
 * @param reason      why, as given by the person (optional), or why it expired
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Approval(
        Action action,
        State state,
        Instant requestedAt,
        Instant expiresAt,
        String decidedBy,
        Instant decidedAt,
        String reason) {

    public enum State {
        AWAITING,
        APPROVED,
        REJECTED,
        EXPIRED;

        public boolean decided() {
            return this != AWAITING;
        }
    }

    public Approval {
        Names.require(action, "action");
        Names.require(state, "state");
        Names.require(requestedAt, "requestedAt");
        Names.require(expiresAt, "expiresAt");
        if (state.decided()) {
            Names.requireText(decidedBy, "decidedBy");
            Names.require(decidedAt, "decidedAt");
        }
    }

    /** A new request, waiting for a decision until {@code expiresAt}. */
    public static Approval request(Action action, Instant requestedAt, Instant expiresAt) {
        return new Approval(action, State.AWAITING, requestedAt, expiresAt, null, null, null);
    }

    /** The decision, keeping the request. */
    public Approval decide(State decision, String by, Instant at, String why) {
        if (!decision.decided()) {
            throw new IllegalArgumentException("a decision is APPROVED, REJECTED or EXPIRED, not " + decision);
        }
        return new Approval(action, decision, requestedAt, expiresAt, by, at, why);
    }

    public String actionId() {
        return action.id();
    }
}
