package io.reflex.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordsJsonTest {
    private static final Instant T0 = Instant.parse("2026-11-26T10:18:40.947Z");

    private static AlertEvent alert() {
        return new AlertEvent(AlertEvent.idFor("alertmanager", "fp1", T0, AlertStatus.FIRING), "alertmanager",
                "ServiceDown", AlertStatus.FIRING, "critical", Resource.of("service", "demo-shop"),
                Map.of("service", "demo-shop"), Map.of("summary", "down"), T0, null, T0.plusSeconds(1), "fp1", null);
    }

    @Test
    void alertEventRoundTripsThroughTheTopicSerde() {
        AlertEvent alert = alert();
        byte[] bytes = Topics.ALERTS.valueSerde().serializer().serialize("t", alert);
        assertThat(Topics.ALERTS.valueSerde().deserializer().deserialize("t", bytes)).isEqualTo(alert);
        assertThat(new String(bytes)).contains("\"startsAt\":\"2026-11-26T10:18:40.947Z\"").doesNotContain("drillId");
    }

    @Test
    void actionTypesUseSnakeCaseOnTheWire() throws Exception {
        Action action = new Action("act-1", "inc-1", new RuleRef("restart", 1), ActionType.RESTART_SERVICE,
                new Target("process", "service", "demo-shop"), Map.of(), ActionMode.EXECUTE, false, T0, T0);
        String json = Json.MAPPER.writeValueAsString(action);
        assertThat(json).contains("\"type\":\"restart_service\"");
        assertThat(Json.MAPPER.readValue(json, Action.class)).isEqualTo(action);
    }

    @Test
    void unknownActionTypeSaysWhichAreKnown() {
        assertThatThrownBy(() -> ActionType.fromWireName("reboot_planet"))
                .hasMessageContaining("reboot_planet").hasMessageContaining("restart_service");
    }

    @Test
    void sameAlertAlwaysGetsTheSameIdAndAResolvedOneAnother() {
        String firing = AlertEvent.idFor("alertmanager", "fp1", T0, AlertStatus.FIRING);
        assertThat(AlertEvent.idFor("alertmanager", "fp1", T0, AlertStatus.FIRING)).isEqualTo(firing);
        assertThat(AlertEvent.idFor("alertmanager", "fp1", T0, AlertStatus.RESOLVED)).isNotEqualTo(firing);
        assertThat(Ids.stable("x", "ab", "c")).isNotEqualTo(Ids.stable("x", "a", "bc"));
    }

    @Test
    void recordsNameTheMissingField() {
        assertThatThrownBy(() -> Resource.of("service", " ")).hasMessage("resource.name must not be empty");
    }

    @Test
    void incidentResolvingStampsItsResolutionTime() {
        Incident open = new Incident("inc-1", IncidentStatus.OPEN, "ServiceDown on service:demo-shop",
                Resource.of("service", "demo-shop"), "ServiceDown", T0, null, List.of(), List.of());
        Incident resolved = open.withStatus(IncidentStatus.RESOLVED, T0.plusSeconds(5));
        assertThat(resolved.resolvedAt()).isEqualTo(T0.plusSeconds(5));
        assertThat(resolved.status().open()).isFalse();
    }
}
