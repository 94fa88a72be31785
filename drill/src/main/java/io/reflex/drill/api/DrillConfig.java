package io.reflex.drill.api;

import java.net.URI;
import java.nio.file.Path;
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
 *   maxRuns: 200                       # run reports kept; past it the oldest are deleted
 * </pre>
 *
 * @param dir           the directory of drill files; null: {@code <dataDir>/drills} ({@link #dir(Path)})
 * @param prometheusUrl the Prometheus the drills' queries go to; null when none
 * @param maxRuns       how many run reports are kept in {@code <dir>/runs}
 */
public record DrillConfig(String dir, String prometheusUrl, Integer maxRuns) {
    public static final int DEFAULT_MAX_RUNS = 200;

    public DrillConfig {
        dir = dir == null || dir.isBlank() ? null : dir.trim();
        prometheusUrl = prometheusUrl == null || prometheusUrl.isBlank() ? null : prometheusUrl.trim();
        maxRuns = maxRuns == null ? DEFAULT_MAX_RUNS : maxRuns;
    }

    public static DrillConfig defaults() {
        return new DrillConfig(null, null, null);
    }

    /** The drill directory: {@code dir}, relative to the working directory, or {@code <dataDir>/drills}. */
    public Path dir(Path dataDir) {
        return (dir == null ? dataDir.resolve("drills") : Path.of(dir)).toAbsolutePath().normalize();
    }

    /** Every problem, each starting with its key path. */
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
