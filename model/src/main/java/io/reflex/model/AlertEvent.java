package io.reflex.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.Map;

/**
 * One normalised monitoring event, whatever its source. Keyed on {@code reflex.alerts} by
 * {@link Resource#key()}.
 *
 * @param id          deterministic ({@link #idFor}): the same alert delivered twice has the same id
 * @param source      alertmanager, grafana, cloudevents, pagerduty, generic, probe or drill
 * @param name        the alert name ({@code alertname})
 * @param fingerprint the sender's identity of the alert series (labels hash)
 * @param drillId     set when a drill caused the alert, so it is never mistaken for a real one
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AlertEvent(
        String id,
        String source,
        String name,
        AlertStatus status,
        String severity,
        Resource resource,
        Map<String, String> labels,
        Map<String, String> annotations,
        Instant startsAt,
        Instant endsAt,
        Instant receivedAt,
        String fingerprint,
        String drillId) {

    public AlertEvent {
        Names.requireText(id, "id");
        Names.requireText(source, "source");
        Names.requireText(name, "name");
        Names.require(status, "status");
        Names.require(resource, "resource");
        labels = Names.copy(labels);
        annotations = Names.copy(annotations);
        Names.require(startsAt, "startsAt");
        Names.require(receivedAt, "receivedAt");
        Names.requireText(fingerprint, "fingerprint");
    }

    /** The id of an alert: one per source, series, start and status. */
    public static String idFor(String source, String fingerprint, Instant startsAt, AlertStatus status) {
        return Ids.stable("alt", source, fingerprint, startsAt, status);
    }

    public boolean firing() {
        return status == AlertStatus.FIRING;
    }

    /** A label's value, or null; convenient in rule conditions. */
    public String label(String key) {
        return labels.get(key);
    }
}
