package io.reflex.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.Map;

/**
 * An alert that was accepted in shape but could not be stored on {@code reflex.alerts}, kept on
 * {@code reflex.alerts.dlq} (keyed by resource key) with the reason, so nothing vanishes silently.
 *
 * @param alert  the alert, possibly with its labels and annotations cut short when its size was the problem
 * @param reason a short code: {@code record_too_large}, …
 * @param detail what happened and what to do, for people
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeadLetter(AlertEvent alert, String reason, String detail, Instant at, Map<String, String> context) {
    public DeadLetter {
        Names.require(alert, "alert");
        Names.requireText(reason, "reason");
        Names.requireText(detail, "detail");
        Names.require(at, "at");
        context = Names.copy(context);
    }
}
