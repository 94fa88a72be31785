package io.reflex.ingest.alertmanager;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import io.reflex.ingest.Fingerprints;
import io.reflex.ingest.InvalidPayloadException;
import io.reflex.ingest.InvalidPayloadException.Reason;
import io.reflex.ingest.ResourceMapper;
import io.reflex.model.AlertEvent;
import io.reflex.model.AlertStatus;
import io.reflex.model.Json;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns an Alertmanager webhook body (payload {@code version} "4") into one {@link AlertEvent} per
 * alert of the group.
 *
 * <p>Validation is strict and complete: every problem is collected, each named by its JSON path
 * ({@code alerts[0].labels.alertname: missing}), and thrown together as one
 * {@link InvalidPayloadException}, so a sender fixes everything in one round. A body with an
 * empty {@code alerts} list is rejected (422): Alertmanager never sends one, so it comes from a
 * misconfigured sender, and answering 2xx would hide that.
 *
 * <p>Only what Reflex uses is checked; other fields ({@code receiver}, {@code groupLabels},
 * {@code generatorURL}, ...) may be anything, so newer Alertmanagers keep working.
 */
public final class AlertmanagerAdapter {

    public static final String SOURCE = "alertmanager";
    public static final String VERSION = "4";

    /** Go's zero time: Alertmanager's way of saying "no end yet". */
    private static final Instant GO_ZERO_TIME = Instant.parse("0001-01-01T00:00:00Z");

    /** Trailing garbage after the object and repeated keys are errors, not silently dropped. */
    private static final ObjectReader READER = Json.MAPPER.reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .with(StreamReadFeature.STRICT_DUPLICATE_DETECTION);

    private static final String HINT = "Send the Alertmanager webhook body (payload version 4) unchanged: "
            + "point a webhook_configs url of Alertmanager at this endpoint.";

    private final ResourceMapper resources;
    private final Clock clock;

    public AlertmanagerAdapter(ResourceMapper resources, Clock clock) {
        this.resources = resources;
        this.clock = clock;
    }

    /**
     * @param body the raw request body
     * @return one event per alert, in the order of the body
     * @throws InvalidPayloadException with every problem, when the body is not valid
     */
    public List<AlertEvent> parse(byte[] body) {
        JsonNode root = readJson(body);
        Instant receivedAt = clock.instant();
        Problems problems = new Problems();
        if (!root.isObject()) {
            problems.add("body", "expected a JSON object, got " + describe(root));
            throw problems.toException(0);
        }
        JsonNode version = root.get("version");
        if (version == null) {
            problems.add("version", "missing; expected \"" + VERSION + "\"");
        } else if (!version.isTextual() || !VERSION.equals(version.textValue())) {
            problems.add("version", "expected \"" + VERSION + "\", got " + version
                    + " (only Alertmanager's webhook payload version 4 is understood)");
        }
        JsonNode alerts = root.get("alerts");
        List<AlertEvent> events = new ArrayList<>();
        if (alerts == null) {
            problems.add("alerts", "missing; expected a list of alerts");
        } else if (!alerts.isArray()) {
            problems.add("alerts", "expected an array, got " + describe(alerts));
        } else if (alerts.isEmpty()) {
            problems.add("alerts", "empty; expected at least one alert");
        } else {
            for (int i = 0; i < alerts.size(); i++) {
                AlertEvent event = alert(alerts.get(i), "alerts[" + i + "]", receivedAt, problems);
                if (event != null) {
                    events.add(event);
                }
            }
        }
        if (!problems.isEmpty()) {
            throw problems.toException(alerts != null && alerts.isArray() ? alerts.size() : 0);
        }
        return List.copyOf(events);
    }

    private static JsonNode readJson(byte[] body) {
        if (body == null || body.length == 0) {
            throw new InvalidPayloadException(Reason.MALFORMED_JSON, "The body is empty. " + HINT,
                    List.of("body: empty; expected a JSON object"), 0);
        }
        try {
            return READER.readTree(body);
        } catch (JsonProcessingException e) {
            var where = e.getLocation();
            String detail = where == null
                    ? "body: not valid JSON"
                    : "body: not valid JSON (line " + where.getLineNr() + ", column " + where.getColumnNr() + ")";
            throw new InvalidPayloadException(Reason.MALFORMED_JSON,
                    "The body is not valid JSON: " + e.getOriginalMessage() + ". " + HINT, List.of(detail), 0);
        } catch (IOException e) {
            // Reading from a byte array does no I/O; Jackson declares it anyway.
            throw new IllegalStateException("cannot read an in-memory body", e);
        }
    }

