package io.reflex.drill.gameday;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.reflex.drill.DrillDefinition;
import io.reflex.drill.DrillMode;
import java.util.List;
import org.junit.jupiter.api.Test;

class DrillMetricsTest {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final DrillMetrics metrics = new DrillMetrics(registry);

    private double value(String name, String... labels) {
        Labels wanted = Labels.of(labels);
        for (MetricSnapshot snapshot : registry.scrape()) {
            if (!snapshot.getMetadata().getPrometheusName().equals(name)) {
                continue;
            }
            for (DataPointSnapshot point : snapshot.getDataPoints()) {
                if (point.getLabels().equals(wanted)) {
                    return point instanceof CounterSnapshot.CounterDataPointSnapshot c ? c.getValue()
                            : ((GaugeSnapshot.GaugeDataPointSnapshot) point).getValue();
                }
            }
        }
        throw new AssertionError("no " + name + " " + wanted + " in the registry");
    }

    @Test
    void countsRunsByResultAndKeepsTheLastPhases() {
        metrics.record(TestDrills.report("kill-demo-shop", true, 3100L, true, "ok"), DrillMode.LIVE);
        metrics.record(TestDrills.report("kill-demo-shop", true, 2500L, true, "ok"), DrillMode.LIVE);
        metrics.record(TestDrills.report("kill-demo-shop", true, null, false, "no"), DrillMode.DRY_RUN);

        assertThat(value("reflex_drill_runs", "drill", "kill-demo-shop", "mode", "live", "result", "pass"))
                .isEqualTo(2.0);
        assertThat(value("reflex_drill_runs", "drill", "kill-demo-shop", "mode", "dry-run", "result", "fail"))
                .isEqualTo(1.0);
        // The failed run had no recover phase: the last known one stays.
        assertThat(value("reflex_drill_phase_seconds", "drill", "kill-demo-shop", "phase", "recover")).isEqualTo(2.5);
        assertThat(value("reflex_drill_phase_seconds", "drill", "kill-demo-shop", "phase", "detect")).isEqualTo(0.4);
    }

    @Test
    void runningGoesUpWhileADrillRunsAndTheListenerCountsIt() {
        DrillDefinition drill = TestDrills.drill("a");
        GameDayRunner.Listener listener = metrics.listener();
        try (DrillMetrics.Running ignored = metrics.running()) {
            listener.drillStarted(drill);
            assertThat(value("reflex_drill_running")).isEqualTo(2.0);
            listener.drillFinished(drill, TestDrills.report("a", true, 1000L, true, "ok"));
            assertThat(value("reflex_drill_running")).isEqualTo(1.0);
        }
        assertThat(value("reflex_drill_running")).isEqualTo(0.0);
        assertThat(value("reflex_drill_runs", "drill", "a", "mode", "live", "result", "pass")).isEqualTo(1.0);
    }

    @Test
    void keepsTheGameDayCoverage() {
        metrics.record(GameDayReport.of("nightly", TestDrills.T0, TestDrills.T0, 4, null, List.of(
                TestDrills.report("a", true, 1000L, true, "ok"), TestDrills.report("a", true, 1000L, true, "ok"),
                TestDrills.report("a", true, 1000L, true, "ok"), TestDrills.report("a", true, null, false, "no"))));
        assertThat(value("reflex_gameday_coverage_ratio", "gameday", "nightly")).isEqualTo(0.75);
    }
}
