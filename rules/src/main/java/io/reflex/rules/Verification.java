package io.reflex.rules;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.reflex.model.Action;
import io.reflex.model.ActionType;
import java.time.Duration;
import java.time.Instant;

/**
 * An executed action whose incident must recover after it succeeds, as the verifications store
 * keeps it: first waiting for the action's result ({@code succeededAt} null), then, once it
 * succeeded, for the incident's alert to resolve before {@code deadline}.
 *
 * @param incidentKey the incident's key in the open incidents store ({@code resourceKey|alertName})
 * @param target      the action's target, for people ({@code service:demo-shop})
 * @param decidedAt   when the action was decided, to forget one whose result never comes
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record Verification(String actionId, String incidentId, String incidentKey, String rule, ActionType type,
        String target, Instant decidedAt, Instant succeededAt, Instant deadline) {

    /** An action decided for the incident under {@code incidentKey}, its result still to come. */
    static Verification awaitingResult(Action action, String incidentKey) {
        return new Verification(action.id(), action.incidentId(), incidentKey, action.rule().name(), action.type(),
                action.target().key(), action.createdAt(), null, null);
    }

    /**
     * Whether an action of this type is expected to make its incident recover: a notification or
     * an escalation tells people and changes nothing, so nothing is verified after it.
     */
    static boolean verifies(ActionType type) {
        return type != ActionType.NOTIFY && type != ActionType.ESCALATE;
    }

    /** The store key: by incident first, so the verifications of one incident are one prefix. */
    static String key(String incidentId, String actionId) {
        return prefix(incidentId) + actionId;
    }

    static String prefix(String incidentId) {
        return incidentId + "/";
    }

    @JsonIgnore
    String key() {
        return key(incidentId, actionId);
    }

    Verification succeeded(Instant at, Duration within) {
        return new Verification(actionId, incidentId, incidentKey, rule, type, target, decidedAt, at,
                at.plus(within));
    }

    /** Whether the action succeeded, so the incident is being watched for recovery. */
    @JsonIgnore
    boolean watching() {
        return succeededAt != null;
    }

    boolean overdue(Instant now) {
        return deadline != null && !deadline.isAfter(now);
    }

    /** {@code restart_service service:demo-shop}, as the timeline says it. */
    @JsonIgnore
    String what() {
        return (type == null ? "action" : type.wireName()) + " " + target;
    }

    /** A duration as people read it on the timeline: {@code 4.2s}, {@code 5m}, {@code 1h30m}. */
    static String human(Duration duration) {
        if (duration.isNegative()) {
            duration = Duration.ZERO;
        }
        if (duration.compareTo(Duration.ofSeconds(1)) < 0) {
            // A local restart heals in milliseconds; "0s" would read as no time at all.
            return duration.toMillis() + " ms";
        }
        if (duration.compareTo(Duration.ofMinutes(1)) < 0) {
            long tenths = Math.round(duration.toMillis() / 100.0);
            return tenths % 10 == 0 ? tenths / 10 + "s" : tenths / 10 + "." + tenths % 10 + "s";
        }
        StringBuilder text = new StringBuilder();
        if (duration.toHours() > 0) {
            text.append(duration.toHours()).append('h');
        }
        if (duration.toMinutesPart() > 0) {
            text.append(duration.toMinutesPart()).append('m');
        }
        if (duration.toSecondsPart() > 0) {
            text.append(duration.toSecondsPart()).append('s');
        }
        return text.toString();
    }
}
