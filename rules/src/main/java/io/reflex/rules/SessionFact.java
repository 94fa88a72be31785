package io.reflex.rules;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.reflex.model.AlertEvent;
import io.reflex.rules.vocabulary.ActionOutcome;
import io.reflex.rules.vocabulary.Throttle;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A fact as the session holds it, kept in the facts store so a restarted or moved task can
 * rebuild its session: the fact and the session time it was inserted at. Exactly one of
 * {@code alert}, {@code outcome} and {@code throttle} is set; the others are left out of the
 * stored JSON, so facts stored before outcomes and throttles existed ({@code {insertedAt, alert}})
 * read as they are.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record SessionFact(long insertedAt, AlertEvent alert, ActionOutcome outcome, Throttle throttle) {

    /**
     * The order facts are re-inserted in: by time, and at one time a throttle before the alert
     * it was inserted for (so the rule that inserted it, held back by it, does not act and insert
     * it again), and an alert before an outcome.
     */
    static final Comparator<SessionFact> REPLAY_ORDER = Comparator.comparingLong(SessionFact::insertedAt)
            .thenComparingInt(SessionFact::rank)
            .thenComparing(fact -> fact.alert() == null ? null : fact.alert().receivedAt(),
                    Comparator.nullsFirst(Comparator.naturalOrder()));

    SessionFact {
        long set = Stream.of(alert, outcome, throttle).filter(f -> f != null).count();
        if (set != 1) {
            throw new IllegalArgumentException("a session fact holds exactly one of an alert, an outcome and a"
                    + " throttle; got " + set + " (inserted at " + insertedAt + ")");
        }
    }

    SessionFact(long insertedAt, AlertEvent alert) {
        this(insertedAt, alert, null, null);
    }

    SessionFact(long insertedAt, ActionOutcome outcome) {
        this(insertedAt, null, outcome, null);
    }

    SessionFact(long insertedAt, Throttle throttle) {
        this(insertedAt, null, null, throttle);
    }

    /** The fact itself, as the session holds it. */
    @JsonIgnore
    Object fact() {
        return alert != null ? alert : outcome != null ? outcome : throttle;
    }

    private int rank() {
        return throttle != null ? 0 : alert != null ? 1 : 2;
    }

    /** The store key of an outcome: one per action (only its terminal result is a fact). */
    static String outcomeKey(ActionOutcome outcome) {
        return "outcome:" + outcome.actionId();
    }

    /** The store key of a throttle, before disambiguation of two of one group at one time. */
    static String throttleKey(Throttle throttle, long insertedAt) {
        return "throttle:" + throttle.name() + "|" + throttle.group() + "|" + insertedAt;
    }
}