    /** One alert, or null when it has problems (which are added to {@code problems}). */
    private AlertEvent alert(JsonNode alert, String path, Instant receivedAt, Problems problems) {
        if (!alert.isObject()) {
            problems.add(path, "expected an object, got " + describe(alert));
            return null;
        }
        int before = problems.size();
        AlertStatus status = status(alert.get("status"), path + ".status", problems);
        Map<String, String> labels = stringMap(alert.get("labels"), path + ".labels", true, problems);
        Map<String, String> annotations = stringMap(alert.get("annotations"), path + ".annotations", false, problems);
        String alertName = labels == null ? null : labels.get("alertname");
        if (labels != null && (alertName == null || alertName.isBlank())) {
            problems.add(path + ".labels.alertname", alertName == null ? "missing" : "empty");
        }
        Instant startsAt = time(alert.get("startsAt"), path + ".startsAt", true, problems);
        Instant endsAt = time(alert.get("endsAt"), path + ".endsAt", false, problems);
        String fingerprint = null;
        JsonNode fp = alert.get("fingerprint");
        if (fp != null && !fp.isNull()) {
            if (!fp.isTextual()) {
                problems.add(path + ".fingerprint", "expected a string, got " + describe(fp));
            } else if (!fp.textValue().isBlank()) {
                fingerprint = fp.textValue();
            }
        }
        if (problems.size() > before) {
            return null;
        }
        if (fingerprint == null) {
            fingerprint = Fingerprints.ofLabels(labels);
        }
        return new AlertEvent(
                AlertEvent.idFor(SOURCE, fingerprint, startsAt, status),
                SOURCE,
                alertName,
                status,
                labels.get("severity"),
                resources.map(alertName, labels),
                labels,
                annotations == null ? Map.of() : annotations,
                startsAt,
                endsAt,
                receivedAt,
                fingerprint,
                null);
    }

    private static AlertStatus status(JsonNode node, String path, Problems problems) {
        if (node == null || node.isNull()) {
            problems.add(path, "missing; expected \"firing\" or \"resolved\"");
            return null;
        }
        if (node.isTextual()) {
            switch (node.textValue()) {
                case "firing":
                    return AlertStatus.FIRING;
                case "resolved":
                    return AlertStatus.RESOLVED;
                default:
                    break;
            }
        }
        problems.add(path, "expected \"firing\" or \"resolved\", got " + node);
        return null;
    }

    /** A JSON object of strings; null when absent (and optional) or invalid. */
    private static Map<String, String> stringMap(JsonNode node, String path, boolean required, Problems problems) {
        if (node == null || node.isNull()) {
            if (required) {
                problems.add(path, "missing; expected an object of strings");
            }
            return null;
        }
        if (!node.isObject()) {
            problems.add(path, "expected an object of strings, got " + describe(node));
            return null;
        }
        Map<String, String> map = new LinkedHashMap<>();
        boolean valid = true;
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            if (!field.getValue().isTextual()) {
                problems.add(path + "." + field.getKey(), "expected a string, got " + describe(field.getValue()));
                valid = false;
            } else {
                map.put(field.getKey(), field.getValue().textValue());
            }
        }
        return valid ? map : null;
    }

    /** An RFC 3339 time; Go's zero time means "none" (null). */
    private static Instant time(JsonNode node, String path, boolean required, Problems problems) {
        if (node == null || node.isNull()) {
            if (required) {
                problems.add(path, "missing; expected an RFC 3339 time such as 2026-11-26T10:18:40.947Z");
            }
            return null;
        }
        if (!node.isTextual()) {
            problems.add(path, "not an RFC 3339 time: expected a string, got " + describe(node));
            return null;
        }
        Instant instant;
        try {
            instant = OffsetDateTime.parse(node.textValue(), DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            problems.add(path, "not an RFC 3339 time: " + node + " (expected e.g. 2026-11-26T10:18:40.947Z)");
            return null;
        }
        if (instant.equals(GO_ZERO_TIME)) {
            if (required) {
                problems.add(path, "is Go's zero time " + node + "; expected when the alert started");
            }
            return null;
        }
        return instant;
    }

    private static String describe(JsonNode node) {
        switch (node.getNodeType()) {
            case ARRAY:
                return "an array";
            case OBJECT:
                return "an object";
            case STRING:
                return "a string";
            case NUMBER:
                return "a number";
            case BOOLEAN:
                return "a boolean";
            case NULL:
                return "null";
            default:
                return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Collects "path: problem" lines. */
    private static final class Problems {
        private final List<String> lines = new ArrayList<>();

        void add(String path, String problem) {
            lines.add(path + ": " + problem);
        }

        boolean isEmpty() {
            return lines.isEmpty();
        }

        int size() {
            return lines.size();
        }

        InvalidPayloadException toException(int alertCount) {
            return new InvalidPayloadException(Reason.INVALID_PAYLOAD,
                    "The body is JSON but not a valid Alertmanager webhook payload (" + lines.size()
                            + (lines.size() == 1 ? " problem" : " problems") + ", listed in details); nothing was "
                            + "stored. " + HINT,
                    lines, alertCount);
        }
    }
}
