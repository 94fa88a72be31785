package io.reflex.drill;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflex.model.Json;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DrillReportTest {
    private final DrillReport failed = new DrillReport("kill-demo-shop", "drill-kill-demo-shop-20261126T100000Z",
            "kill -KILL service demo-shop (connector process)", "service:demo-shop",
            Instant.parse("2026-11-26T10:00:00Z"), new DrillReport.PhaseMillis(1500L, null, null, null), 30_000L,
            "rule \"restart service on ServiceDown\"", List.of(), List.of(), "inc-1", false,
            "the expected rule did not fire", true, "restarted service:demo-shop through connector process",
            Instant.parse("2026-11-26T10:02:00Z"));

    @Test
    void jsonKeepsMissingPhasesAsNullAndReadsBack() throws Exception {
        JsonNode json = Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(failed));
        assertThat(json.path("phases").path("detectMs").asLong()).isEqualTo(1500);
        assertThat(json.path("phases").has("decideMs")).isTrue();
        assertThat(json.path("phases").path("decideMs").isNull()).isTrue();
        assertThat(json.path("injectedAt").asText()).isEqualTo("2026-11-26T10:00:00Z");
        assertThat(json.path("passed").asBoolean()).isFalse();
        assertThat(json.path("undone").asBoolean()).isTrue();
        assertThat(Json.MAPPER.readValue(json.toString(), DrillReport.class)).isEqualTo(failed);
    }

    @Test
    void theReadableFormShowsEachPhaseAndWhy() {
        assertThat(failed.readable()).startsWith("FAIL kill-demo-shop  (drill-kill-demo-shop-20261126T100000Z, live)\n")
                .contains("  detect     1.5s\n").contains("  decide     -\n").contains("  recover    -  (SLO 30.0s)\n")
                .contains("  rules      none fired\n").contains("  undo       restarted service:demo-shop")
                .endsWith("  failed: the expected rule did not fire\n");
    }

    private final DrillReport storm = new DrillReport("storm", "drill-storm-20261126T100000Z",
            "alert-storm of 200 HostDown alerts over 1m0.0s on host:storm-{i}", "host:storm-{i}",
            Instant.parse("2026-11-26T10:00:00Z"), new DrillReport.PhaseMillis(300L, 20L, 15L, null), null,
            "rule \"isolate host\", isolate_host, guardrail blastRadius holds or refuses some", List.of("isolate host"),
            List.of(), "inc-1", true, "rehearsed", false, null, Instant.parse("2026-11-26T10:01:30Z"), "dry-run", false,
            null, List.of("blastRadius HOLD: held isolate_host: 3 of 10 in zone-1"),
            new DrillReport.StormCounts(200, 200, 200, 20, Map.of("blastRadius",
                    new DrillReport.GuardrailCounts(180, 0, 0))));

    @Test
    void aDryRunStormReportKeepsItsCountsAndSaysTheSloIsNotGraded() throws Exception {
        JsonNode json = Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(storm));
        assertThat(json.path("mode").asText()).isEqualTo("dry-run");
        assertThat(json.path("storm").path("byGuardrail").path("blastRadius").path("held").asInt()).isEqualTo(180);
        assertThat(json.has("sloMs")).isFalse();
        assertThat(Json.MAPPER.readValue(json.toString(), DrillReport.class)).isEqualTo(storm);
        assertThat(storm.readable()).startsWith("PASS storm  (drill-storm-20261126T100000Z, dry-run)\n")
                .contains("  recover    not measured in a dry run (SLO not graded)\n")
                .contains("  storm      200 alerts sent, 200 incidents, 200 actions decided, 20 would run\n")
                .contains("  guardrail  blastRadius: held 180, refused 0, escalated 0\n")
                .contains("  guarded    blastRadius HOLD: held isolate_host: 3 of 10 in zone-1\n");
    }

    @Test
    void aReportWrittenBeforeModesReadsAsLive() throws Exception {
        String old = "{\"drill\":\"k\",\"id\":\"drill-k-1\",\"fault\":\"kill\",\"resource\":\"service:s\","
                + "\"passed\":true,\"reason\":\"ok\",\"undone\":false}";
        DrillReport report = Json.MAPPER.readValue(old, DrillReport.class);
        assertThat(report.mode()).isEqualTo("live");
        assertThat(report.aborted()).isFalse();
        assertThat(report.guardrails()).isEmpty();
        assertThat(report.storm()).isNull();
    }

    @Test
    void aStormsThousandRulesAndActionsAreCountedNotListedAndTheReportReadsBackUnchanged() throws Exception {
        List<String> rules = new java.util.ArrayList<>();
        List<String> actions = new java.util.ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            rules.add("isolate host on HostDown");
            actions.add("isolate_host host:storm-" + i + " (rule \"isolate host on HostDown\", DRY_RUN): SKIPPED");
        }
        rules.add("page on storm");
        DrillReport storm = new DrillReport("storm", "drill-storm-20261126T100000Z", "alert-storm", "host:storm-0",
                Instant.parse("2026-11-26T10:00:00Z"), new DrillReport.PhaseMillis(0L, 100L, 160L, null), null,
                "isolate_host", rules, actions, "inc-1", true, "rehearsed", false, null,
                Instant.parse("2026-11-26T10:01:00Z"));

        assertThat(storm.actualRules()).containsExactly("isolate host on HostDown (x1000)", "page on storm");
        assertThat(storm.actualActions()).hasSize(DrillReport.MAX_LISTED)
                .endsWith("… and " + (1000 - DrillReport.MAX_LISTED + 1) + " more");
        assertThat(storm.actualActions().get(0)).startsWith("isolate_host host:storm-0 ");
        assertThat(Json.MAPPER.readValue(Json.MAPPER.writeValueAsString(storm), DrillReport.class)).isEqualTo(storm);
    }
}
