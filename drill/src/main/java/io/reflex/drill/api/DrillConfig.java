package io.reflex.drill.api;

import java.net.URI;
import java.nio.file.Path;
import io.reflex.drill.gameday.Schedule;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * The drill role's settings (YAML section {@code drill}; environment {@code REFLEX_DRILL_DIR},
 * {@code REFLEX_DRILL_PROMETHEUS_URL}, {@code REFLEX_DRILL_MAX_RUNS}).
 *
 * <pre>
 * drill:
 *   dir: ./data/drills                 # drill files (*.yaml); reports in DIR/runs (default DATA_DIR/drills)
 *   prometheusUrl: http://prom:9090    # optional: for drills whose steady state is a Prometheus query
 *   maxRuns: 200                       # run reports (and GameDay reports) kept; past it the oldest are deleted
 *   schedules:                         # drills and GameDays run on a cron, one at a time with the API's
 *     - {name: nightly, cron: "0 3 * * MON-FRI", zone: Europe/Berlin, file: nightly-gameday.yaml}
 * </pre>
 *
 * @param dir           the directory of drill files; null: {@code <dataDir>/drills} ({@link #dir(Path)})
 * @param prometheusUrl the Prometheus the drills' queries go to; null when none
 * @param maxRuns       how many run reports are kept in {@code <dir>/runs} (and GameDay reports in {@code <dir>/gamedays})
 * @param schedules     drill or GameDay files of the drill dir run on a cron; empty when none
 */
public record DrillConfig(String dir, String prometheusUrl, Integer maxRuns, List<Schedule> schedules) {
    public static final int DEFAULT_MAX_RUNS = 200;

    public DrillConfig {
        dir = dir == null || dir.isBlank() ? null : dir.trim();
        prometheusUrl = prometheusUrl == null || prometheusUrl.isBlank() ? null : prometheusUrl.trim();
        maxRuns = maxRuns == null ? DEFAULT_MAX_RUNS : maxRuns;
        schedules = schedules == null ? List.of() : List.copyOf(schedules);
    }

    public static DrillConfig defaults() {
        return new DrillConfig(null, null, null, null);
    }

    /** The drill directory: {@code dir}, relative to the working directory, or {@code <dataDir>/drills}. */
    public Path dir(Path dataDir) {
        return (dir == null ? dataDir.resolve("drills") : Path.of(dir)).toAbsolutePath().normalize();
    }

    /**
     * Every problem, each starting with its key path; a schedule's file must be a file of the drill
     * dir ({@link #dir(Path)} of {@code dataDir}).
     */
    public List<String> validate(Path dataDir) {
        return validate(dataDir, java.util.Set.of());
    }

    /**
     * As {@link #validate(Path)}, where a schedule may also name one of {@code writtenAtStart}: files
     * that are not there yet because Reflex writes them when it starts (the demo's drill files).
     */
    public List<String> validate(Path dataDir, java.util.Set<String> writtenAtStart) {
        List<String> problems = validate();
        Path drillDir = null;
        try {
            drillDir = dir(dataDir);
        } catch (RuntimeException e) {
            // drill.dir's problem is reported by validate()
        }
        for (int i = 0; i < schedules.size(); i++) {
            Schedule schedule = schedules.get(i);
            String path = "drill.schedules[" + i + "]";
            if (schedule == null) {
                problems.add(path + ": is empty; write name, cron, zone (optional) and file");
                continue;
            }
            schedule.validate(path).forEach(p -> problems.add(p.toString()));
            if (drillDir != null && schedule.file() != null && !schedule.file().isBlank()) {
                Path file = drillDir.resolve(schedule.file().trim()).normalize();
                if (!file.startsWith(drillDir)) {
                    problems.add(path + ".file: '" + schedule.file() + "' is outside the drill dir " + drillDir
                            + "; name a file in it");
                } else if (!Files.isRegularFile(file) && !writtenAtStart.contains(schedule.file().trim())) {
                    problems.add(path + ".file: there is no file '" + schedule.file() + "' in the drill dir "
                            + drillDir + "; write it there or fix the name");
                }
            }
        }
        return problems;
    }

    /** Every problem of the settings that need no file system, each starting with its key path. */
    public List<String> validate() {
        List<String> problems = new ArrayList<>();
        if (maxRuns < 1) {
            problems.add("drill.maxRuns must be at least 1 (how many run reports are kept), got " + maxRuns);
        }
        if (dir != null) {
            try {
                Path.of(dir);
            } catch (RuntimeException e) {
                problems.add("drill.dir '" + dir + "' is not a path: " + e.getMessage());
            }
        }
        if (prometheusUrl != null) {
            try {
                URI uri = URI.create(prometheusUrl);
                if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                    throw new IllegalArgumentException("not http(s)");
                }
            } catch (IllegalArgumentException e) {
                problems.add("drill.prometheusUrl '" + prometheusUrl + "' is not an http(s) URL such as"
                        + " http://127.0.0.1:9090");
            }
        }
        return problems;
    }
}
