package io.reflex.rules.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflex.model.ActionType;
import io.reflex.model.Json;
import io.reflex.rules.replay.ReplayReport.AlertRef;
import io.reflex.rules.replay.ReplayReport.Decision;
import io.reflex.rules.replay.ReplayReport.Summary;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReplayReportTest {
    private static final Instant FROM = Instant.parse("2026-11-26T10:00:00Z");
    private static final Instant TO = FROM.plusSeconds(3600);

    private static final Decision RESTART_A = new Decision(ActionType.RESTART_SERVICE, "service:a", "old rule");
    private static final Decision RESTART_A_NEW = new Decision(ActionType.RESTART_SERVICE, "service:a", "new rule");
    private static final Decision NOTIFY_OPS = new Decision(ActionType.NOTIFY, "channel:ops", "notify");
    private static final Decision RESTART_B = new Decision(ActionType.RESTART_SERVICE, "service:b", "old rule");

    private static ReplayReport compare(Map<String, List<Decision>> actual, Map<String, List<Decision>> candidate) {
        List<AlertRef> alerts = List.of(new AlertRef("alt-1", "ServiceDown", "service:a"),
                new AlertRef("alt-2", "HighCPU", "service:a"), new AlertRef("alt-3", "Quiet", "service:c"),
                new AlertRef("alt-4", "ServiceDown", "service:b"));
        return ReplayReport.compare(FROM, TO, "candidate.drl", alerts, 1, actual, candidate, List.of(), List.of());
    }

    @Test
    void matchesOnTriggerTypeAndTargetWhateverTheRuleIsCalled() {
        ReplayReport report = compare(
                Map.of("alt-1", List.of(RESTART_A), "alt-4", List.of(RESTART_B)),
                Map.of("alt-1", List.of(RESTART_A_NEW), "alt-2", List.of(NOTIFY_OPS)));

        assertThat(report.summary()).isEqualTo(new Summary(1, 1, 1));
        assertThat(report.summary().identical()).isFalse();
        assertThat(report.rows()).extracting(ReplayReport.Row::alertId).containsExactly("alt-1", "alt-2", "alt-4");
        assertThat(report.rows().get(0).actual()).containsExactly(RESTART_A);
        assertThat(report.rows().get(0).candidate()).containsExactly(RESTART_A_NEW);
        assertThat(report.alertsRead()).isEqualTo(4);
    }

    @Test
    void theSameActionForAnotherAlertIsNotAMatch() {
        ReplayReport report = compare(Map.of("alt-1", List.of(RESTART_A)), Map.of("alt-2", List.of(RESTART_A)));

        assertThat(report.summary()).isEqualTo(new Summary(0, 1, 1));
    }

    @Test
    void countsRepeatedActionsOneForOne() {
        ReplayReport report = compare(Map.of("alt-1", List.of(RESTART_A, RESTART_A)),
                Map.of("alt-1", List.of(RESTART_A, RESTART_A, RESTART_A)));

        assertThat(report.summary()).isEqualTo(new Summary(2, 0, 1));
    }

    @Test
    void identicalRulesetsReportNoDifference() {
        Map<String, List<Decision>> both = Map.of("alt-1", List.of(RESTART_A), "alt-4", List.of(RESTART_B));

        ReplayReport report = compare(both, both);

        assertThat(report.summary()).isEqualTo(new Summary(2, 0, 0));
        assertThat(report.summary().identical()).isTrue();
    }

    @Test
    void serialisesToJsonAndText() throws Exception {
        ReplayReport report = compare(Map.of("alt-1", List.of(RESTART_A)),
                Map.of("alt-1", List.of(RESTART_A_NEW), "alt-2", List.of(NOTIFY_OPS)));

        JsonNode json = Json.MAPPER.readTree(report.json());
        assertThat(json.at("/from").asText()).isEqualTo("2026-11-26T10:00:00Z");
        assertThat(json.at("/rows/1/candidate/0/type").asText()).isEqualTo("notify");
        assertThat(json.at("/rows/1/candidate/0/target").asText()).isEqualTo("channel:ops");
        assertThat(json.at("/summary/onlyCandidate").asInt()).isEqualTo(1);
        assertThat(Json.MAPPER.readValue(report.json(), ReplayReport.class)).isEqualTo(report);

        assertThat(report.text())
                .contains("= restart_service service:a (rule \"old rule\")")
                .contains("+ notify channel:ops (rule \"notify\")")
                .contains("same 1, only actual 0, only candidate 1");
    }
}
