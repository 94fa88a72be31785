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
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Incidents as the console shows them, folded from the topics: incident state, actions,
 * results and timeline entries. The topics may deliver these in any order relative to each
 * other (a result before its action); the view joins them when asked.
 *
 * <p>Bounded: past {@code maxIncidents}, the oldest resolved incidents are forgotten first.
 * Thread-safe: fed by one consumer thread, read by HTTP handlers. {@link Listener}s hear of
 * changes on the feeding thread, after the view has applied them and outside its lock.
 */
public final class IncidentView {
    private static final Logger log = LoggerFactory.getLogger(IncidentView.class);
    /** Newest first; ties broken by id so pages are stable. */
    static final Comparator<Incident> NEWEST_FIRST =
            Comparator.comparing(Incident::openedAt).reversed().thenComparing(Incident::id);

    private final int maxIncidents;
    private final Map<String, Incident> incidents = new HashMap<>();
    private final Map<String, List<Action>> actionsByIncident = new HashMap<>();
    private final Map<String, ActionResult> latestResult = new HashMap<>();
    private final Map<String, List<TimelineEntry>> timelineByIncident = new HashMap<>();
    /** The drill an incident's alerts came from, learnt from the {@code drillId} ref of its timeline. */
    private final Map<String, String> drillByIncident = new HashMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();

    public IncidentView(int maxIncidents) {
        this.maxIncidents = maxIncidents;
    }

    /** Hears of every change the view applies; called on the feeding thread, so it must not block. */
    public interface Listener {
        /** A new timeline step. */
        void timeline(TimelineEntry entry);

        /** An incident opened, changed status, or one of its actions appeared or changed status. */
        void incident(IncidentItem item);
    }

    /** Registers a listener; the returned handle removes it. */
    public Runnable subscribe(Listener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
        return () -> listeners.remove(listener);
    }

    int listenerCount() {
        return listeners.size();
    }

    public void incident(Incident incident) {
        IncidentItem changed;
        synchronized (this) {
            Incident old = incidents.put(incident.id(), incident);
            if (incidents.size() > maxIncidents) {
                evictOldestResolved();
            }
            changed = (old == null || old.status() != incident.status()) && incidents.containsKey(incident.id())
                    ? summary(incident) : null;
        }
        announce(changed);
    }

    public void action(Action action) {
        IncidentItem changed = null;
        synchronized (this) {
            List<Action> actions = actionsByIncident.computeIfAbsent(action.incidentId(), k -> new ArrayList<>());
            if (actions.stream().noneMatch(a -> a.id().equals(action.id()))) {
                actions.add(action);
                changed = summaryOf(action.incidentId());
            }
        }
        announce(changed);
    }

    /** Keeps the furthest result per action: a late STARTED never hides a SUCCEEDED. */
    public void result(ActionResult result) {
        IncidentItem changed = null;
        synchronized (this) {
            ActionResult old = latestResult.get(result.actionId());
            ActionResult kept = latestResult.merge(result.actionId(), result,
                    (was, next) -> was.status().terminal() && !next.status().terminal() ? was : next);
            boolean known = actionsByIncident.getOrDefault(result.incidentId(), List.of()).stream()
                    .anyMatch(a -> a.id().equals(result.actionId()));
            if (known && (old == null || old.status() != kept.status())) {
                changed = summaryOf(result.incidentId());
            }
        }
        announce(changed);
    }

    public void timeline(TimelineEntry entry) {
        IncidentItem changed = null;
        synchronized (this) {
            timelineByIncident.computeIfAbsent(entry.incidentId(), k -> new ArrayList<>()).add(entry);
            String drillId = entry.refs().get("drillId");
            if (drillId != null && drillByIncident.putIfAbsent(entry.incidentId(), drillId) == null) {
                changed = summaryOf(entry.incidentId()); // the list now marks it as a drill
            }
        }
        tell(l -> l.timeline(entry));
        announce(changed);
    }

    public Optional<Incident> find(String id) {
        return findItem(id).map(IncidentItem::incident);
    }

    /** The incident with its actions and its timeline in time order. */
    public synchronized Optional<IncidentItem> findItem(String id) {
        Incident incident = incidents.get(id);
        if (incident == null) {
            return Optional.empty();
        }
        List<TimelineEntry> timeline = new ArrayList<>(timelineByIncident.getOrDefault(id, List.of()));
        timeline.sort(Comparator.comparing(TimelineEntry::at)); // stable: same-instant steps keep arrival order
        return Optional.of(new IncidentItem(incident.withDetails(actions(id), timeline), drillByIncident.get(id)));
    }

    /**
     * One page of incidents, newest first, with their actions but without timelines.
     *
     * @param after the last incident of the previous page (from its cursor), or null for the first
     */
    public synchronized Page list(IncidentFilter filter, int limit, Cursor after) {
        List<Incident> matching = incidents.values().stream()
                .filter(i -> filter.matches(i, drillByIncident.get(i.id())))
                .filter(i -> after == null || after.precedes(i))
                .sorted(NEWEST_FIRST)
                .limit(limit + 1L)
                .toList();
        boolean more = matching.size() > limit;
        List<IncidentItem> page = matching.stream().limit(limit).map(this::summary).toList();
        Cursor next = more ? Cursor.of(matching.get(limit - 1)) : null;
        return new Page(page, next);
    }

    private IncidentItem summaryOf(String incidentId) {
        Incident incident = incidents.get(incidentId);
        return incident == null ? null : summary(incident);
    }

    private IncidentItem summary(Incident incident) {
        return new IncidentItem(incident.withDetails(actions(incident.id()), List.of()), drillByIncident.get(incident.id()));
    }

    private void announce(IncidentItem changed) {
        if (changed != null) {
            tell(l -> l.incident(changed));
        }
    }

    /* A failing listener (one browser's stream) must not stop the feed that every other reader relies on. */
    private void tell(Consumer<Listener> call) {
        for (Listener listener : listeners) {
            try {
                call.accept(listener);
            } catch (RuntimeException e) {
                log.warn("A console listener failed and was removed: {}", e.toString(), e);
                listeners.remove(listener);
            }
        }
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
                    drillByIncident.remove(oldest.id());
                });
    }

    public record Page(List<IncidentItem> items, Cursor next) {
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
