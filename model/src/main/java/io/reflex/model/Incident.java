package io.reflex.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

/**
 * Everything Reflex knows about one problem on one resource. The rules stage publishes the
 * incident's own state on {@code reflex.incidents} (with empty {@code actions} and
 * {@code timeline}); the console joins in actions, results and the timeline.
 *
 * @param alertName the alert that opened it: firing alerts of this name on this resource join it
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Incident(
        String id,
        IncidentStatus status,
        String title,
        Resource resource,
        String alertName,
        Instant openedAt,
        Instant resolvedAt,
        List<ActionSummary> actions,
        List<TimelineEntry> timeline) {

    public Incident {
        Names.requireText(id, "id");
        Names.require(status, "status");
        Names.requireText(title, "title");
        Names.require(resource, "resource");
        Names.require(openedAt, "openedAt");
        actions = actions == null ? List.of() : List.copyOf(actions);
        timeline = timeline == null ? List.of() : List.copyOf(timeline);
    }

    /** Derived from the resource, the alert name and the first alert, so a replay opens the same incident. */
    public static String idFor(Resource resource, String alertName, String firstAlertId) {
        return Ids.stable("inc", resource.key(), alertName, firstAlertId);
    }

    public Incident withStatus(IncidentStatus newStatus, Instant at) {
        return new Incident(id, newStatus, title, resource, alertName, openedAt,
                newStatus == IncidentStatus.RESOLVED ? at : resolvedAt, actions, timeline);
    }

    public Incident withDetails(List<ActionSummary> newActions, List<TimelineEntry> newTimeline) {
        return new Incident(id, status, title, resource, alertName, openedAt, resolvedAt, newActions, newTimeline);
    }
}
