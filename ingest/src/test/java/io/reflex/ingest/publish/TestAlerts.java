package io.reflex.ingest.publish;

import io.reflex.model.AlertEvent;
import io.reflex.model.AlertStatus;
import io.reflex.model.Resource;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/** Alert events for the publisher's tests. */
final class TestAlerts {
    private TestAlerts() {
    }

    static final Instant NOW = Instant.parse("2026-11-26T10:20:00Z");

    static AlertEvent alert(String fingerprint) {
        return alert(fingerprint, Map.of("summary", "disk 95%"));
    }

    static AlertEvent alert(String fingerprint, Map<String, String> annotations) {
        return alertOn("db-" + fingerprint, fingerprint, annotations);
    }

    /** An alert about {@code host:HOST}: alerts about one host share a partition. */
    static AlertEvent alertOn(String host, String fingerprint, Map<String, String> annotations) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("alertname", "DiskFull");
        labels.put("host", host);
        labels.put("severity", "warning");
        return new AlertEvent(AlertEvent.idFor("test", fingerprint, NOW, AlertStatus.FIRING), "test", "DiskFull",
                AlertStatus.FIRING, "warning", Resource.of("host", host), labels, annotations, NOW, null, NOW,
                fingerprint, null);
    }

    /** {@code count} alerts with fingerprints {@code prefix-0}, {@code prefix-1}, … */
    static List<AlertEvent> alerts(String prefix, int count) {
        return IntStream.range(0, count).mapToObj(i -> alert(prefix + "-" + i)).toList();
    }

    /** An alert whose annotations make it about {@code bytes} large. */
    static AlertEvent large(String fingerprint, int bytes) {
        return alert(fingerprint, largeAnnotations(bytes));
    }

    static Map<String, String> largeAnnotations(int bytes) {
        Map<String, String> annotations = new LinkedHashMap<>();
        int each = 4_000;
        for (int i = 0; i * each < bytes; i++) {
            annotations.put("part" + i, "x".repeat(each));
        }
        return annotations;
    }
}
