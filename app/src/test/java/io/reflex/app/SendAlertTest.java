package io.reflex.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.reflex.ingest.ResourceMapper;
import io.reflex.ingest.alertmanager.AlertmanagerAdapter;
import io.reflex.model.AlertEvent;
import io.reflex.model.AlertStatus;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SendAlertTest {
    private final AlertmanagerAdapter adapter = new AlertmanagerAdapter(new ResourceMapper(), Clock.systemUTC());
    private final Instant start = Instant.parse("2026-11-26T10:00:00Z");

    private List<AlertEvent> parse(boolean resolved) {
        String body = SendAlert.payload("ServiceDown", Map.of("service", "demo-shop"), start, resolved).toString();
        return adapter.parse(body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theTestAlertIsAValidAlertmanagerPayloadForTheNamedService() {
        AlertEvent alert = parse(false).get(0);
        assertThat(alert.name()).isEqualTo("ServiceDown");
        assertThat(alert.status()).isEqualTo(AlertStatus.FIRING);
        assertThat(alert.resource().key()).isEqualTo("service:demo-shop");
        assertThat(alert.startsAt()).isEqualTo(start);
    }

    @Test
    void theSameStartGivesTheSameAlertAndResolvingItAnotherEvent() {
        assertThat(parse(false).get(0).id()).isEqualTo(parse(false).get(0).id());
        AlertEvent resolved = parse(true).get(0);
        assertThat(resolved.status()).isEqualTo(AlertStatus.RESOLVED);
        assertThat(resolved.fingerprint()).isEqualTo(parse(false).get(0).fingerprint());
    }
}
