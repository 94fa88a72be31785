package io.reflex.console;

import io.reflex.model.Action;
import io.reflex.model.ActionResult;
import io.reflex.model.ActionStatus;
import io.reflex.model.ActionSummary;
import io.reflex.model.Incident;
import io.reflex.model.IncidentStatus;
import io.reflex.model.TimelineEntry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
 * other (a result before its action, a timeline entry before its incident); what arrives before
 * its owner waits among the orphans and is joined in when the owner arrives.
 *
 * <p>Bounded in every part (see {@link ConsoleConfig}): past {@code maxIncidents} the oldest
 * resolved incidents are forgotten first, and resolved incidents older than {@code retention}
 * are forgotten anyway (open ones never are); each incident keeps at most
 * {@code maxTimelineEntriesPerIncident} steps and {@code maxActionsPerIncident} actions (the first
 * tenth and the most recent rest); at most {@code maxOrphanEntries} records wait for their owner,
 * the oldest dropped first. Everything forgotten stays in Kafka.
 *
 * <p>Thread-safe: fed by one consumer thread, read by HTTP handlers. {@link Listener}s hear of
 * changes on the feeding thread, after the view has applied them and outside its lock.
 */
public final class IncidentView {
    private static final Logger log = LoggerFactory.getLogger(IncidentView.class);
    /** Newest first; ties broken by id so pages are stable. */
    static final Comparator<Incident> NEWEST_FIRST =
            Comparator.comparing(Incident::openedAt).reversed().thenComparing(Incident::id);
    /** How often {@link #housekeep()} sweeps for expired incidents and reports dropped orphans. */
    static final Duration HOUSEKEEPING_EVERY = Duration.ofMinutes(1);

    private final ConsoleConfig config;
    private final Clock clock;
    private final Map<String, Incident> incidents = new HashMap<>();
    private final Map<String, Details> details = new HashMap<>();
    private final Orphans orphans;
    /**
     * Incidents forgotten lately: their late steps are dropped at once instead of waiting among the
     * orphans for an incident that will not come back (after a restart the timeline of every
     * expired incident is read again). As many as {@code maxIncidents}, the oldest forgotten first.
     */
    private final Map<String, Boolean> forgotten;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private Instant nextHousekeeping;
    private long orphansDroppedReported;

    /** What the view holds of one known incident besides its state. */
    private static final class Details {
        final FirstAndLast<TimelineEntry> timeline;
        final FirstAndLast<Action> actions;
        /** The furthest result of each kept action. */
        final Map<String, ActionResult> results = new HashMap<>();
        /** The drill an incident's alerts came from, learnt from the {@code drillId} ref of its timeline. */
        String drillId;

        Details(ConsoleConfig config) {
            timeline = FirstAndLast.keeping(config.maxTimelineEntriesPerIncident());
            actions = FirstAndLast.keeping(config.maxActionsPerIncident());
        }

        boolean hasAction(String actionId) {
            return actions.anyMatch(a -> a.id().equals(actionId));
        }
    }

