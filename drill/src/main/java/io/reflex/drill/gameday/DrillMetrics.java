package io.reflex.drill.gameday;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.reflex.drill.DrillDefinition;
import io.reflex.drill.DrillMode;
import io.reflex.drill.DrillReport;
import java.util.Objects;

/**
 * The drills' Prometheus metrics, registered in the registry the app exposes on {@code /metrics}:
 * <ul>
 *   <li>{@code reflex_drill_runs_total{drill,mode,result}}: drill runs finished, mode {@code live|dry-run},
 *       result {@code pass|fail}</li>
 *   <li>{@code reflex_drill_phase_seconds{drill,phase}}: the last run's phase durations (detect, decide,
 *       act, recover); a phase that did not happen in the last run leaves its previous value</li>
 *   <li>{@code reflex_drill_running}: drills running now in this process</li>
 *   <li>{@code reflex_gameday_coverage_ratio{gameday}}: the last GameDay's faults healed / injected</li>
 * </ul>
 */
public final class DrillMetrics {
    private final PrometheusRegistry registry;
    private final Counter runs;
    private final Gauge phaseSeconds;
    private final Gauge running;
    private final Gauge coverage;

    public DrillMetrics(PrometheusRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
        runs = Counter.builder()
                .name("reflex_drill_runs_total")
                .help("Drill runs finished, by drill, mode (live, dry-run) and result (pass, fail)")
                .labelNames("drill", "mode", "result")
                .register(registry);
        phaseSeconds = Gauge.builder()
                .name("reflex_drill_phase_seconds")
                .help("How long each phase of the drill's last run took (detect, decide, act, recover), in seconds")
                .labelNames("drill", "phase")
                .register(registry);
        running = Gauge.builder()
                .name("reflex_drill_running")
                .help("Drills running now in this process")
                .register(registry);
        coverage = Gauge.builder()
                .name("reflex_gameday_coverage_ratio")
                .help("Remediation coverage of the GameDay's last run: faults healed / faults injected (0 to 1)")
                .labelNames("gameday")
                .register(registry);
    }

    /** Counts a finished drill run, under the mode its report names, and keeps its phase durations. */
    public void record(DrillReport report) {
        record(report, DrillMode.DRY_RUN.word().equals(report.mode()) ? DrillMode.DRY_RUN : DrillMode.LIVE);
    }

    /** Counts a finished drill run and keeps its phase durations; the mode label is the report's word ({@code live}, {@code dry-run}). */
    public void record(DrillReport report, DrillMode mode) {
        runs.labelValues(report.drill(), mode.word(), report.passed() ? "pass" : "fail").inc();
        DrillReport.PhaseMillis p = report.phases();
        if (p != null) {
            phase(report.drill(), "detect", p.detectMs());
            phase(report.drill(), "decide", p.decideMs());
            phase(report.drill(), "act", p.actMs());
            phase(report.drill(), "recover", p.recoverMs());
        }
    }

    /**
     * Sets the GameDay's coverage (left as it was when no fault was injected). Its drill runs are
     * not counted here: count them as they finish ({@link #listener()}).
     */
    public void record(GameDayReport report) {
        Double ratio = report.totals().coverage();
        if (ratio != null) {
            coverage.labelValues(report.name()).set(ratio);
        }
    }

    /** Marks a drill as running until the returned handle is closed. */
    public Running running() {
        running.inc();
        return running::dec;
    }

    /** For {@link GameDayRunner}: the running gauge while each drill runs, and its run counted when it ends. */
    public GameDayRunner.Listener listener() {
        return new GameDayRunner.Listener() {
            @Override
            public void drillStarted(DrillDefinition drill) {
                running.inc();
            }

            @Override
            public void drillFinished(DrillDefinition drill, DrillReport report) {
                running.dec();
                record(report, drill.mode());
            }
        };
    }

    /** Takes the metrics out of the registry, so a new instance can register them again. */
    public void unregister() {
        registry.unregister(runs);
        registry.unregister(phaseSeconds);
        registry.unregister(running);
        registry.unregister(coverage);
    }

    private void phase(String drill, String phase, Long ms) {
        if (ms != null) {
            phaseSeconds.labelValues(drill, phase).set(ms / 1000.0);
        }
    }

    /** A running drill; closing it ends the mark. */
    @FunctionalInterface
    public interface Running extends AutoCloseable {
        @Override
        void close();
    }
}
