package io.reflex.drill.dr;

import static org.assertj.core.api.Assertions.assertThat;

import io.reflex.model.Json;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class DrDrillReportTest {
    private static final Instant T = Instant.parse("2026-11-26T16:00:00Z");

    private static DrDrillReport failed() {
        return new DrDrillReport("kill-rules", "drill-kill-rules-20261126T160000Z", "rules", 600, 598, 1,
                List.of("alt-1"), 0, 597, 2, 0, 0, List.of("act-9 written 2 times"), 120, T, T.plusSeconds(6),
                "rules (pid 42, KILL)", T.plusSeconds(8), 43L, T.plusSeconds(15), null, T.plusSeconds(200), false,
                "1 of 598 acked alerts were lost; 2 actions were duplicated");
    }

    @Test
    void roundTripsAsJson() throws Exception {
        DrDrillReport report = failed();

        String json = Json.MAPPER.writeValueAsString(report);

        assertThat(Json.MAPPER.readValue(json, DrDrillReport.class)).isEqualTo(report);
        assertThat(json).doesNotContain("caughtUpAt").contains("\"alertsLost\":1");
    }

    @Test
    void readableTextShowsTheFiguresAndTheSteps() {
        assertThat(failed().readable()).isEqualTo("""
                FAIL kill-rules  (drill-kill-rules-20261126T160000Z)
                  traffic    600 alerts sent, 598 acked
                  path       rehearsal: DRY_RUN actions, no connector called
                  kill       rules: rules (pid 42, KILL) at +6.0s, 120 alerts decided before
                  restart    pid 43 at +8.0s
                  broker     restarted, back at +15.0s
                  lost       1 alerts (e.g. alt-1)
                  duplicate  0 alerts decided twice, 2 actions, 0 results
                             act-9 written 2 times
                  actions    597 decided, 0 without a result
                  caught up  no
                  failed: 1 of 598 acked alerts were lost; 2 actions were duplicated
                """);
    }
}
