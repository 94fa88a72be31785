package io.reflex.drill;

import io.reflex.model.Action;
import io.reflex.model.ActionResult;
import io.reflex.model.TimelineEntry;
import io.reflex.model.TimelineKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Follows a dry-run drill by its id: the rehearsal incidents (their timeline entries carry ref
 * {@code drillId}), the actions the rules decided for them (label {@code drillId}) and their
 * dry-run results. Detect is the first ALERT_RECEIVED, decide the expected rule's RULE_FIRED, act
 * the expected action's dry-run result ({@code dry run: would …}). Not thread-safe.
 */
public final class DryRunTracker {
    static final String WOULD = "dry run: would ";
    private static final String HELD = "dry run: would be held by ";
    private static final String REFUSED = "dry run: would be refused by ";
    private static final String ESCALATED = "dry run: would be escalated by ";

    private final String drillId;
    private final Expectation expect;
    private final Set<String> incidents = new LinkedHashSet<>();
    private final Map<String, Action> actions = new LinkedHashMap<>();
    private final Map<String, ActionResult> terminal = new HashMap<>();
    /** The drill's timeline entries, as read: phases are worked out from them when asked (topics interleave). */
    private final List<TimelineEntry> entries = new ArrayList<>();
    private Instant lastRecordAt;

    public DryRunTracker(String drillId, Expectation expect) {
        this.drillId = Objects.requireNonNull(drillId, "drillId");
        this.expect = Objects.requireNonNull(expect, "expect");
    }

    /** Takes any record from the feed; only the drill's count. Returns whether it was one of the drill's. */
    public boolean accept(Object record) {
        if (record instanceof TimelineEntry entry && drillId.equals(entry.refs().get("drillId"))) {
            incidents.add(entry.incidentId());
            entries.add(entry);
            lastRecordAt = entry.at();
            return true;
        }
        if (record instanceof Action action && drillId.equals(action.label("drillId"))
                && !FaultActions.FAULT_RULE.equals(action.rule().name())
                && !FaultActions.UNDO_RULE.equals(action.rule().name())) {
            actions.putIfAbsent(action.id(), action);
            return true;
        }
        if (record instanceof ActionResult result && result.status().terminal()) {
            terminal.putIfAbsent(result.actionId(), result);
            // Other drills' results and real ones are read too: only the drill's own count as its activity.
            return actions.containsKey(result.actionId()) || incidents.contains(result.incidentId());
        }
        return false;
    }

    /**
     * Per action of the drill, per guardrail: its decision (HOLD, REFUSE, ESCALATE). From the
     * GUARDRAIL entries; an action whose entry is not read (yet) counts by its result's detail, so
     * one decision is never counted twice.
     */
    private Map<String, Map<String, String>> ownDecisions() {
        Map<String, Map<String, String>> own = new HashMap<>();
        for (TimelineEntry entry : entries) {
            String actionId = entry.refs().get("actionId");
            if (entry.kind() == TimelineKind.GUARDRAIL && actionId != null) {
                own.computeIfAbsent(actionId, id -> new HashMap<>()).put(entry.refs().getOrDefault("guardrail", "?"),
                        entry.refs().getOrDefault("decision", "?"));
            }
        }
        for (Action action : actions.values()) {
            ActionResult result = terminal.get(action.id());
            if (result == null || own.containsKey(action.id())) {
                continue;
            }
            String detail = result.detail() == null ? "" : result.detail();
            for (String[] kind : new String[][] {{HELD, "HOLD"}, {REFUSED, "REFUSE"}, {ESCALATED, "ESCALATE"}}) {
                if (detail.startsWith(kind[0])) {
                    // Guardrail names have colons of their own (blastRadius:hosts-per-zone): the reason follows ": ".
                    String rest = detail.substring(kind[0].length());
                    int end = rest.indexOf(": ");
                    own.computeIfAbsent(action.id(), id -> new HashMap<>())
                            .put((end < 0 ? rest : rest.substring(0, end)).trim(), kind[1]);
                }
            }
        }
        return own;
    }

    /** Whether a guardrail's name is the one a drill file names: itself, or one of its kind ({@code blastRadius}). */
    static boolean isGuardrail(String name, String expected) {
        return name.equals(expected) || name.startsWith(expected + ":");
    }

    public Instant detectedAt() {
        Instant at = null;
        for (TimelineEntry entry : entries) {
            if (entry.kind() == TimelineKind.ALERT_RECEIVED) {
                at = min(at, entry.at());
            }
        }
        return at;
    }

