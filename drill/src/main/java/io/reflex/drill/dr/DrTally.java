package io.reflex.drill.dr;

import io.reflex.model.Action;
import io.reflex.model.ActionMode;
import io.reflex.model.ActionResult;
import io.reflex.model.ActionStatus;
import io.reflex.model.TimelineEntry;
import io.reflex.model.TimelineKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Counts what Reflex did with one DR drill's alerts, from the records it wrote: which acked alerts
 * were received (an {@code ALERT_RECEIVED} timeline entry with refs {@code drillId} and
 * {@code alertId}), which actions they caused and whether each ended, and every repeat. Fed record
 * by record in any order (the topics' partitions interleave); {@link #counts()} judges what it has
 * seen so far. Not thread-safe: one reader feeds it.
 *
 * <p>An action belongs to the drill when it carries the label {@code drillId} of this drill
 * (rehearsals, and the alert's own labels) or belongs to an incident one of the drill's alerts
 * was received on.
 */
public final class DrTally {
    /** How many steps of one rule for one alert are tried when an action's step is worked out. */
    private static final int MAX_STEPS = 16;
    static final int EXAMPLES = 20;

    private final String drillId;
    private final Set<String> acked = new LinkedHashSet<>();
    private final Set<String> notAcked = new LinkedHashSet<>();
    /** alert id -> how many ALERT_RECEIVED entries of this drill name it. */
    private final Map<String, Integer> received = new HashMap<>();
    /** alert id -> when its first ALERT_RECEIVED entry was read. */
    private final Map<String, Instant> firstSeen = new HashMap<>();
    private final Set<String> drillIncidents = new HashSet<>();
    /** action id -> the action, as first written, and how many times it was written. */
    private final Map<String, Action> actions = new HashMap<>();
    private final Map<String, Integer> actionWrites = new HashMap<>();
    /** RULE_FIRED entries: action id -> (alert id, rule, incident id). */
    private final Map<String, Fired> fired = new HashMap<>();
    private final Map<String, List<ActionResult>> results = new HashMap<>();

    private record Fired(String alertId, String rule, String incidentId) {
    }

    public DrTally(String drillId) {
        this.drillId = Objects.requireNonNull(drillId, "drillId");
    }

    /** An alert of the drill that Kafka acknowledged (acks=all): Reflex must not lose it. */
    public void acked(String alertId) {
        acked.add(alertId);
    }

    /**
     * An alert of the drill that Kafka did not acknowledge: the drill did not do what it set out to
     * (that many alerts never tested Reflex), so it fails, saying how many.
     */
    public void notAcked(String alertId) {
        notAcked.add(alertId);
    }

    /** A record read from reflex.timeline, reflex.actions or reflex.results; anything else is ignored. */
    public void record(Object record) {
        record(record, null);
    }

    /** @param readAt when the drill read it (for {@link #receivedBy}); null when unknown */
    public void record(Object record, Instant readAt) {
        if (record instanceof TimelineEntry entry) {
            timeline(entry, readAt);
        } else if (record instanceof Action action) {
            actions.putIfAbsent(action.id(), action);
            actionWrites.merge(action.id(), 1, Integer::sum);
        } else if (record instanceof ActionResult result) {
            results.computeIfAbsent(result.actionId(), id -> new ArrayList<>()).add(result);
        }
    }

    private void timeline(TimelineEntry entry, Instant readAt) {
        // Rehearsals carry the drill id as a ref; alerts on the real path (traffic.execute) as the label drillId.
        if (entry.kind() == TimelineKind.ALERT_RECEIVED && (drillId.equals(entry.refs().get("drillId"))
                || drillId.equals(entry.refs().get("label.drillId")))) {
            String alertId = entry.refs().get("alertId");
            if (alertId != null) {
                received.merge(alertId, 1, Integer::sum);
                if (readAt != null) {
                    firstSeen.putIfAbsent(alertId, readAt);
                }
                drillIncidents.add(entry.incidentId());
            }
        } else if (entry.kind() == TimelineKind.RULE_FIRED && entry.refs().get("actionId") != null
                && entry.refs().get("alertId") != null) {
            // The first one: a second RULE_FIRED for the same action is the same decision written again,
            // which the action's own repeat on reflex.actions already counts.
            fired.putIfAbsent(entry.refs().get("actionId"), new Fired(entry.refs().get("alertId"),
                    entry.refs().getOrDefault("rule", ""), entry.incidentId()));
        }
    }

    private boolean ofDrill(Action action) {
        return drillId.equals(action.labels().get("drillId")) || drillIncidents.contains(action.incidentId());
    }

    /**
     * How many of the drill's alerts had been decided (their ALERT_RECEIVED entry read, committed)
     * by a time: at the kill, it tells whether the kill hit a process at work.
     */
    public int receivedBy(Instant t) {
        return (int) firstSeen.values().stream().filter(seen -> !seen.isAfter(t)).count();
    }

    /** Whether every acked alert was received and every action of the drill has ended. */
    public boolean caughtUp() {
        Counts c = counts();
        return c.alertsLost() == 0 && c.actionsWithoutResult() == 0;
    }

    /** The figures from what has been fed so far. */
    public Counts counts() {
        List<String> lost = new ArrayList<>();
        int lostCount = 0;
        for (String id : acked) {
            if (!received.containsKey(id)) {
                lostCount++;
                if (lost.size() < EXAMPLES) {
                    lost.add(id);
                }
            }
        }
        int decidedTwice = 0;
        for (Map.Entry<String, Integer> e : received.entrySet()) {
            if (e.getValue() > 1 && acked.contains(e.getKey())) {
                decidedTwice++;
            }
        }
        int decided = 0;
        int duplicated = 0;
        int withoutResult = 0;
        int resultsDuplicated = 0;
        List<String> duplicateExamples = new ArrayList<>();
        Map<String, Set<String>> bySteps = new HashMap<>();
        for (Action action : actions.values()) {
            if (!ofDrill(action)) {
                continue;
            }
            decided++;
            int writes = actionWrites.get(action.id());
            if (writes > 1) {
                duplicated += writes - 1;
                example(duplicateExamples, action.id() + " written " + writes + " times");
            }
            Fired f = fired.get(action.id());
            if (f != null) {
                bySteps.computeIfAbsent(stepKey(action, f), k -> new LinkedHashSet<>()).add(action.id());
            }
            List<ActionResult> its = results.getOrDefault(action.id(), List.of());
            // Shadow actions are only recorded: no result follows them.
            if (action.mode() != ActionMode.SHADOW && its.stream().noneMatch(r -> r.status().terminal())) {
                withoutResult++;
            }
            long terminal = its.stream().filter(r -> r.status().terminal()).count();
            if (terminal > 1) {
                resultsDuplicated += (int) terminal - 1;
                example(duplicateExamples, action.id() + " ended " + terminal + " times");
            }
            // One STARTED per attempt: a retry starts again under the next attempt number.
            Map<Integer, Integer> started = new HashMap<>();
            its.stream().filter(r -> r.status() == ActionStatus.STARTED)
                    .forEach(r -> started.merge(r.attempt(), 1, Integer::sum));
            for (int n : started.values()) {
                if (n > 1) {
                    resultsDuplicated += n - 1;
                    example(duplicateExamples, action.id() + " started " + n + " times in one attempt");
                }
            }
        }
        for (Map.Entry<String, Set<String>> e : bySteps.entrySet()) {
            if (e.getValue().size() > 1) {
                duplicated += e.getValue().size() - 1;
                example(duplicateExamples, "actions " + e.getValue() + " for one alert and rule step");
            }
        }
        return new Counts(acked.size(), lostCount, lost, decidedTwice, decided, duplicated, resultsDuplicated,
                withoutResult, duplicateExamples, notAcked.size());
    }

    /**
     * Alert, rule and step of an action. The step is found by recomputing the rules stage's
     * deterministic id ({@link Action#idFor}, step {@code <alertId>#<n>}): two actions of one step
     * with different ids mean the alert was decided twice (say, once on an incident that a crash
     * forgot). An action whose step cannot be found (another id scheme) is its own step.
     */
    private static String stepKey(Action action, Fired f) {
        for (int n = 0; n < MAX_STEPS; n++) {
            if (Action.idFor(action.incidentId(), f.rule(), f.alertId() + "#" + n).equals(action.id())) {
                return f.alertId() + '\u001f' + f.rule() + '\u001f' + n;
            }
        }
        return f.alertId() + '\u001f' + f.rule() + '\u001f' + action.id();
    }

    private static void example(List<String> examples, String text) {
        if (examples.size() < EXAMPLES) {
            examples.add(text);
        }
    }

    /**
     * @param lostExamples      up to {@value #EXAMPLES} ids of lost alerts
     * @param duplicateExamples up to {@value #EXAMPLES} descriptions of repeats
     */
    public record Counts(int alertsAcked, int alertsLost, List<String> lostExamples, int alertsDecidedTwice,
            int actionsDecided, int actionsDuplicated, int resultsDuplicated, int actionsWithoutResult,
            List<String> duplicateExamples, int alertsNotAcked) {
        public Counts {
            lostExamples = List.copyOf(lostExamples);
            duplicateExamples = List.copyOf(duplicateExamples);
        }

        public Counts(int alertsAcked, int alertsLost, List<String> lostExamples, int alertsDecidedTwice,
                int actionsDecided, int actionsDuplicated, int resultsDuplicated, int actionsWithoutResult,
                List<String> duplicateExamples) {
            this(alertsAcked, alertsLost, lostExamples, alertsDecidedTwice, actionsDecided, actionsDuplicated,
                    resultsDuplicated, actionsWithoutResult, duplicateExamples, 0);
        }

        /** Why these figures fail a DR drill; empty when they pass (nothing lost, nothing repeated, everything ended). */
        public List<String> problems() {
            List<String> why = new ArrayList<>();
            if (alertsAcked == 0) {
                why.add("Kafka acknowledged none of the alerts; nothing was tested");
            }
            if (alertsNotAcked > 0) {
                why.add(alertsNotAcked + " of " + (alertsAcked + alertsNotAcked) + " alerts were not acknowledged by"
                        + " Kafka (the producer gave up on them; see the log), so they tested nothing; is Kafka"
                        + " healthy, and is the timeout long enough to outlast the broker restart?");
            }
            if (alertsLost > 0) {
                why.add(alertsLost + " of " + alertsAcked + " acked alerts were lost (no ALERT_RECEIVED by the timeout)");
            }
            if (alertsDecidedTwice > 0) {
                why.add(alertsDecidedTwice + " alerts were decided twice");
            }
            if (actionsDuplicated > 0) {
                why.add(actionsDuplicated + " actions were duplicated");
            }
            if (resultsDuplicated > 0) {
                why.add(resultsDuplicated + " results were duplicated");
            }
            if (actionsWithoutResult > 0) {
                why.add(actionsWithoutResult + " actions had no terminal result by the timeout");
            }
            return why;
        }
    }
}