    /** Holds what its bounds allow, see {@link ConsoleConfig}; {@code clock} decides what {@code retention} expired. */
    public IncidentView(ConsoleConfig config, Clock clock) {
        List<String> problems = config.validate();
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        this.config = config;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.orphans = new Orphans(config.maxOrphanEntries());
        int maxForgotten = config.maxIncidents();
        this.forgotten = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > maxForgotten;
            }
        };
        this.nextHousekeeping = clock.instant().plus(HOUSEKEEPING_EVERY);
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
        IncidentItem changed = null;
        synchronized (this) {
            if (expired(incident, clock.instant())) {
                // read again after a restart, or resolved long ago: nothing to show, nothing to keep
                if (incidents.containsKey(incident.id())) {
                    forget(incident.id());
                } else {
                    forgotten.put(incident.id(), Boolean.TRUE);
                    orphans.adopt(Orphans.incident(incident.id())); // its waiting steps are not needed either
                }
                return;
            }
            Incident old = incidents.put(incident.id(), incident);
            if (old == null) {
                forgotten.remove(incident.id());
                details.put(incident.id(), new Details(config));
                adoptOrphansOf(incident.id());
            }
            if (incidents.size() > config.maxIncidents()) {
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
            Details d = details.get(action.incidentId());
            if (d == null) {
                waitForOwner(Orphans.incident(action.incidentId()), action.incidentId(), action);
            } else if (attach(d, action)) {
                changed = summaryOf(action.incidentId());
            }
        }
        announce(changed);
    }

    /** Keeps the furthest result per action: a late STARTED never hides a SUCCEEDED. */
    public void result(ActionResult result) {
        IncidentItem changed = null;
        synchronized (this) {
            Details d = details.get(result.incidentId());
            if (d == null || !d.hasAction(result.actionId())) {
                waitForOwner(Orphans.action(result.actionId()), result.incidentId(), result);
            } else if (attach(d, result)) {
                changed = summaryOf(result.incidentId());
            }
        }
        announce(changed);
    }

    public void timeline(TimelineEntry entry) {
        IncidentItem changed = null;
        synchronized (this) {
            Details d = details.get(entry.incidentId());
            if (d == null) {
                waitForOwner(Orphans.incident(entry.incidentId()), entry.incidentId(), entry);
            } else if (attach(d, entry)) {
                changed = summaryOf(entry.incidentId()); // the list now marks it as a drill
            }
        }
        tell(l -> l.timeline(entry));
        announce(changed);
    }

    /**
     * Forgets resolved incidents past {@code retention} and logs how many orphans were dropped
     * since the last report; does its work at most once per {@link #HOUSEKEEPING_EVERY}, so the
     * feed may call it after every poll.
     *
     * @return what this sweep did, or empty when it was not yet time for one
     */
    public Optional<Sweep> housekeep() {
        Instant now = clock.instant();
        int expired = 0;
        long droppedNow;
        synchronized (this) {
            if (now.isBefore(nextHousekeeping)) {
                return Optional.empty();
            }
            nextHousekeeping = now.plus(HOUSEKEEPING_EVERY);
            for (Incident incident : List.copyOf(incidents.values())) {
                if (expired(incident, now)) {
                    forget(incident.id());
                    expired++;
                }
            }
            droppedNow = orphans.dropped() - orphansDroppedReported;
            orphansDroppedReported = orphans.dropped();
        }
        if (expired > 0) {
            log.info("Forgot {} incidents resolved more than {} ago (console.retention); they stay in Kafka",
                    expired, config.retention());
        }
        if (droppedNow > 0) {
            log.warn("Dropped {} timeline entries, actions or results whose incident or action had not been read"
                    + " ({} since start, console.maxOrphanEntries={}); if incidents show missing steps, raise"
                    + " console.maxOrphanEntries", droppedNow, orphansDroppedReported, config.maxOrphanEntries());
        }
        return Optional.of(new Sweep(expired, droppedNow));
    }

    /**
     * @param expired        resolved incidents forgotten because {@code retention} ran out
     * @param orphansDropped records dropped since the previous sweep because too many were waiting
     */
    public record Sweep(int expired, long orphansDropped) {
    }

    /** Sizes and drop counts, for the status page and tests. */
    public synchronized Stats stats() {
        return new Stats(incidents.size(), orphans.size(), orphans.dropped());
    }

    /**
     * @param incidents      incidents held
     * @param orphans        records waiting for their incident or action
     * @param orphansDropped records dropped since the start because too many were waiting
     */
    public record Stats(int incidents, int orphans, long orphansDropped) {
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
        Details d = details.get(id);
        List<TimelineEntry> timeline = d.timeline.items();
        timeline.sort(Comparator.comparing(TimelineEntry::at)); // stable: same-instant steps keep arrival order
        return Optional.of(new IncidentItem(incident.withDetails(actions(d), timeline), d.drillId,
                d.timeline.dropped(), d.actions.dropped()));
    }

    /**
     * One page of incidents, newest first, with their actions but without timelines.
     *
     * @param after the last incident of the previous page (from its cursor), or null for the first
     */
    public synchronized Page list(IncidentFilter filter, int limit, Cursor after) {
        List<Incident> matching = incidents.values().stream()
                .filter(i -> filter.matches(i, details.get(i.id()).drillId))
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
        Details d = details.get(incident.id());
        return new IncidentItem(incident.withDetails(actions(d), List.of()), d.drillId, d.timeline.dropped(),
                d.actions.dropped());
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

    private List<ActionSummary> actions(Details d) {
        return d.actions.items().stream().map(action -> {
            ActionResult result = d.results.get(action.id());
            ActionStatus status = result == null ? ActionStatus.PENDING : result.status();
            return ActionSummary.of(action).withStatus(status);
        }).toList();
    }

    /** Whether retention has run out for a resolved incident; one without {@code resolvedAt} counts from its opening. */
    private boolean expired(Incident incident, Instant now) {
        if (incident.status() != IncidentStatus.RESOLVED) {
            return false;
        }
        Instant resolvedAt = incident.resolvedAt() != null ? incident.resolvedAt() : incident.openedAt();
        return resolvedAt.plus(config.retention()).isBefore(now);
    }

    private void evictOldestResolved() {
        incidents.values().stream()
                .filter(i -> i.status() == IncidentStatus.RESOLVED)
                .min(Comparator.comparing(Incident::openedAt))
                .ifPresent(oldest -> forget(oldest.id()));
    }

    private void forget(String incidentId) {
        incidents.remove(incidentId);
        details.remove(incidentId);
        forgotten.put(incidentId, Boolean.TRUE);
    }

    /** Keeps a record until its owner arrives, unless it belongs to an incident forgotten lately. */
    private void waitForOwner(String owner, String incidentId, Object item) {
        if (forgotten.containsKey(incidentId)) {
            log.debug("Dropping a late {} of incident {}, which the console forgot (it stays in Kafka)",
                    item.getClass().getSimpleName(), incidentId);
            return;
        }
        orphans.add(owner, item);
    }

    /** Joins in what waited for a newly known incident, in arrival order. */
    private void adoptOrphansOf(String incidentId) {
        Details d = details.get(incidentId);
        for (Object item : orphans.adopt(Orphans.incident(incidentId))) {
            if (item instanceof Action action) {
                attach(d, action);
            } else if (item instanceof TimelineEntry entry) {
                attach(d, entry);
            }
        }
    }

    /** Adds a new action (and the results that waited for it); false for one already known. */
    private boolean attach(Details d, Action action) {
        if (d.hasAction(action.id())) {
            return false;
        }
        Action dropped = d.actions.add(action);
        if (dropped != null) {
            d.results.remove(dropped.id());
        }
        for (Object item : orphans.adopt(Orphans.action(action.id()))) {
            attach(d, (ActionResult) item);
        }
        return true;
    }

    /** Keeps the furthest result; true when the action's status changed. */
    private boolean attach(Details d, ActionResult result) {
        ActionResult old = d.results.get(result.actionId());
        ActionResult kept = d.results.merge(result.actionId(), result,
                (was, next) -> was.status().terminal() && !next.status().terminal() ? was : next);
        return old == null || old.status() != kept.status();
    }

    /** Adds a step; true when it taught the view that the incident is a drill. */
    private boolean attach(Details d, TimelineEntry entry) {
        d.timeline.add(entry);
        String drillId = entry.refs().get("drillId");
        if (drillId != null && d.drillId == null) {
            d.drillId = drillId;
            return true;
        }
        return false;
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
