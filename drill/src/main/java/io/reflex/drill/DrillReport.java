package io.reflex.drill;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

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
 * @param undone      whether the drill undid its fault (it was not healed by the timeout)
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
        Instant finishedAt) {

    public DrillReport {
        actualRules = actualRules == null ? List.of() : List.copyOf(actualRules);
        actualActions = actualActions == null ? List.of() : List.copyOf(actualActions);
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
        out.append(passed ? "PASS " : "FAIL ").append(drill).append("  (").append(id).append(")\n");
        out.append("  fault      ").append(fault).append(injectedAt == null ? " (not injected)" : " at " + injectedAt)
                .append('\n');
        if (phases != null) {
            out.append("  detect     ").append(ms(phases.detectMs())).append('\n');
            out.append("  decide     ").append(ms(phases.decideMs())).append('\n');
            out.append("  act        ").append(ms(phases.actMs())).append('\n');
            out.append("  recover    ").append(ms(phases.recoverMs()))
                    .append(sloMs == null ? "" : "  (SLO " + ms(sloMs) + ")").append('\n');
        }
        out.append("  expected   ").append(expected).append('\n');
        out.append("  rules      ").append(actualRules.isEmpty() ? "none fired" : String.join(", ", actualRules)).append('\n');
        out.append("  actions    ").append(actualActions.isEmpty() ? "none" : String.join("; ", actualActions)).append('\n');
        if (incidentId != null) {
            out.append("  incident   ").append(incidentId).append('\n');
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
