package io.reflex.drill;

import io.reflex.model.Action;
import io.reflex.model.ActionMode;
import io.reflex.model.ActionResult;
import io.reflex.model.ActionStatus;
import io.reflex.model.Incident;
import io.reflex.model.TimelineEntry;
import io.reflex.model.TimelineKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Follows what Reflex records about a drill's fault and tells the phases ({@link #phases()}). It
 * takes records in any order and from any topic: the incident, its timeline, its actions and their
 * results arrive on different topics and partitions, so a timeline entry may come before the
 * incident it belongs to. Not thread-safe: one drill, one thread.
 */
public final class PhaseTracker {
    private static final Set<ActionStatus> TERMINAL = Set.of(ActionStatus.SUCCEEDED, ActionStatus.FAILED,
            ActionStatus.TIMED_OUT, ActionStatus.REJECTED, ActionStatus.SKIPPED);

    private final String resourceKey;
    private final Instant injectedAt;
    private final Expectation expect;

    private final Set<String> incidentsOnResource = new HashSet<>();
    private final Map<String, List<TimelineEntry>> timelines = new HashMap<>();
    private final Map<String, Action> actions = new LinkedHashMap<>();
    private final Map<String, List<ActionResult>> results = new HashMap<>();

    /**
     * @param resourceKey the fault's resource ({@code service:demo-shop}): only its incidents count
     * @param injectedAt  only alerts received from then on count
     */
    public PhaseTracker(String resourceKey, Instant injectedAt, Expectation expect) {
        this.resourceKey = Objects.requireNonNull(resourceKey, "resourceKey");
        this.injectedAt = Objects.requireNonNull(injectedAt, "injectedAt");
        this.expect = Objects.requireNonNull(expect, "expect");
    }

    /** Takes an {@link Incident}, {@link TimelineEntry}, {@link Action} or {@link ActionResult}; ignores anything else. */
    public void accept(Object record) {
        if (record instanceof Incident incident) {
            if (incident.resource().key().equals(resourceKey)) {
                incidentsOnResource.add(incident.id());
            }
        } else if (record instanceof TimelineEntry entry) {
            timelines.computeIfAbsent(entry.incidentId(), id -> new ArrayList<>()).add(entry);
        } else if (record instanceof Action action) {
            actions.putIfAbsent(action.id(), action);
            if (resourceKey.equals(action.resourceKey())) {
                incidentsOnResource.add(action.incidentId());
            }
        } else if (record instanceof ActionResult result) {
            results.computeIfAbsent(result.actionId(), id -> new ArrayList<>()).add(result);
        }
    }

    /** The results seen so far for one action (the drill's own undo, for one). */
    public List<ActionResult> resultsOf(String actionId) {
        return List.copyOf(results.getOrDefault(actionId, List.of()));
    }

    public Phases phases() {
        // The incident: the one on the resource whose first alert after the injection came first.
        String incidentId = null;
        Instant detectedAt = null;
        for (String id : incidentsOnResource) {
            for (TimelineEntry entry : timelines.getOrDefault(id, List.of())) {
                if (entry.kind() == TimelineKind.ALERT_RECEIVED && !entry.at().isBefore(injectedAt)
                        && (detectedAt == null || entry.at().isBefore(detectedAt))) {
                    detectedAt = entry.at();
                    incidentId = id;
                }
            }
        }
        if (incidentId == null) {
            return new Phases(null, null, null, null, List.of(), List.of(), null);
        }
        final String incident = incidentId;
        final Instant detected = detectedAt;
        List<TimelineEntry> fired = timelines.get(incident).stream()
                // A rule that fired before this run's alert (a previous run, on an incident still open) is not its decision.
                .filter(e -> e.kind() == TimelineKind.RULE_FIRED && !"shadow".equals(e.refs().get("mode"))
                        && !e.at().isBefore(detected))
                .sorted(Comparator.comparing(TimelineEntry::at))
                .toList();
        List<String> rulesFired = new ArrayList<>();
        Instant decidedAt = null;
        for (TimelineEntry entry : fired) {
            String rule = entry.refs().getOrDefault("rule", "?");
            rulesFired.add("failed".equals(entry.refs().get("outcome")) ? rule + " (failed)" : rule);
            Action action = actions.get(entry.refs().get("actionId"));
            boolean expected = expect.rule() != null ? expect.rule().equals(rule)
                    && !"failed".equals(entry.refs().get("outcome"))
                    : action != null && matches(action);
            if (expected && decidedAt == null) {
                decidedAt = entry.at();
            }
        }
        List<String> described = new ArrayList<>();
        Instant actedAt = null;
        String failure = null;
        for (Action action : actions.values()) {
            if (!action.incidentId().equals(incident) || action.mode() == ActionMode.SHADOW) {
                continue;
            }
            // Results from before the injection are a previous run's, on the incident it left open.
            List<ActionResult> its = results.getOrDefault(action.id(), List.of()).stream()
                    .filter(r -> resultTime(r) == null || !resultTime(r).isBefore(injectedAt)).toList();
            ActionResult last = its.stream().filter(r -> TERMINAL.contains(r.status()))
                    .max(Comparator.comparing(PhaseTracker::resultTime, Comparator.nullsFirst(Comparator.naturalOrder())))
                    .orElse(its.isEmpty() ? null : its.get(its.size() - 1));
            described.add(action.type().wireName() + " " + action.target().key() + " (rule \"" + action.rule().name()
                    + "\"" + (action.mode() == ActionMode.EXECUTE ? "" : ", " + action.mode()) + "): "
                    + (last == null ? "no result yet" : last.status()));
            if (!matches(action)) {
                continue;
            }
            for (ActionResult result : its) {
                if (result.succeeded() && action.mode() == ActionMode.EXECUTE) {
                    Instant at = resultTime(result);
                    if (at != null && (actedAt == null || at.isBefore(actedAt))) {
                        actedAt = at;
                    }
                } else if (TERMINAL.contains(result.status())) {
                    failure = result.status() + (result.detail() == null ? "" : ": " + result.detail());
                }
            }
            if (action.mode() != ActionMode.EXECUTE && failure == null) {
                failure = "it ran in " + action.mode() + " mode, so it changed nothing";
            }
        }
        return new Phases(incident, detectedAt, decidedAt, actedAt, rulesFired, described, actedAt == null ? failure : null);
    }

    /** Whether an action is the one the drill expects (every part that is given matches). */
    boolean matches(Action action) {
        return (expect.rule() == null || expect.rule().equals(action.rule().name()))
                && (expect.action() == null || expect.action() == action.type())
                && (expect.target() == null || expect.target().equals(action.target().key()));
    }

    private static Instant resultTime(ActionResult result) {
        return result.finishedAt() != null ? result.finishedAt() : result.startedAt();
    }
}
