package io.reflex.console;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.reflex.model.Json;
import io.reflex.model.TimelineEntry;
import io.reflex.model.TimelineKind;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * When an incident reached each phase, read off its timeline, and how long each step took.
 * Each duration runs from the previous phase to this one; null when either end was not reached.
 *
 * @param detectedAt  when the problem began: the alert's {@code startsAt} (ref of the first
 *                    ALERT_RECEIVED), else when Reflex received it
 * @param receivedAt  the first ALERT_RECEIVED
 * @param decidedAt   the first RULE_FIRED
 * @param actedAt     the first ACTION_DISPATCHED
 * @param recoveredAt the first RESOLVED, else the first VERIFIED
 */
public record Phases(Instant detectedAt, Instant receivedAt, Instant decidedAt, Instant actedAt, Instant recoveredAt) {

    /** @param timeline in time order */
    public static Phases of(List<TimelineEntry> timeline) {
        TimelineEntry received = first(timeline, TimelineKind.ALERT_RECEIVED);
        Instant receivedAt = received == null ? null : received.at();
        Instant detectedAt = received == null ? null : startsAt(received);
        TimelineEntry decided = first(timeline, TimelineKind.RULE_FIRED);
        TimelineEntry acted = first(timeline, TimelineKind.ACTION_DISPATCHED);
        TimelineEntry recovered = first(timeline, TimelineKind.RESOLVED);
        if (recovered == null) {
            recovered = first(timeline, TimelineKind.VERIFIED);
        }
        return new Phases(detectedAt, receivedAt, decided == null ? null : decided.at(),
                acted == null ? null : acted.at(), recovered == null ? null : recovered.at());
    }

    public Duration timeToDetect() {
        return between(detectedAt, receivedAt);
    }

    public Duration timeToDecide() {
        return between(receivedAt, decidedAt);
    }

    public Duration timeToAct() {
        return between(decidedAt, actedAt);
    }

    public Duration timeToRecover() {
        return between(actedAt, recoveredAt);
    }

    /** Instants and ISO-8601 durations (e.g. {@code PT1.25S}); null for what was not reached. */
    public ObjectNode toJson() {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("detectedAt", text(detectedAt));
        node.put("receivedAt", text(receivedAt));
        node.put("decidedAt", text(decidedAt));
        node.put("actedAt", text(actedAt));
        node.put("recoveredAt", text(recoveredAt));
        node.put("timeToDetect", text(timeToDetect()));
        node.put("timeToDecide", text(timeToDecide()));
        node.put("timeToAct", text(timeToAct()));
        node.put("timeToRecover", text(timeToRecover()));
        return node;
    }

    private static TimelineEntry first(List<TimelineEntry> timeline, TimelineKind kind) {
        return timeline.stream().filter(e -> e.kind() == kind).findFirst().orElse(null);
    }

    /* startsAt comes from the sender: an unreadable one must not hide the rest of the phases. */
    private static Instant startsAt(TimelineEntry received) {
        String text = received.refs().get("startsAt");
        if (text != null) {
            try {
                return Instant.parse(text);
            } catch (DateTimeParseException e) {
                return received.at();
            }
        }
        return received.at();
    }

    private static Duration between(Instant start, Instant end) {
        return start == null || end == null ? null : Duration.between(start, end);
    }

    private static String text(Object value) {
        return value == null ? null : value.toString();
    }
}
