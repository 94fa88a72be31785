package io.reflex.drill.gameday;

import static org.assertj.core.api.Assertions.assertThat;

import io.reflex.drill.DrillReport;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class GameDayReportTest {
    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

    @Test
    void aTargetThatCameBackWithoutReflexActingIsInjectedButNotHealed() {
        // Recovered (a supervisor restarted it) but the expected action never succeeded: no act phase.
        DrillReport cameBackAlone = new DrillReport("kill", "drill-kill-20261126T100000Z", "kill service:demo-shop",
                "service:demo-shop", T0, new DrillReport.PhaseMillis(400L, null, null, 2_000L), 30_000L,
                "restart_service service:demo-shop", List.of(), List.of(), "inc-1", false,
                "no rule fired", false, null, T0.plusSeconds(10));
        DrillReport healedByReflex = TestDrills.report("kill", true, 1_900L, true, "recovered");

        assertThat(GameDayReport.injected(cameBackAlone)).isTrue();
        assertThat(GameDayReport.healed(cameBackAlone)).isFalse();
        assertThat(GameDayReport.healed(healedByReflex)).isTrue();

        GameDayReport report = GameDayReport.of("g", T0, T0.plusSeconds(60), 2, null,
                List.of(cameBackAlone, healedByReflex));
        assertThat(report.totals().faultsInjected()).isEqualTo(2);
        assertThat(report.totals().faultsHealed()).isEqualTo(1);
        assertThat(report.totals().coverage()).isEqualTo(0.5);
        assertThat(report.totals().mttr().samples()).as("MTTR only over faults Reflex healed").isEqualTo(1);
    }
}
