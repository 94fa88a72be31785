package io.reflex.drill.dr;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The result of one DR drill run, as JSON and as {@link #readable()} text. A step that did not
 * happen has a null time.
 *
 * @param alertsSent         alerts handed to the producer
 * @param alertsAcked        of those, acknowledged by Kafka (acks=all): Reflex owes each a decision
 * @param alertsLost         acked alerts with no ALERT_RECEIVED entry by the timeout
 * @param lostExamples       up to 20 of their ids
 * @param alertsDecidedTwice acked alerts with more than one ALERT_RECEIVED entry
 * @param actionsDecided     actions of the drill's alerts (distinct ids)
 * @param actionsDuplicated  repeats on reflex.actions (one id written again), plus actions beyond
 *                           the first for one alert and rule step
 * @param resultsDuplicated  terminal results beyond the first of an action, plus STARTED results
 *                           beyond the first of one attempt
 * @param actionsWithoutResult actions with no terminal result by the timeout
 * @param duplicateExamples  up to 20 descriptions of repeats
 * @param alertsDecidedBeforeKill how many of the alerts Reflex had decided (committed) when the
 *                           process was killed: above 0, the kill hit a role at work; null without a kill
 * @param role               the role the drill kills; null for a drill that only restarts the broker
 * @param killed             what was killed ({@code rules (pid 123)}), or why not
 * @param restarted          the restart command's process ({@code pid 456}), or null
 * @param restartedPid       its pid, so whoever started the drill can stop it; null without a restart
 * @param brokerRestartedAt  when the restarted broker answered clients again; null when it was not restarted
 * @param caughtUpAt         when every acked alert was received and every action had ended; null when it did not
 * @param executed           whether the traffic took the real path ({@code traffic.execute}): its incidents are
 *                           then real incidents labelled with the drill id, and its actions really executed
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DrDrillReport(
        String drill,
        String id,
        String role,
        int alertsSent,
        int alertsAcked,
        int alertsLost,
        List<String> lostExamples,
        int alertsDecidedTwice,
        int actionsDecided,
        int actionsDuplicated,
        int resultsDuplicated,
        int actionsWithoutResult,
        List<String> duplicateExamples,
        Integer alertsDecidedBeforeKill,
        Instant startedAt,
        Instant killedAt,
        String killed,
        Instant restartedAt,
        Long restartedPid,
        Instant brokerRestartedAt,
        Instant caughtUpAt,
        Instant finishedAt,
        boolean passed,
        String reason,
        boolean executed) {

    public DrDrillReport {
        lostExamples = lostExamples == null ? List.of() : List.copyOf(lostExamples);
        duplicateExamples = duplicateExamples == null ? List.of() : List.copyOf(duplicateExamples);
    }

    /** A rehearsed drill's report. */
    public DrDrillReport(String drill, String id, String role, int alertsSent, int alertsAcked, int alertsLost,
            List<String> lostExamples, int alertsDecidedTwice, int actionsDecided, int actionsDuplicated,
            int resultsDuplicated, int actionsWithoutResult, List<String> duplicateExamples,
            Integer alertsDecidedBeforeKill, Instant startedAt, Instant killedAt, String killed, Instant restartedAt,
            Long restartedPid, Instant brokerRestartedAt, Instant caughtUpAt, Instant finishedAt, boolean passed,
            String reason) {
        this(drill, id, role, alertsSent, alertsAcked, alertsLost, lostExamples, alertsDecidedTwice, actionsDecided,
                actionsDuplicated, resultsDuplicated, actionsWithoutResult, duplicateExamples, alertsDecidedBeforeKill,
                startedAt, killedAt, killed, restartedAt, restartedPid, brokerRestartedAt, caughtUpAt, finishedAt,
                passed, reason, false);
    }

    /** For people: a few aligned lines. */
    public String readable() {
        StringBuilder out = new StringBuilder();
        out.append(passed ? "PASS " : "FAIL ").append(drill).append("  (").append(id).append(")\n");
        out.append("  traffic    ").append(alertsSent).append(" alerts sent, ").append(alertsAcked).append(" acked\n");
        out.append("  path       ").append(executed ? "real: actions executed; the incidents are real incidents"
                + " labelled drillId=" + id : "rehearsal: DRY_RUN actions, no connector called").append('\n');
        out.append("  kill       ").append(role == null ? "-" : role + ": " + (killed == null ? "-" : killed))
                .append(at(killedAt))
                .append(alertsDecidedBeforeKill == null ? "" : ", " + alertsDecidedBeforeKill + " alerts decided before")
                .append('\n');
        out.append("  restart    ").append(restartedAt == null ? "-" : "pid " + restartedPid + at(restartedAt))
                .append('\n');
        out.append("  broker     ").append(brokerRestartedAt == null ? "-" : "restarted, back" + at(brokerRestartedAt))
                .append('\n');
        out.append("  lost       ").append(alertsLost).append(" alerts")
                .append(lostExamples.isEmpty() ? "" : " (e.g. " + String.join(", ", lostExamples) + ")").append('\n');
        out.append("  duplicate  ").append(alertsDecidedTwice).append(" alerts decided twice, ")
                .append(actionsDuplicated).append(" actions, ").append(resultsDuplicated).append(" results\n");
        for (String example : duplicateExamples) {
            out.append("             ").append(example).append('\n');
        }
        out.append("  actions    ").append(actionsDecided).append(" decided, ").append(actionsWithoutResult)
                .append(" without a result\n");
        out.append("  caught up  ").append(caughtUpAt == null ? "no" : since(caughtUpAt) + " after the start")
                .append('\n');
        out.append("  ").append(passed ? "passed: " : "failed: ").append(reason).append('\n');
        return out.toString();
    }

    private String at(Instant t) {
        return t == null ? "" : " at +" + since(t);
    }

    private String since(Instant t) {
        Duration d = Duration.between(startedAt, t);
        return String.format(java.util.Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
    }
}
