package io.reflex.remediator.guard;

import io.reflex.model.Action;
import io.reflex.model.ActionMode;
import io.reflex.model.ActionResult;
import io.reflex.model.ActionStatus;
import io.reflex.model.ActionType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What this remediator knows of executions across all remediator processes, in memory: every
 * action read from {@code reflex.actions} joined by id with its results from {@code reflex.results}.
 * Thread-safe (one lock: every method is short and none calls out).
 *
 * <p>A target is <em>disrupted</em> while a disruptive action on it is in flight, and after a
 * lasting one ({@link #LASTING}) succeeded until it is undone: a later successful
 * {@code start_service} or {@code restart_service} of the target undoes {@code stop_service}, a
 * later successful {@code uncordon_node} undoes {@code cordon_node} and {@code drain_node};
 * {@link #release} undoes every lasting disruption of the target finished before it (isolation
 * has no undo action, so people release it).
 */
public final class ActivityLog {
    /** Action types that take a target out of service while they run. */
    public static final Set<ActionType> DISRUPTIVE = Collections.unmodifiableSet(EnumSet.of(
            ActionType.RESTART_SERVICE, ActionType.STOP_SERVICE, ActionType.ISOLATE_HOST, ActionType.CORDON_NODE,
            ActionType.DRAIN_NODE));
    /** Disruptive types whose effect lasts after they succeed, until undone. */
    public static final Set<ActionType> LASTING = Collections.unmodifiableSet(EnumSet.of(
            ActionType.ISOLATE_HOST, ActionType.STOP_SERVICE, ActionType.CORDON_NODE, ActionType.DRAIN_NODE));
    private static final Set<ActionType> STARTS_SERVICE = EnumSet.of(ActionType.START_SERVICE,
            ActionType.RESTART_SERVICE);

    private final Map<String, Entry> entries = new LinkedHashMap<>();
    /** Target key → when people last released it. Kept past {@link #forgetBefore}: it undoes disruptions. */
    private final Map<String, Instant> releasedAt = new HashMap<>();
    /** Target key → the last successful start of its service, which undoes an earlier stop. */
    private final Map<String, Instant> serviceStartedAt = new HashMap<>();
    /** Target key → the last successful uncordon of the node, which undoes an earlier cordon or drain. */
    private final Map<String, Instant> nodeUncordonedAt = new HashMap<>();
    private static final Set<ActionType> CORDONS = EnumSet.of(ActionType.CORDON_NODE, ActionType.DRAIN_NODE);

    /** An action read from {@code reflex.actions} (or about to be run as a rehearsal). */
    public synchronized void onAction(Action action, Instant seenAt) {
        Objects.requireNonNull(action, "action");
        Entry entry = entry(action.id(), action.incidentId(), seenAt);
        // A rehearsal stays one: the copy re-read from the topic says EXECUTE, the run did not.
        if (entry.action == null || entry.action.mode() == ActionMode.EXECUTE) {
            entry.action = action;
        }
        entry.type = action.type();
        entry.touch(seenAt);
        if (entry.status == ActionStatus.SUCCEEDED) {
            noteSuccess(entry);
        }
    }

    /**
     * Marks an action as started now, before its STARTED result is published, so that checks made
     * meanwhile (other targets, other threads) count it. Its results then take over.
     */
    public synchronized void onAdmitted(Action action, Instant at) {
        onAction(action, at);
        Entry entry = entries.get(action.id());
        entry.status = ActionStatus.STARTED;
        entry.startedAt = at;
        entry.finishedAt = null;
    }

    /** A result read from {@code reflex.results} (any remediator's). */
    public synchronized void onResult(ActionResult result, Instant at) {
        Objects.requireNonNull(result, "result");
        Entry entry = entry(result.actionId(), result.incidentId(), at);
        if (result.type() != null && entry.type == null) {
            entry.type = result.type();
        }
        entry.touch(at);
        boolean stale = entry.status != null && entry.status.terminal() && !result.status().terminal()
                && result.attempt() <= entry.attempt;
        if (stale) {
            return; // a late STARTED of an attempt whose end is already known
        }
        entry.status = result.status();
        entry.attempt = Math.max(entry.attempt, result.attempt());
        if (result.startedAt() != null) {
            entry.startedAt = result.startedAt();
        } else if (result.status() == ActionStatus.STARTED) {
            entry.startedAt = at;
        }
        if (result.status().terminal()) {
            entry.finishedAt = result.finishedAt() != null ? result.finishedAt() : at;
            if (entry.startedAt == null && ran(result.status())) {
                entry.startedAt = entry.finishedAt; // its STARTED was never seen (another process, reconciled)
            }
        } else {
            entry.finishedAt = null;
        }
        if (result.status() == ActionStatus.REJECTED || result.status() == ActionStatus.SKIPPED
                || result.status() == ActionStatus.AWAITING_APPROVAL) {
            entry.startedAt = null; // never ran (or not yet): an admission before it does not count
        }
        if (result.status() == ActionStatus.SUCCEEDED) {
            noteSuccess(entry);
        }
    }

    /** People brought the target back (un-isolated, uncordoned): its lasting disruptions so far end. */
    public synchronized void release(String targetKey, Instant at) {
        Objects.requireNonNull(targetKey, "targetKey");
        releasedAt.merge(targetKey, at, (a, b) -> a.isAfter(b) ? a : b);
    }

    public synchronized Optional<Execution> get(String actionId) {
        Entry entry = entries.get(actionId);
        return entry == null ? Optional.empty() : Optional.of(entry.view());
    }

    /** Every execution known, in the order first seen. */
    public synchronized List<Execution> executions() {
        List<Execution> all = new ArrayList<>(entries.size());
        entries.values().forEach(e -> all.add(e.view()));
        return all;
    }

    /**
     * Executions that {@link Execution#started() started} after {@code from} (a window of length W
     * ending now starts after now − W: what started exactly W ago has left it) and match the filter.
     */
    public synchronized List<Execution> startedAfter(Instant from, Predicate<Execution> filter) {
        List<Execution> found = new ArrayList<>();
        for (Entry entry : entries.values()) {
            Execution e = entry.view();
            if (e.started() && e.startedAt().isAfter(from) && filter.test(e)) {
                found.add(e);
            }
        }
        return found;
    }

    /** Executions started without a terminal result yet. */
    public synchronized List<Execution> inFlight() {
        List<Execution> found = new ArrayList<>();
        entries.values().forEach(entry -> {
            Execution e = entry.view();
            if (e.inFlight()) {
                found.add(e);
            }
        });
        return found;
    }

    /** Disrupted targets counting only the given types: target key → the execution that disrupts it. */
    public synchronized Map<String, Execution> disrupted(Set<ActionType> types) {
        Map<String, Execution> found = new LinkedHashMap<>();
        for (Entry entry : entries.values()) {
            Execution e = entry.view();
            if (e.type() != null && types.contains(e.type()) && disrupts(e)) {
                found.put(e.targetKey(), e);
            }
        }
        return found;
    }

    /** Disrupted targets by any {@link #DISRUPTIVE} type. */
    public Map<String, Execution> disrupted() {
        return disrupted(DISRUPTIVE);
    }

    /**
     * Forgets what finished (or was last heard of) before the cutoff, keeping executions in flight
     * and lasting disruptions not undone: they still count for blast radius however old.
     *
     * @return how many executions were forgotten
     */
    public synchronized int forgetBefore(Instant cutoff) {
        int forgotten = 0;
        for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
            Entry entry = it.next();
            Execution e = entry.view();
            if (entry.lastAt.isBefore(cutoff) && !e.inFlight() && !disrupts(e)) {
                it.remove();
                forgotten++;
            }
        }
        return forgotten;
    }

    public synchronized int size() {
        return entries.size();
    }

    private boolean disrupts(Execution e) {
        if (!e.executes() || !DISRUPTIVE.contains(e.type())) {
            return false;
        }
        if (e.inFlight()) {
            return true;
        }
        if (e.status() != ActionStatus.SUCCEEDED || !LASTING.contains(e.type()) || e.finishedAt() == null) {
            return false;
        }
        Instant released = releasedAt.get(e.targetKey());
        if (released != null && !released.isBefore(e.finishedAt())) {
            return false;
        }
        Instant uncordoned = nodeUncordonedAt.get(e.targetKey());
        if (CORDONS.contains(e.type()) && uncordoned != null && uncordoned.isAfter(e.finishedAt())) {
            return false;
        }
        Instant restarted = serviceStartedAt.get(e.targetKey());
        return !(e.type() == ActionType.STOP_SERVICE && restarted != null && restarted.isAfter(e.finishedAt()));
    }

    private static boolean ran(ActionStatus status) {
        return status == ActionStatus.SUCCEEDED || status == ActionStatus.FAILED || status == ActionStatus.TIMED_OUT;
    }

    private void noteSuccess(Entry entry) {
        if (entry.action != null && entry.action.mode() == ActionMode.EXECUTE && STARTS_SERVICE.contains(entry.type)
                && entry.finishedAt != null) {
            serviceStartedAt.merge(entry.action.target().key(), entry.finishedAt, (a, b) -> a.isAfter(b) ? a : b);
        }
        if (entry.action != null && entry.action.mode() == ActionMode.EXECUTE && entry.type == ActionType.UNCORDON_NODE
                && entry.finishedAt != null) {
            nodeUncordonedAt.merge(entry.action.target().key(), entry.finishedAt, (a, b) -> a.isAfter(b) ? a : b);
        }
    }

    private Entry entry(String actionId, String incidentId, Instant at) {
        return entries.computeIfAbsent(actionId, id -> new Entry(id, incidentId, at));
    }

    private static final class Entry {
        final String actionId;
        final String incidentId;
        final Instant seenAt;
        Action action;
        ActionType type;
        ActionStatus status;
        int attempt;
        Instant startedAt;
        Instant finishedAt;
        Instant lastAt;

        Entry(String actionId, String incidentId, Instant seenAt) {
            this.actionId = actionId;
            this.incidentId = incidentId;
            this.seenAt = seenAt;
            this.lastAt = seenAt;
        }

        void touch(Instant at) {
            if (at.isAfter(lastAt)) {
                lastAt = at;
            }
        }

        Execution view() {
            return new Execution(actionId, incidentId, type, action, status, attempt, seenAt, startedAt, finishedAt);
        }
    }
}
