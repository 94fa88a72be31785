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
 * @param drillId the drill whose alert opened or joined the incident, or null for a real one
 */
public record IncidentItem(Incident incident, String drillId) {

    /** The list item and stream event: the incident without its timeline, plus {@code alert} and {@code drillId}. */
    public ObjectNode summaryJson() {
        ObjectNode node = Json.MAPPER.valueToTree(incident);
        node.remove("timeline");
        node.put("alert", incident.alertName());
        if (drillId != null) {
            node.put("drillId", drillId);
        }
        return node;
    }

    /**
     * The detail: the summary plus the timeline (each entry with {@code sincePrevious}, the
     * ISO-8601 duration since the entry before it, null for the first) and the {@link Phases}.
     */
    public ObjectNode detailJson() {
        ObjectNode node = summaryJson();
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
