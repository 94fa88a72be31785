package io.reflex.drill;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The result of one drill run, as {@code reflex drill run --json} prints it. Durations are in
 * milliseconds; a phase that did not happen is null.
 *
 * @param id          {@code drill-<name>-<timestamp>}: on every log line of the run
 * @param injectedAt  when the fault was injected; null when the drill refused to inject
 * @param phases      detect: injection to the alert; decide: the alert to the expected rule firing;
 *                    act: the rule to its action's success; recover: injection to the steady state
 *                    back (the time to recover that the SLO grades)
 * @param expected    the expectation, as written
 * @param actualRules the rules that fired for the incident
 * @param actualActions the incident's actions and how they ended
 * @param undone      whether the drill undid its fault (it was not healed by the timeout, or the drill aborted)
 * @param mode        {@code live} or {@code dry-run} (a dry run measures no recovery and grades no SLO)
 * @param aborted     whether an abort condition stopped the drill; {@code abortReason} says which
 * @param guardrails  every guardrail decision seen on the drill's actions, as {@code guardrail DECISION: reason}
 * @param storm       what an alert storm caused; null when the fault is not a storm
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DrillReport(
        String drill,
        String id,
        String fault,
        String resource,
        Instant injectedAt,
        PhaseMillis phases,
        Long sloMs,
        String expected,
        List<String> actualRules,
        List<String> actualActions,
        String incidentId,
        boolean passed,
        String reason,
        boolean undone,
        String undo,
        Instant finishedAt,
        String mode,
        boolean aborted,
        String abortReason,
        List<String> guardrails,
        StormCounts storm) {

    public DrillReport {
        // A storm fires one rule per alert: a report of 1,000 alerts says "rule (x1000)" and shows
        // the first actions and guardrail decisions, the counts being in `storm`.
        actualRules = actualRules == null ? List.of() : counted(actualRules);
        actualActions = actualActions == null ? List.of() : capped(actualActions);
        guardrails = guardrails == null ? List.of() : capped(guardrails);
        mode = mode == null ? DrillMode.LIVE.word() : mode;
    }

    /** At most this many actions and guardrail lines are listed; the rest are counted. */
    public static final int MAX_LISTED = 20;

    /** Rules in the order they first fired, each repeated one as {@code name (xN)}, once there are more than {@link #MAX_LISTED}. */
    private static List<String> counted(List<String> rules) {
        if (rules.size() <= MAX_LISTED) {
            return List.copyOf(rules);
        }
        java.util.Map<String, Integer> counts = new java.util.LinkedHashMap<>();
        rules.forEach(rule -> counts.merge(rule, 1, Integer::sum));
        return counts.entrySet().stream()
                .map(e -> e.getValue() == 1 ? e.getKey() : e.getKey() + " (x" + e.getValue() + ")")
                .toList();
    }

    /** The first {@link #MAX_LISTED} - 1 lines and {@code … and N more}. */
    private static List<String> capped(List<String> lines) {
        if (lines.size() <= MAX_LISTED) {
            return List.copyOf(lines);
        }
        List<String> first = new java.util.ArrayList<>(lines.subList(0, MAX_LISTED - 1));
        first.add("… and " + (lines.size() - MAX_LISTED + 1) + " more");
        return List.copyOf(first);
    }

    /** A live report that did not abort and saw no guardrail (the first slice's shape). */
    public DrillReport(String drill, String id, String fault, String resource, Instant injectedAt, PhaseMillis phases,
            Long sloMs, String expected, List<String> actualRules, List<String> actualActions, String incidentId,
            boolean passed, String reason, boolean undone, String undo, Instant finishedAt) {
        this(drill, id, fault, resource, injectedAt, phases, sloMs, expected, actualRules, actualActions, incidentId,
                passed, reason, undone, undo, finishedAt, DrillMode.LIVE.word(), false, null, List.of(), null);
    }

    /**
     * What an alert storm's dry run caused.
     *
     * @param incidents      rehearsal incidents opened for the drill
     * @param actionsDecided actions the rules decided for it
     * @param wouldRun       of those, the ones the guardrails would have let run
     * @param byGuardrail    per guardrail, how many of its actions it held, refused and escalated
     */
    public record StormCounts(int alertsSent, int incidents, int actionsDecided, int wouldRun,
            Map<String, GuardrailCounts> byGuardrail) {
        public StormCounts {
            byGuardrail = byGuardrail == null ? Map.of() : Map.copyOf(new TreeMap<>(byGuardrail));
        }
    }

    /** How many of a drill's actions one guardrail held, refused and escalated. */
    public record GuardrailCounts(int held, int refused, int escalated) {
    }

    /** The four phases in milliseconds, each null when it did not happen. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record PhaseMillis(Long detectMs, Long decideMs, Long actMs, Long recoverMs) {
        static PhaseMillis of(Duration detect, Duration decide, Duration act, Duration recover) {
            return new PhaseMillis(ms(detect), ms(decide), ms(act), ms(recover));
        }

        private static Long ms(Duration d) {
            return d == null ? null : d.toMillis();
        }

        /** Whether all four happened. */
        public boolean complete() {
            return detectMs != null && decideMs != null && actMs != null && recoverMs != null;
        }
    }

    /** For people: a few aligned lines. */
    public String readable() {
        StringBuilder out = new StringBuilder();
        out.append(passed ? "PASS " : "FAIL ").append(drill).append("  (").append(id).append(", ").append(mode)
                .append(")\n");
        out.append("  fault      ").append(fault).append(injectedAt == null ? " (not injected)" : " at " + injectedAt)
                .append('\n');
        if (phases != null) {
            out.append("  detect     ").append(ms(phases.detectMs())).append('\n');
            out.append("  decide     ").append(ms(phases.decideMs())).append('\n');
            out.append("  act        ").append(ms(phases.actMs())).append('\n');
            if (DrillMode.DRY_RUN.word().equals(mode)) {
                out.append("  recover    not measured in a dry run (SLO not graded)\n");
            } else {
                out.append("  recover    ").append(ms(phases.recoverMs()))
                        .append(sloMs == null ? "" : "  (SLO " + ms(sloMs) + ")").append('\n');
            }
        }
        out.append("  expected   ").append(expected).append('\n');
        out.append("  rules      ").append(actualRules.isEmpty() ? "none fired" : String.join(", ", actualRules)).append('\n');
        out.append("  actions    ").append(actualActions.isEmpty() ? "none" : String.join("; ", actualActions)).append('\n');
        if (incidentId != null) {
            out.append("  incident   ").append(incidentId).append('\n');
        }
        if (storm != null) {
            out.append("  storm      ").append(storm.alertsSent()).append(" alerts sent, ").append(storm.incidents())
                    .append(" incidents, ").append(storm.actionsDecided()).append(" actions decided, ")
                    .append(storm.wouldRun()).append(" would run\n");
            storm.byGuardrail().forEach((name, c) -> out.append("  guardrail  ").append(name).append(": held ")
                    .append(c.held()).append(", refused ").append(c.refused()).append(", escalated ")
                    .append(c.escalated()).append('\n'));
        }
        for (String line : guardrails) {
            out.append("  guarded    ").append(line).append('\n');
        }
        if (aborted) {
            out.append("  aborted    ").append(abortReason).append('\n');
        }
        if (undo != null) {
            out.append("  undo       ").append(undo).append('\n');
        }
        out.append("  ").append(passed ? "passed: " : "failed: ").append(reason).append('\n');
        return out.toString();
    }

    private static String ms(Long ms) {
        return ms == null ? "-" : Verdict.human(Duration.ofMillis(ms));
    }
}
