package io.reflex.rules;

import io.reflex.model.AlertEvent;
import io.reflex.model.AlertStatus;
import io.reflex.model.Resource;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/** Alerts for tests, built the way ingest builds them (deterministic ids). */
final class Alerts {
    static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

    private Alerts() {
    }

    static AlertEvent serviceDown(String service, AlertStatus status, Instant startsAt) {
        return alert("ServiceDown", Resource.of("service", service), Map.of("service", service), status, startsAt);
    }

    static AlertEvent alert(String name, Resource resource, Map<String, String> labels, AlertStatus status,
            Instant startsAt) {
        Map<String, String> all = new HashMap<>(labels);
        all.put("alertname", name);
        String fingerprint = "fp-" + name + "-" + resource.key();
        return new AlertEvent(AlertEvent.idFor("alertmanager", fingerprint, startsAt, status), "alertmanager", name,
                status, "critical", resource, all, Map.of("summary", name + " on " + resource.key()), startsAt,
                status == AlertStatus.RESOLVED ? startsAt.plusSeconds(60) : null,
                status == AlertStatus.RESOLVED ? startsAt.plusSeconds(61) : startsAt.plusSeconds(1),
                fingerprint, null);
    }
}
