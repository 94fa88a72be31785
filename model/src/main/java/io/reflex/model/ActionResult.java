package io.reflex.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * One step in the life of an action, published by the remediator on {@code reflex.results}
 * (keyed by {@link Action#resultKey()}: the incident's resource key, so results come back to
 * the rules task holding the incident, as facts).
 *
 * @param incidentId carried so the timeline and the console need no join to place it
 * @param detail     what happened, for people: the reason of a refusal, an output excerpt
 * @param type       the action's type, so rules and the console can tell results apart
 *                   without the action; null in results written before it existed
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ActionResult(
        String actionId,
        String incidentId,
        ActionStatus status,
        int attempt,
        String detail,
        Instant startedAt,
        Instant finishedAt,
        ActionType type) {

    public ActionResult {
        Names.requireText(actionId, "actionId");
        Names.requireText(incidentId, "incidentId");
        Names.require(status, "status");
        if (status == ActionStatus.PENDING) {
            throw new IllegalArgumentException("status PENDING is the console's placeholder, not a result");
        }
    }

    /** A result without the action's type. */
    public ActionResult(String actionId, String incidentId, ActionStatus status, int attempt, String detail,
            Instant startedAt, Instant finishedAt) {
        this(actionId, incidentId, status, attempt, detail, startedAt, finishedAt, null);
    }

    public boolean succeeded() {
        return status == ActionStatus.SUCCEEDED;
    }
}
