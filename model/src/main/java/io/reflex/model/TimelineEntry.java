package io.reflex.model;

import java.time.Instant;
import java.util.Map;

/**
 * One step on an incident's timeline, keyed on {@code reflex.timeline} by incident id.
 *
 * @param refs ids of what the step is about ({@code alertId}, {@code actionId}, {@code rule}, …)
 */
public record TimelineEntry(String incidentId, Instant at, TimelineKind kind, String summary, Map<String, String> refs) {
    public TimelineEntry {
        Names.requireText(incidentId, "incidentId");
        Names.require(at, "at");
        Names.require(kind, "kind");
        Names.requireText(summary, "summary");
        refs = Names.copy(refs);
    }
}
