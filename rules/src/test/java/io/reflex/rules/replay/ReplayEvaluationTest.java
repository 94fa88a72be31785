package io.reflex.rules.replay;

import static io.reflex.rules.replay.ReplayAlerts.alert;
import static org.assertj.core.api.Assertions.assertThat;

import io.reflex.model.ActionType;
import io.reflex.model.AlertEvent;
import io.reflex.rules.RuleCompiler;
import io.reflex.rules.replay.Replay.Timed;
import io.reflex.rules.replay.ReplayReport.Decision;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.kie.api.KieBase;

/** The candidate side of a replay, on the pseudo clock, without Kafka. */
class ReplayEvaluationTest {
    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
    private static final KieBase CANDIDATE = RuleCompiler.compile("candidate", ReplayAlerts.CANDIDATE);

    private static Timed<AlertEvent> at(AlertEvent alert) {
        return new Timed<>(alert.receivedAt().toEpochMilli(), alert);
    }

    @Test
    void decidesPerTriggerAndDropsRedeliveredAlerts() {
        AlertEvent warningDown = alert("ServiceDown", "shop", "warning", T0);
        AlertEvent criticalDown = alert("ServiceDown", "cart", "critical", T0.plusSeconds(1));
        AlertEvent highCpu = alert("HighCPU", "cart", "warning", T0.plusSeconds(2));

        Replay.Evaluation evaluation = Replay.evaluate(CANDIDATE, Map.of(
                0, List.of(at(warningDown)),
                1, List.of(at(criticalDown), at(highCpu), at(criticalDown))), T0.plusSeconds(60));

        assertThat(evaluation.alerts()).containsExactly(warningDown, criticalDown, highCpu);
        assertThat(evaluation.duplicates()).isEqualTo(1);
        assertThat(evaluation.byAlert()).containsOnlyKeys(criticalDown.id(), highCpu.id());
        assertThat(evaluation.byAlert().get(criticalDown.id())).containsExactly(new Decision(
                ActionType.RESTART_SERVICE, "service:cart", "restart critical service on ServiceDown"));
        assertThat(evaluation.byAlert().get(highCpu.id())).containsExactly(
                new Decision(ActionType.NOTIFY, "channel:ops", "notify on HighCPU"));
        assertThat(evaluation.failures()).isEmpty();
    }
}
