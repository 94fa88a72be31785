package io.reflex.drill.gameday;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.reflex.drill.DrillMode;
import io.reflex.drill.DrillReport;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The result of a GameDay: every drill report in the order they ran, and what they add up to.
 * Kept as {@code <dataDir>/drills/gamedays/<id>.json} (write it with {@code Json.MAPPER}).
 *
 * @param id       {@code gameday-<name>-<UTC start time>}
 * @param planned  how many drill runs the GameDay file asked for
 * @param stopped  why the GameDay ended before running them all (a stopOnFailure drill failed), or null
 * @param drills   the drill reports, in the order the drills ran
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GameDayReport(
        String id,
        String name,
        Instant startedAt,
        Instant finishedAt,
        int planned,
        String stopped,
        List<DrillReport> drills,
        Totals totals) {

    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    public GameDayReport {
        Objects.requireNonNull(id, "id");
        drills = drills == null ? List.of() : List.copyOf(drills);
    }

    /** The report of the runs {@code drills}, with its id and totals computed. */
    public static GameDayReport of(String name, Instant startedAt, Instant finishedAt, int planned, String stopped,
            List<DrillReport> drills) {
        return new GameDayReport(idFor(name, startedAt), name, startedAt, finishedAt, planned, stopped, drills,
                Totals.of(drills));
    }

    /** {@code gameday-<name>-<yyyyMMddTHHmmssZ>}. */
    public static String idFor(String name, Instant startedAt) {
        return "gameday-" + name + "-" + ID_TIME.format(startedAt);
    }

    /**
     * Whether a drill run counts as a fault injected. A dry run injects nothing real (its alert is
     * synthetic and nothing is healed), so it counts neither as injected nor as healed.
     */
    public static boolean injected(DrillReport report) {
        return report.injectedAt() != null && !DrillMode.DRY_RUN.word().equals(report.mode());
    }

    /**
     * Whether a drill run counts as a fault healed by Reflex: injected, the expected action
     * succeeded (act phase) and the steady state came back (recover phase). A target that came
     * back on its own (a supervisor restarted it, no rule acted) is not remediation coverage.
     */
    public static boolean healed(DrillReport report) {
        return injected(report) && report.phases() != null && report.phases().actMs() != null
                && report.phases().recoverMs() != null;
    }

    /**
     * What the runs add up to.
     *
     * @param coverage        faults healed / faults injected (0 to 1); null when no fault was injected
     * @param coveragePercent the same in percent, to one decimal; null when no fault was injected
     * @param mttr            time to recover over the healed runs
     * @param byDrill         per drill name, in the order they first ran
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Totals(
            int drillsRun,
            int passed,
            int failed,
            int faultsInjected,
            int faultsHealed,
            Double coverage,
            Double coveragePercent,
            Mttr mttr,
            Map<String, DrillCounts> byDrill) {

        public Totals {
            byDrill = byDrill == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(byDrill));
        }

        static Totals of(List<DrillReport> drills) {
            int passed = 0;
            int injected = 0;
            int healed = 0;
            List<Long> recoverMs = new ArrayList<>();
            Map<String, int[]> counts = new LinkedHashMap<>();
            for (DrillReport report : drills) {
                int[] c = counts.computeIfAbsent(report.drill(), k -> new int[2]);
                c[0]++;
                if (report.passed()) {
                    passed++;
                    c[1]++;
                }
                if (injected(report)) {
                    injected++;
                }
                if (healed(report)) {
                    healed++;
                    recoverMs.add(report.phases().recoverMs());
                }
            }
            Map<String, DrillCounts> byDrill = new LinkedHashMap<>();
            counts.forEach((name, c) -> byDrill.put(name, new DrillCounts(c[0], c[1])));
            Double coverage = injected == 0 ? null : (double) healed / injected;
            Double percent = coverage == null ? null : Math.round(coverage * 1000) / 10.0;
            return new Totals(drills.size(), passed, drills.size() - passed, injected, healed, coverage, percent,
                    Mttr.of(recoverMs), byDrill);
        }
    }

    /**
     * Time to recover (injection to steady state back) over the healed runs, nearest-rank
     * percentiles; all null when nothing healed.
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Mttr(int samples, Long p50Ms, Long p90Ms, Long maxMs) {
        static Mttr of(List<Long> values) {
            if (values.isEmpty()) {
                return new Mttr(0, null, null, null);
            }
            List<Long> sorted = values.stream().sorted().toList();
            return new Mttr(sorted.size(), rank(sorted, 50), rank(sorted, 90), sorted.get(sorted.size() - 1));
        }

        private static Long rank(List<Long> sorted, int percentile) {
            int index = (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1;
            return sorted.get(Math.max(0, index));
        }
    }

    /** Runs and passes of one drill. */
    public record DrillCounts(int runs, int passed) {
    }

    /** For people: the totals, then a line per run. */
    public String readable() {
        StringBuilder out = new StringBuilder();
        out.append("GameDay ").append(name).append("  (").append(id).append(")\n");
        out.append("  started    ").append(startedAt).append("   finished ").append(finishedAt).append('\n');
        out.append("  drills     ").append(totals.drillsRun()).append(" run of ").append(planned).append(": ")
                .append(totals.passed()).append(" passed, ").append(totals.failed()).append(" failed\n");
        out.append("  coverage   ").append(coverageText(totals)).append('\n');
        Mttr mttr = totals.mttr();
        out.append("  MTTR       ").append(mttr.samples() == 0 ? "- (nothing healed)" : "p50 " + human(mttr.p50Ms())
                + "  p90 " + human(mttr.p90Ms()) + "  max " + human(mttr.maxMs()) + "  (over " + mttr.samples()
                + " healed)").append('\n');
        if (stopped != null) {
            out.append("  stopped    ").append(stopped).append('\n');
        }
        out.append("  per drill\n");
        int width = totals.byDrill().keySet().stream().mapToInt(String::length).max().orElse(0);
        totals.byDrill().forEach((drill, c) -> out.append("    ").append(pad(drill, width)).append("  ")
                .append(c.passed()).append('/').append(c.runs()).append(" passed\n"));
        out.append("  runs\n");
        for (int i = 0; i < drills.size(); i++) {
            DrillReport r = drills.get(i);
            out.append(String.format(Locale.ROOT, "    %3d %s %s  recover %s  %s%n", i + 1, r.passed() ? "PASS" : "FAIL",
                    r.drill(), human(r.phases() == null ? null : r.phases().recoverMs()), r.reason()));
        }
        return out.toString();
    }

    /** {@code 91.3% (21 healed / 23 injected)}, or why there is no figure. */
    public static String coverageText(Totals totals) {
        if (totals.coverage() == null) {
            return "- (no fault was injected)";
        }
        return String.format(Locale.ROOT, "%.1f%% (%d healed / %d injected)", totals.coveragePercent(),
                totals.faultsHealed(), totals.faultsInjected());
    }

    /** {@code 850ms}, {@code 4.2s}, {@code 2m05s}, {@code -} for null. */
    public static String human(Long ms) {
        if (ms == null) {
            return "-";
        }
        if (Math.abs(ms) < 1000) {
            return ms + "ms";
        }
        if (Math.abs(ms) < 60_000) {
            return String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
        }
        return String.format(Locale.ROOT, "%dm%02ds", ms / 60_000, (ms % 60_000) / 1000);
    }

    private static String pad(String s, int width) {
        return s + " ".repeat(Math.max(0, width - s.length()));
    }
}
