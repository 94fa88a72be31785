package io.reflex.rules.replay;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.reflex.model.ActionType;
import io.reflex.model.Json;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a candidate ruleset would have done over a time range, next to what was actually done.
 * Serialises to JSON through {@link Json#MAPPER} (the body of a replay response) and prints as
 * text with {@link #text()}.
 *
 * @param rows          one per alert that triggered an action in either, in the order the alerts were read
 * @param unattributed  actual actions in the range whose triggering alert is not in it (it came before
 *                      {@code from}); they cannot be compared and are listed so none goes unseen
 * @param failures      candidate rules that threw, as "rule on alert: error"
 */
public record ReplayReport(
        Instant from,
        Instant to,
        String candidate,
        int alertsRead,
        int duplicatesDropped,
        List<Row> rows,
        List<Decision> unattributed,
        List<String> failures,
        Summary summary) {

    public ReplayReport {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        rows = List.copyOf(rows);
        unattributed = List.copyOf(unattributed);
        failures = List.copyOf(failures);
        Objects.requireNonNull(summary, "summary");
    }

    /** One action, as far as a comparison cares: its type, target ({@code kind:name}) and the rule that decided it. */
    public record Decision(ActionType type, String target, String rule) {
        public Decision {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(rule, "rule");
        }

        @Override
        public String toString() {
            return type.wireName() + " " + target + " (rule \"" + rule + "\")";
        }
    }

    /** An alert read back from the range, with the actions each side took for it. */
    public record Row(String alertId, String alertName, String resource, List<Decision> actual,
            List<Decision> candidate) {
        public Row {
            actual = List.copyOf(actual);
            candidate = List.copyOf(candidate);
        }
    }

    /**
     * Counts of actions: {@code same} decided by both (same trigger, type and target; the rule name
     * may differ), {@code onlyActual} taken but not by the candidate, {@code onlyCandidate} the reverse.
     */
    public record Summary(int same, int onlyActual, int onlyCandidate) {
        public boolean identical() {
            return onlyActual == 0 && onlyCandidate == 0;
        }
    }

    /** An alert of the range, the minimum a row needs. */
    public record AlertRef(String id, String name, String resource) {
    }

    /**
     * Puts both sides next to each other. A candidate decision matches an actual one with the same
     * trigger alert, action type and target; each actual decision matches at most one candidate one.
     *
     * @param alerts    the alerts of the range in read order
     * @param actual    actual decisions by trigger alert id
     * @param candidate candidate decisions by trigger alert id
     */
    public static ReplayReport compare(Instant from, Instant to, String candidateOrigin, List<AlertRef> alerts,
            int duplicatesDropped, Map<String, List<Decision>> actual, Map<String, List<Decision>> candidate,
            List<Decision> unattributed, List<String> failures) {
        List<Row> rows = new ArrayList<>();
        int same = 0;
        int onlyActual = 0;
        int onlyCandidate = 0;
        for (AlertRef alert : alerts) {
            List<Decision> took = actual.getOrDefault(alert.id(), List.of());
            List<Decision> would = candidate.getOrDefault(alert.id(), List.of());
            if (took.isEmpty() && would.isEmpty()) {
                continue;
            }
            rows.add(new Row(alert.id(), alert.name(), alert.resource(), took, would));
            Map<String, Integer> unmatched = new HashMap<>();
            took.forEach(d -> unmatched.merge(matchKey(d), 1, Integer::sum));
            for (Decision d : would) {
                Integer left = unmatched.get(matchKey(d));
                if (left != null && left > 0) {
                    unmatched.put(matchKey(d), left - 1);
                    same++;
                } else {
                    onlyCandidate++;
                }
            }
            onlyActual += unmatched.values().stream().mapToInt(Integer::intValue).sum();
        }
        return new ReplayReport(from, to, candidateOrigin, alerts.size(), duplicatesDropped, rows, unattributed,
                failures, new Summary(same, onlyActual, onlyCandidate));
    }

    private static String matchKey(Decision d) {
        return d.type().wireName() + '\u001f' + d.target();
    }

    /** The report as JSON, for an HTTP response or a file. */
    public String json() {
        try {
            return Json.MAPPER.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot write the replay report as JSON", e);
        }
    }

    /** The report for a terminal: one block per alert, then the counts. */
    public String text() {
        StringBuilder out = new StringBuilder();
        out.append("Replay of ").append(candidate).append(" over [").append(from).append(", ").append(to)
                .append("): ").append(alertsRead).append(" alerts read, ").append(duplicatesDropped)
                .append(" duplicates dropped\n");
        for (Row row : rows) {
            out.append('\n').append(row.alertName()).append(" on ").append(row.resource()).append(" (alert ")
                    .append(row.alertId()).append(")\n");
            Map<String, List<String>> marks = marks(row);
            marks.forEach((line, tags) -> tags.forEach(tag -> out.append("  ").append(tag).append(' ')
                    .append(line).append('\n')));
        }
        if (!unattributed.isEmpty()) {
            out.append("\nActions taken for alerts before the range (not compared):\n");
            unattributed.forEach(d -> out.append("  ").append(d).append('\n'));
        }
        if (!failures.isEmpty()) {
            out.append("\nCandidate rules that failed:\n");
            failures.forEach(f -> out.append("  ").append(f).append('\n'));
        }
        out.append("\nsame ").append(summary.same()).append(", only actual ").append(summary.onlyActual())
                .append(", only candidate ").append(summary.onlyCandidate()).append('\n');
        return out.toString();
    }

    /** Each decision of a row tagged "=" (both), "-" (only actual) or "+" (only candidate), like a diff. */
    private static Map<String, List<String>> marks(Row row) {
        Map<String, List<String>> marks = new LinkedHashMap<>();
        List<Decision> would = new ArrayList<>(row.candidate());
        for (Decision d : row.actual()) {
            Decision match = would.stream().filter(c -> matchKey(c).equals(matchKey(d))).findFirst().orElse(null);
            if (match != null) {
                would.remove(match);
                marks.computeIfAbsent(d.toString(), k -> new ArrayList<>()).add("=");
            } else {
                marks.computeIfAbsent(d.toString(), k -> new ArrayList<>()).add("-");
            }
        }
        would.sort(Comparator.comparing(Decision::toString));
        would.forEach(d -> marks.computeIfAbsent(d.toString(), k -> new ArrayList<>()).add("+"));
        return marks;
    }
}
