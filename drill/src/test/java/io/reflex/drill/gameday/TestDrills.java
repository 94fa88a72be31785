package io.reflex.drill.gameday;

import io.reflex.drill.DrillDefinition;
import io.reflex.drill.DrillFile;
import io.reflex.drill.DrillReport;
import java.time.Instant;
import java.util.List;

/** Drills and reports for the GameDay tests, built in one place so a new report field touches one file. */
final class TestDrills {
    static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

    private TestDrills() {
    }

    /** A valid live kill drill named {@code name}, read the way drill files are. */
    static DrillDefinition drill(String name) {
        return DrillFile.parse("""
                name: %s
                steadyState: {http: http://127.0.0.1:8081/health}
                fault: {type: kill, service: demo-shop}
                expect: {rule: restart service on ServiceDown, action: restart_service, target: service:demo-shop}
                slo: 30s
                """.formatted(name), name + ".yaml");
    }

    /**
     * A report of {@code name}.
     *
     * @param injected  whether the fault was injected
     * @param recoverMs the recover phase, or null when the steady state did not come back
     */
    static DrillReport report(String name, boolean injected, Long recoverMs, boolean passed, String reason) {
        DrillReport.PhaseMillis phases = new DrillReport.PhaseMillis(injected ? 400L : null, injected ? 300L : null,
                injected && recoverMs != null ? 900L : null, recoverMs);
        return new DrillReport(name, "drill-" + name + "-20261126T100000Z", "kill service:demo-shop",
                "service:demo-shop", injected ? T0 : null, phases, 30_000L, "restart_service service:demo-shop",
                List.of("restart service on ServiceDown"), List.of("restart_service service:demo-shop: SUCCEEDED"),
                injected ? "inc-1" : null, passed, reason, false, null, T0.plusSeconds(60));
    }
}
