package io.reflex.console;

import io.reflex.model.Action;
import io.reflex.model.ActionResult;
import io.reflex.model.ActionStatus;
import io.reflex.model.ActionSummary;
import io.reflex.model.Incident;
import io.reflex.model.IncidentStatus;
import io.reflex.model.TimelineEntry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Incidents as the console shows them, folded from the topics: incident state, actions,
 * results and timeline entries. The topics may deliver these in any order relative to each
 * other (a result before its action); the view joins them when asked.
 *
 * <p>Bounded: past {@code maxIncidents}, the oldest resolved incidents are forgotten first.
 * Thread-safe: fed by one consumer thread, read by HTTP handlers.
 */
public final class IncidentView {
    /** Newest first; ties broken by id so pages are stable. */
    static final Comparator<Incident> NEWEST_FIRST =
            Comparator.comparing(Incident::openedAt).reversed().thenComparing(Incident::id);

    private final int maxIncidents;
    private final Map<String, Incident> incidents = new HashMap<>();
    private final Map<String, List<Action>> actionsByIncident = new HashMap<>();
    private final Map<String, ActionResult> latestResult = new HashMap<>();
    private final Map<String, List<TimelineEntry>> timelineByIncident = new HashMap<>();

    public IncidentView(int maxIncidents) {
        this.maxIncidents = maxIncidents;
    }

    public synchronized void incident(Incident incident) {
        incidents.put(incident.id(), incident);
        if (incidents.size() > maxIncidents) {
            evictOldestResolved();
        }
    }

    public synchronized void action(Action action) {
        List<Action> actions = actionsByIncident.computeIfAbsent(action.incidentId(), k -> new ArrayList<>());
        if (actions.stream().noneMatch(a -> a.id().equals(action.id()))) {
            actions.add(action);
        }
    }

    /** Keeps the furthest result per action: a late STARTED never hides a SUCCEEDED. */
    public synchronized void result(ActionResult result) {
        latestResult.merge(result.actionId(), result,
                (old, next) -> old.status().terminal() && !next.status().terminal() ? old : next);
    }

    public synchronized void timeline(TimelineEntry entry) {
        timelineByIncident.computeIfAbsent(entry.incidentId(), k -> new ArrayList<>()).add(entry);
    }

    public synchronized Optional<Incident> find(String id) {
        Incident incident = incidents.get(id);
        if (incident == null) {
            return Optional.empty();
        }
        List<TimelineEntry> timeline = new ArrayList<>(timelineByIncident.getOrDefault(id, List.of()));
        timeline.sort(Comparator.comparing(TimelineEntry::at)); // stable: same-instant steps keep arrival order
        return Optional.of(incident.withDetails(actions(id), timeline));
    }

    /**
     * One page of incidents, newest first.
     *
     * @param after the last incident of the previous page (from its cursor), or null for the first
     */
    public synchronized Page list(IncidentStatus status, int limit, Cursor after) {
        List<Incident> matching = incidents.values().stream()
                .filter(i -> status == null || i.status() == status)
                .filter(i -> after == null || after.precedes(i))
                .sorted(NEWEST_FIRST)
                .limit(limit + 1L)
                .toList();
        boolean more = matching.size() > limit;
        List<Incident> page = matching.stream().limit(limit)
                .map(i -> i.withDetails(actions(i.id()), List.of())).toList();
        Cursor next = more ? Cursor.of(page.get(page.size() - 1)) : null;
        return new Page(page, next);
    }

    public synchronized int size() {
        return incidents.size();
    }

    private List<ActionSummary> actions(String incidentId) {
        return actionsByIncident.getOrDefault(incidentId, List.of()).stream().map(action -> {
            ActionResult result = latestResult.get(action.id());
            ActionStatus status = result == null ? ActionStatus.PENDING : result.status();
            return ActionSummary.of(action).withStatus(status);
        }).toList();
    }

    private void evictOldestResolved() {
        incidents.values().stream()
                .filter(i -> i.status() == IncidentStatus.RESOLVED)
                .min(Comparator.comparing(Incident::openedAt))
                .ifPresent(oldest -> {
                    incidents.remove(oldest.id());
                    actionsByIncident.getOrDefault(oldest.id(), List.of()).forEach(a -> latestResult.remove(a.id()));
                    actionsByIncident.remove(oldest.id());
                    timelineByIncident.remove(oldest.id());
                });
    }

    public record Page(List<Incident> items, Cursor next) {
    }

    /** Where a page ended: the opening time and id of its last incident. */
    public record Cursor(Instant openedAt, String id) {
        static Cursor of(Incident incident) {
            return new Cursor(incident.openedAt(), incident.id());
        }

        /** Opaque on the wire: base64url of {@code openedAt|id}. */
        public String encode() {
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString((openedAt + "|" + id).getBytes(StandardCharsets.UTF_8));
        }

        public static Cursor decode(String text) {
            try {
                String plain = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
                int sep = plain.indexOf('|');
                return new Cursor(Instant.parse(plain.substring(0, sep)), plain.substring(sep + 1));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("cursor '" + text + "' is not one this server gave out;"
                        + " use the 'next' value of the previous page, or leave it out for the first page", e);
            }
        }

        /** Whether the incident comes after this cursor in newest-first order. */
        boolean precedes(Incident incident) {
            int byTime = incident.openedAt().compareTo(openedAt);
            return byTime < 0 || byTime == 0 && incident.id().compareTo(id) > 0;
        }
    }
}