    public Instant decidedAt() {
        Instant at = null;
        for (TimelineEntry entry : entries) {
            if (entry.kind() != TimelineKind.RULE_FIRED) {
                continue;
            }
            String rule = entry.refs().getOrDefault("rule", "?");
            Action action = actions.get(entry.refs().get("actionId"));
            boolean expected = expect.rule() != null ? expect.rule().equals(rule)
                    && !"failed".equals(entry.refs().get("outcome"))
                    : action != null && matches(action);
            if (expected) {
                at = min(at, entry.at());
            }
        }
        return at;
    }

    /** The first dry-run result of an expected action that says it would run; null when none yet. */
    public Instant actedAt() {
        Instant at = null;
        for (Action action : actions.values()) {
            ActionResult result = terminal.get(action.id());
            if (result != null && matches(action) && wouldRun(result)) {
                Instant when = result.finishedAt() != null ? result.finishedAt() : result.startedAt();
                at = min(at, when != null ? when : action.createdAt());
            }
        }
        return at;
    }

    /** The first expected action's result that is not "would run", for the reason of a failure; null when none. */
    public String expectedActionOutcome() {
        for (Action action : actions.values()) {
            ActionResult result = terminal.get(action.id());
            if (result != null && matches(action) && !wouldRun(result)) {
                return result.status() + (result.detail() == null ? "" : ": " + result.detail());
            }
        }
        return null;
    }

    /** Whether the guardrail held or refused at least one of the drill's actions. */
    public boolean guardrailStopped(String guardrail) {
        return ownDecisions().values().stream().anyMatch(d -> d.entrySet().stream().anyMatch(e ->
                isGuardrail(e.getKey(), guardrail) && ("HOLD".equals(e.getValue()) || "REFUSE".equals(e.getValue()))));
    }

    /** Whether every action decided for the drill has its terminal result. */
    public boolean allActionsFinished() {
        return actions.keySet().stream().allMatch(terminal::containsKey);
    }

    /** When the last of the drill's timeline entries was written; null when none yet. */
    public Instant lastRecordAt() {
        return lastRecordAt;
    }

    public String firstIncident() {
        return incidents.isEmpty() ? null : incidents.iterator().next();
    }

    public List<String> rulesFired() {
        return entries.stream().filter(e -> e.kind() == TimelineKind.RULE_FIRED)
                .map(e -> e.refs().getOrDefault("rule", "?")).toList();
    }

    public List<String> guardrails() {
        return entries.stream().filter(e -> e.kind() == TimelineKind.GUARDRAIL)
                .map(e -> e.refs().getOrDefault("guardrail", "?") + " " + e.refs().getOrDefault("decision", "?") + ": "
                        + e.summary()).toList();
    }

    /** Every action, as {@code type target (rule "R", DRY_RUN): STATUS: detail}. */
    public List<String> actions() {
        List<String> out = new ArrayList<>();
        for (Action action : actions.values()) {
            ActionResult result = terminal.get(action.id());
            out.add(action.type().wireName() + " " + action.target().key() + " (rule \"" + action.rule().name() + "\", "
                    + action.mode() + "): " + (result == null ? "no result yet" : result.status()
                    + (result.detail() == null ? "" : ": " + result.detail())));
        }
        return out;
    }

    public DrillReport.StormCounts counts(int alertsSent) {
        int wouldRun = 0;
        for (Action action : actions.values()) {
            ActionResult result = terminal.get(action.id());
            if (result != null && wouldRun(result)) {
                wouldRun++;
            }
        }
        Map<String, int[]> tally = new TreeMap<>();
        for (Map<String, String> byGuardrail : ownDecisions().values()) {
            byGuardrail.forEach((guardrail, decision) -> {
                int[] c = tally.computeIfAbsent(guardrail, g -> new int[3]);
                switch (decision) {
                    case "HOLD" -> c[0]++;
                    case "REFUSE" -> c[1]++;
                    case "ESCALATE" -> c[2]++;
                    default -> {
                    }
                }
            });
        }
        Map<String, DrillReport.GuardrailCounts> counts = new TreeMap<>();
        tally.forEach((g, c) -> counts.put(g, new DrillReport.GuardrailCounts(c[0], c[1], c[2])));
        return new DrillReport.StormCounts(alertsSent, incidents.size(), actions.size(), wouldRun, counts);
    }

    private boolean matches(Action action) {
        return (expect.rule() == null || expect.rule().equals(action.rule().name()))
                && (expect.action() == null || expect.action() == action.type())
                && (expect.target() == null || expect.target().equals(action.target().key()));
    }

    private static boolean wouldRun(ActionResult result) {
        String detail = result.detail() == null ? "" : result.detail();
        return detail.startsWith(WOULD) && !detail.startsWith("dry run: would be ");
    }

    private static Instant min(Instant a, Instant b) {
        return a == null || b != null && b.isBefore(a) ? b : a;
    }
}
