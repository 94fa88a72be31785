package io.reflex.drill;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflex.model.Json;
import java.time.Instant;
import java.util.List;
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
        assertThat(failed.readable()).startsWith("FAIL kill-demo-shop  (drill-kill-demo-shop-20261126T100000Z)\n")
                .contains("  detect     1.5s\n").contains("  decide     -\n").contains("  recover    -  (SLO 30.0s)\n")
                .contains("  rules      none fired\n").contains("  undo       restarted service:demo-shop")
                .endsWith("  failed: the expected rule did not fire\n");
    }
}
