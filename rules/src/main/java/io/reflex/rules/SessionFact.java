package io.reflex.rules;

import io.reflex.model.AlertEvent;
import java.util.Objects;

/**
 * An alert as the session holds it, kept in the facts store so a restarted or moved task can
 * rebuild its session: the alert and the session time it was inserted at.
 */
record SessionFact(long insertedAt, AlertEvent alert) {
    SessionFact {
        Objects.requireNonNull(alert, "alert");
    }
}
