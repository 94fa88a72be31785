package io.reflex.console;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.reflex.model.Incident;
import io.reflex.model.Json;
import io.reflex.model.TimelineEntry;
import java.time.Duration;

/**
 * An incident as the console serves it: the incident record plus what the console learnt from
 * the timeline (whether a drill caused it).
 *
 * @param drillId           the drill whose alert opened or joined the incident, or null for a real one
 * @param timelineTruncated how many timeline steps the console dropped from the middle of a very long
 *                          timeline (it keeps the first and the most recent ones; Kafka keeps them all)
 * @param actionsTruncated  likewise, how many actions were dropped from the middle of a very long list
 */
public record IncidentItem(Incident incident, String drillId, int timelineTruncated, int actionsTruncated) {

    public IncidentItem(Incident incident, String drillId) {
        this(incident, drillId, 0, 0);
    }

    /**
     * The list item and stream event: the incident without its timeline, plus {@code alert},
     * {@code drillId}, and {@code actionsTruncated} when actions were dropped.
     */
    public ObjectNode summaryJson() {
        ObjectNode node = Json.MAPPER.valueToTree(incident);
        node.remove("timeline");
        node.put("alert", incident.alertName());
        if (drillId != null) {
            node.put("drillId", drillId);
        }
        if (actionsTruncated > 0) {
            node.put("actionsTruncated", actionsTruncated);
        }
        return node;
    }

    /**
     * The detail: the summary plus the timeline (each entry with {@code sincePrevious}, the
     * ISO-8601 duration since the entry before it, null for the first), {@code timelineTruncated}
     * (how many steps were dropped between the first and the most recent ones, 0 for none) and the
     * {@link Phases}.
     */
    public ObjectNode detailJson() {
        ObjectNode node = summaryJson();
        node.put("timelineTruncated", timelineTruncated);
        ArrayNode timeline = node.putArray("timeline");
        TimelineEntry previous = null;
        for (TimelineEntry entry : incident.timeline()) {
            ObjectNode step = Json.MAPPER.valueToTree(entry);
            step.put("sincePrevious", previous == null ? null : Duration.between(previous.at(), entry.at()).toString());
            timeline.add(step);
            previous = entry;
        }
        node.set("phases", Phases.of(incident.timeline()).toJson());
        return node;
    }
}
