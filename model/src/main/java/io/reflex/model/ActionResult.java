package io.reflex.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * One step in the life of an action, published by the remediator on {@code reflex.results}
 * (keyed by the action's target key).
 *
 * @param incidentId carried so the timeline and the console need no join to place it
 * @param detail     what happened, for people: the reason of a refusal, an output excerpt
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ActionResult(
        String actionId,
        String incidentId,
        ActionStatus status,
        int attempt,
        String detail,
        Instant startedAt,
        Instant finishedAt) {

    public ActionResult {
        Names.requireText(actionId, "actionId");
        Names.requireText(incidentId, "incidentId");
        Names.require(status, "status");
        if (status == ActionStatus.PENDING) {
            throw new IllegalArgumentException("status PENDING is the console's placeholder, not a result");
        }
    }
}
