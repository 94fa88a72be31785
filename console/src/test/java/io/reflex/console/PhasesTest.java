package io.reflex.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.reflex.model.TimelineEntry;
import io.reflex.model.TimelineKind;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PhasesTest {
    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

    private static TimelineEntry at(int second, TimelineKind kind, Map<String, String> refs) {
        return new TimelineEntry("inc-1", T0.plusSeconds(second), kind, kind.name(), refs);
    }

    @Test
    void withoutStartsAtDetectionIsReceptionAndUnreachedPhasesAreNull() {
        Phases phases = Phases.of(List.of(at(5, TimelineKind.ALERT_RECEIVED, Map.of()),
                at(7, TimelineKind.GUARDRAIL, Map.of())));
        assertThat(phases.detectedAt()).isEqualTo(T0.plusSeconds(5));
        assertThat(phases.timeToDetect()).isEqualTo(Duration.ZERO);
        assertThat(phases.decidedAt()).isNull();
        assertThat(phases.timeToDecide()).isNull();
        assertThat(phases.timeToAct()).isNull();
        assertThat(phases.timeToRecover()).isNull();
        assertThat(phases.toJson().get("timeToDecide").isNull()).isTrue();
        assertThat(phases.toJson().get("timeToDetect").asText()).isEqualTo("PT0S");
    }

    @Test
    void firstOfEachKindCountsAndVerifiedStandsInForResolved() {
        Phases phases = Phases.of(List.of(
                at(1, TimelineKind.ALERT_RECEIVED, Map.of("startsAt", "2026-11-26T09:59:00Z")),
                at(2, TimelineKind.ALERT_RECEIVED, Map.of()),
                at(3, TimelineKind.RULE_FIRED, Map.of()),
                at(4, TimelineKind.RULE_FIRED, Map.of()),
                at(6, TimelineKind.ACTION_DISPATCHED, Map.of()),
                at(9, TimelineKind.VERIFIED, Map.of())));
        assertThat(phases.detectedAt()).isEqualTo(T0.minusSeconds(60));
        assertThat(phases.timeToDetect()).isEqualTo(Duration.ofSeconds(61));
        assertThat(phases.timeToDecide()).isEqualTo(Duration.ofSeconds(2));
        assertThat(phases.timeToAct()).isEqualTo(Duration.ofSeconds(3));
        assertThat(phases.recoveredAt()).isEqualTo(T0.plusSeconds(9));
        assertThat(phases.timeToRecover()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void anUnreadableStartsAtFallsBackToReception() {
        Phases phases = Phases.of(List.of(at(5, TimelineKind.ALERT_RECEIVED, Map.of("startsAt", "yesterday"))));
        assertThat(phases.detectedAt()).isEqualTo(T0.plusSeconds(5));
    }

    @Test
    void anEmptyTimelineHasNoPhases() {
        assertThat(Phases.of(List.of())).isEqualTo(new Phases(null, null, null, null, null));
    }
}
