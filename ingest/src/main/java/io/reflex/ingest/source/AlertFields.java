package io.reflex.ingest.source;

import static io.reflex.ingest.source.JsonPayload.describe;
import static io.reflex.ingest.source.JsonPayload.stringMap;
import static io.reflex.ingest.source.JsonPayload.text;
import static io.reflex.ingest.source.JsonPayload.time;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflex.ingest.Fingerprints;
import io.reflex.ingest.ResourceMapper;
import io.reflex.ingest.source.JsonPayload.Problems;
import io.reflex.model.AlertEvent;
import io.reflex.model.AlertStatus;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One alert in Alertmanager's shape ({@code status}, {@code labels} with {@code alertname},
 * {@code annotations}, {@code startsAt}, {@code endsAt}, {@code fingerprint}), which Grafana's
 * webhook shares: read once here for both adapters.
 */
public record AlertFields(AlertStatus status, Map<String, String> labels, Map<String, String> annotations,
        String name, Instant startsAt, Instant endsAt, String fingerprint) {

    /** The alert at {@code path}, or null when it has problems (added to {@code problems}). */
    public static AlertFields read(JsonNode alert, String path, Problems problems) {
        if (!alert.isObject()) {
            problems.add(path, "expected an object, got " + describe(alert));
            return null;
        }
        int before = problems.size();
        AlertStatus status = status(alert.get("status"), path + ".status", problems);
        Map<String, String> labels = stringMap(alert.get("labels"), path + ".labels", true, problems);
        Map<String, String> annotations = stringMap(alert.get("annotations"), path + ".annotations", false, problems);
        String name = labels == null ? null : labels.get("alertname");
        if (labels != null && (name == null || name.isBlank())) {
            problems.add(path + ".labels.alertname", name == null ? "missing" : "empty");
        }
        Instant startsAt = time(alert.get("startsAt"), path + ".startsAt", true, problems);
        Instant endsAt = time(alert.get("endsAt"), path + ".endsAt", false, problems);
        String fingerprint = text(alert.get("fingerprint"), path + ".fingerprint", false, problems);
        if (problems.size() > before) {
            return null;
        }
        return new AlertFields(status, labels, annotations == null ? Map.of() : annotations, name, startsAt, endsAt,
                fingerprint == null ? Fingerprints.ofLabels(labels) : fingerprint);
    }

    /** The normalised event, with the sender's extra annotations added to the alert's own. */
    public AlertEvent toEvent(String source, Map<String, String> extraAnnotations, Instant receivedAt,
            ResourceMapper resources) {
        Map<String, String> all = new LinkedHashMap<>(annotations);
        all.putAll(extraAnnotations);
        return new AlertEvent(AlertEvent.idFor(source, fingerprint, startsAt, status), source, name, status,
                labels.get("severity"), resources.map(name, labels), labels, all, startsAt, endsAt, receivedAt,
                fingerprint, null);
    }

    private static AlertStatus status(JsonNode node, String path, Problems problems) {
        if (node == null || node.isNull()) {
            problems.add(path, "missing; expected \"firing\" or \"resolved\"");
            return null;
        }
        if (node.isTextual() && "firing".equals(node.textValue())) {
            return AlertStatus.FIRING;
        }
        if (node.isTextual() && "resolved".equals(node.textValue())) {
            return AlertStatus.RESOLVED;
        }
        problems.add(path, "expected \"firing\" or \"resolved\", got " + node);
        return null;
    }
}
