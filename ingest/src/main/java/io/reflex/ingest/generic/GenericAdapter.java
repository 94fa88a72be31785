package io.reflex.ingest.generic;

import static io.reflex.ingest.source.JsonPayload.describe;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflex.ingest.Fingerprints;
import io.reflex.ingest.InvalidPayloadException;
import io.reflex.ingest.Limits;
import io.reflex.ingest.ResourceMapper;
import io.reflex.ingest.source.JsonPayload;
import io.reflex.ingest.source.JsonPayload.Problems;
import io.reflex.ingest.source.SourceAdapter;
import io.reflex.ingest.source.Webhook;
import io.reflex.model.AlertEvent;
import io.reflex.model.AlertStatus;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the JSON of any sender whose webhook body can be templated (Datadog, Zabbix, …) into alert
 * events, reading each field where the source's {@link GenericMapping} says it is. One adapter per
 * configured source, served at {@code /hooks/generic/{source}}; the events' {@code source} is that
 * name ({@code datadog}), so rules and metrics can tell the senders apart.
 *
 * <p>Problems name the concrete JSON path and the mapping key that points there
 * ({@code $.alerts[2].title: missing; expected a string (mapping key name)}), so an operator sees
 * at once whether the sender's template or the mapping is wrong.
 *
 * <p>Identity: the alert's fingerprint is the {@code fingerprint} field when the mapping names
 * one, otherwise a hash of the source and the labels; its id follows from source, fingerprint,
 * start and status ({@link AlertEvent#idFor}), so the same body delivered twice gives the same ids.
 */
public final class GenericAdapter implements SourceAdapter {

    /** Source names end up in metrics, URLs and record fields: keep them plain. */
    private static final Pattern SOURCE_NAME = Pattern.compile("[a-z][a-z0-9_-]{0,62}");
    private static final Pattern DIGITS = Pattern.compile("-?[0-9]{1,19}");
    /** At or above this, an epoch number is in milliseconds (see {@link GenericMapping}). */
    private static final long MILLIS_FROM = 100_000_000_000L;

    private final String source;
    private final GenericMapping mapping;
    private final ResourceMapper resources;
    private final Clock clock;
    private final JsonPayload json;
    private final String hint;
    private final String format;

    private final FieldPath alerts;
    private final FieldPath name;
    private final Pattern namePattern;
    private final FieldPath status;
    private final FieldPath severity;
    private final FieldPath startsAt;
    private final FieldPath endsAt;
    private final FieldPath fingerprint;
    private final FieldPath labels;
    private final FieldPath annotations;
    private final FieldPath tags;
    private final Map<String, FieldPath> labelPaths = new LinkedHashMap<>();
    private final Map<String, FieldPath> annotationPaths = new LinkedHashMap<>();
    private final Map<String, AlertStatus> statusValues = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    private final String knownStatusValues;
    private final DateTimeFormatter timeFormat;

    /**
     * @param source  the {@code {source}} of {@code /hooks/generic/{source}}: lower-case letters,
     *                digits, {@code -} or {@code _}
     * @param mapping where the fields are; must be valid ({@link GenericMapping#validate})
     * @throws IllegalArgumentException listing every problem of the name and the mapping
     */
    public GenericAdapter(String source, GenericMapping mapping, ResourceMapper resources, Clock clock,
                          JsonPayload json) {
        List<String> problems = problems(source, mapping, "generic." + source);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid generic source mapping: " + String.join("; ", problems));
        }
        this.source = source;
        this.mapping = mapping;
        this.resources = resources;
        this.clock = clock;
        this.json = json;
        this.alerts = optional(mapping.alerts());
        this.name = FieldPath.parse(mapping.name());
        this.namePattern = mapping.namePattern().isEmpty() ? null : Pattern.compile(mapping.namePattern());
        this.status = FieldPath.parse(mapping.status());
        this.severity = optional(mapping.severity());
        this.startsAt = FieldPath.parse(mapping.startsAt());
        this.endsAt = optional(mapping.endsAt());
        this.fingerprint = optional(mapping.fingerprint());
        this.labels = optional(mapping.labels());
        this.annotations = optional(mapping.annotations());
        this.tags = optional(mapping.tags());
        mapping.labelPaths().forEach((label, path) -> labelPaths.put(label, FieldPath.parse(path)));
        mapping.annotationPaths().forEach((annotation, path) -> annotationPaths.put(annotation, FieldPath.parse(path)));
        mapping.statusValues().forEach((value, target) ->
                statusValues.put(value.strip(), GenericMapping.statusOf(target).orElseThrow()));
        this.knownStatusValues = String.join(", ", mapping.statusValues().keySet());
        this.timeFormat = mapping.timeFormat().isBlank() ? null
                : DateTimeFormatter.ofPattern(mapping.timeFormat(), Locale.ROOT).withZone(ZoneId.of(mapping.timeZone()));
        this.format = "webhook body for generic source " + source;
        this.hint = "Send JSON whose fields are where the mapping of generic source " + source + " says (name at "
                + name + ", status at " + status + ", startsAt at " + startsAt + "), or fix that mapping.";
    }

    /**
     * Every problem of a configured generic source, for checking the whole configuration at start:
     * its name and its mapping; empty when an adapter can be built from them.
     *
     * @param path where the mapping sits in the configuration, e.g. {@code ingest.generic.datadog}
     */
    public static List<String> problems(String source, GenericMapping mapping, String path) {
        List<String> problems = new ArrayList<>();
        if (source == null || !SOURCE_NAME.matcher(source).matches()) {
            problems.add(path + ": \"" + source + "\" is not a valid generic source name; use 1-63 lower-case "
                    + "letters, digits, '-' or '_', starting with a letter");
        }
        if (mapping == null) {
            problems.add(path + ": empty; give at least name, status and startsAt, or {} for the defaults");
        } else {
            problems.addAll(mapping.validate(path));
        }
        return problems;
    }

    /** With the default nesting limit; for tests and tools. */
    public GenericAdapter(String source, GenericMapping mapping, ResourceMapper resources, Clock clock) {
        this(source, mapping, resources, clock, new JsonPayload(Limits.DEFAULT_MAX_NESTING_DEPTH));
    }

    /** Null for an optional path switched off with "" ({@code alerts}: "$" too, the body is one alert). */
    private static FieldPath optional(String path) {
        if (path.isBlank()) {
            return null;
        }
        FieldPath parsed = FieldPath.parse(path);
        return parsed.isRoot() ? null : parsed;
    }

    @Override
    public String source() {
        return source;
    }

    public GenericMapping mapping() {
        return mapping;
    }

    @Override
    public List<AlertEvent> parse(Webhook webhook) {
        return parse(webhook.body());
    }

    /**
     * @return one event per alert, in the order of the body
     * @throws InvalidPayloadException {@code 400} for a body that is not JSON, {@code 422} listing
     *                                 every field the mapping finds missing or malformed
     */
    public List<AlertEvent> parse(byte[] body) {
        JsonNode root = json.read(body, hint);
        Instant receivedAt = clock.instant();
        Problems problems = new Problems(format, hint);
        List<AlertEvent> events = new ArrayList<>();
        int count = 0;
        if (alerts == null) {
            count = 1;
            if (!root.isObject()) {
                problems.add("$", "expected a JSON object (one alert), got " + describe(root)
                        + (root.isArray() ? "; set the mapping key alerts to the path of the array" : ""));
            } else {
                add(events, alert(root, FieldPath.root(), receivedAt, problems));
            }
        } else {
            JsonNode list = alerts.find(root);
            if (list == null || list.isNull()) {
                problems.add(alerts.toString(), "missing; expected an array of alerts (mapping key alerts)");
            } else if (!list.isArray()) {
                problems.add(alerts.toString(), "expected an array of alerts, got " + describe(list)
                        + " (mapping key alerts)");
            } else if (list.isEmpty()) {
                problems.add(alerts.toString(), "empty; expected at least one alert (mapping key alerts)");
            } else {
                count = list.size();
                for (int i = 0; i < list.size(); i++) {
                    FieldPath at = alerts.index(i);
                    if (!list.get(i).isObject()) {
                        problems.add(at.toString(), "expected an object, got " + describe(list.get(i)));
                    } else {
                        add(events, alert(list.get(i), at, receivedAt, problems));
                    }
                }
            }
        }
        if (!problems.isEmpty()) {
            throw problems.toException(count);
        }
        return List.copyOf(events);
    }

    private static void add(List<AlertEvent> events, AlertEvent event) {
        if (event != null) {
            events.add(event);
        }
    }

    /** One alert read from {@code node} (found at {@code at}), or null with its problems added. */
    private AlertEvent alert(JsonNode node, FieldPath at, Instant receivedAt, Problems problems) {
        int before = problems.size();
        String alertName = name(node, at, problems);
        AlertStatus alertStatus = status(node, at, problems);
        String alertSeverity = severity == null ? null : scalar(node, at, severity, "severity", false, problems);
        Instant start = time(node, at, startsAt, "startsAt", true, problems);
        Instant end = alertStatus == AlertStatus.RESOLVED && endsAt != null
                ? time(node, at, endsAt, "endsAt", false, problems)
                : null;
        String seriesId = fingerprint == null ? null : scalar(node, at, fingerprint, "fingerprint", true, problems);
        Map<String, String> alertLabels = labels(node, at, problems);
        Map<String, String> alertAnnotations = new LinkedHashMap<>();
        if (annotations != null) {
            object(node, at, annotations, "annotations", alertAnnotations, problems);
        }
        annotationPaths.forEach((annotation, path) -> {
            String value = scalar(node, at, path, "annotationPaths." + annotation, false, problems);
            if (value != null) {
                alertAnnotations.put(annotation, value);
            }
        });
        if (problems.size() > before) {
            return null;
        }
        alertLabels.put("alertname", alertName);
        if (alertSeverity != null) {
            alertLabels.put("severity", alertSeverity);
        }
        if (seriesId == null) {
            seriesId = Fingerprints.of(source, alertLabels);
        }
        return new AlertEvent(
                AlertEvent.idFor(source, seriesId, start, alertStatus),
                source,
                alertName,
                alertStatus,
                alertSeverity,
                resources.map(alertName, alertLabels),
                alertLabels,
                alertAnnotations,
                start,
                end,
                receivedAt,
                seriesId,
                null);
    }

    /** The value at {@code name}, or the first group of {@code namePattern} when that matches all of it. */
    private String name(JsonNode node, FieldPath at, Problems problems) {
        String value = scalar(node, at, name, "name", true, problems);
        if (value == null || namePattern == null) {
            return value;
        }
        Matcher matcher = namePattern.matcher(value);
        if (matcher.matches() && matcher.group(1) != null && !matcher.group(1).isBlank()) {
            return matcher.group(1).strip();
        }
        return value;
    }

    private AlertStatus status(JsonNode node, FieldPath at, Problems problems) {
        String value = scalar(node, at, status, "status", true, problems);
        if (value == null) {
            return null;
        }
        AlertStatus mapped = statusValues.get(value.strip());
        if (mapped == null) {
            problems.add(at.then(status).toString(), "\"" + value + "\" is not a known status; expected one of "
                    + knownStatusValues + " (mapping key statusValues)");
        }
        return mapped;
    }

    private Map<String, String> labels(JsonNode node, FieldPath at, Problems problems) {
        Map<String, String> result = new LinkedHashMap<>();
        if (labels != null) {
            object(node, at, labels, "labels", result, problems);
        }
        if (tags != null) {
            tags(node, at, result, problems);
        }
        labelPaths.forEach((label, path) -> {
            String value = scalar(node, at, path, "labelPaths." + label, false, problems);
            if (value != null) {
                result.put(label, value);
            }
        });
        result.putAll(mapping.staticLabels());
        return result;
    }

    /** The scalar members of the object at {@code path}, as text; absent or null means none. */
    private static void object(JsonNode node, FieldPath at, FieldPath path, String key, Map<String, String> into,
                               Problems problems) {
        JsonNode object = path.find(node);
        FieldPath where = at.then(path);
        if (object == null || object.isNull()) {
            return;
        }
        if (!object.isObject()) {
            problems.add(where.toString(), "expected an object, got " + describe(object) + " (mapping key " + key + ")");
            return;
        }
        for (Map.Entry<String, JsonNode> member : object.properties()) {
            JsonNode value = member.getValue();
            if (value.isNull()) {
                continue;
            }
            if (!value.isValueNode()) {
                problems.add(where.member(member.getKey()).toString(), "expected a string, number or boolean, got "
                        + describe(value) + " (mapping key " + key + ")");
            } else {
                into.put(member.getKey(), value.asText());
            }
        }
    }

    /** Datadog-style tags: {@code "env:prod,service:checkout"} or {@code ["env:prod", …]}. */
    private void tags(JsonNode node, FieldPath at, Map<String, String> into, Problems problems) {
        JsonNode value = tags.find(node);
        FieldPath where = at.then(tags);
        if (value == null || value.isNull()) {
            return;
        }
        List<String> items = new ArrayList<>();
        if (value.isTextual()) {
            items.addAll(List.of(value.textValue().split(",")));
        } else if (value.isArray()) {
            for (int i = 0; i < value.size(); i++) {
                if (value.get(i).isTextual()) {
                    items.add(value.get(i).textValue());
                } else {
                    problems.add(where.index(i).toString(), "expected a \"key:value\" string, got "
                            + describe(value.get(i)) + " (mapping key tags)");
                }
            }
        } else {
            problems.add(where.toString(), "expected \"key:value,…\" or an array of \"key:value\", got "
                    + describe(value) + " (mapping key tags)");
            return;
        }
        for (String item : items) {
            int colon = item.indexOf(':');
            // A tag without a value ("monitor") says nothing a label could match on; it is skipped.
            if (colon > 0 && !item.substring(0, colon).isBlank()) {
                into.put(item.substring(0, colon).strip(), item.substring(colon + 1).strip());
            }
        }
    }

    /** The text of a string, number or boolean; null (with a problem when required) when absent or empty. */
    private static String scalar(JsonNode node, FieldPath at, FieldPath path, String key, boolean required,
                                 Problems problems) {
        JsonNode value = path.find(node);
        String where = at.then(path).toString();
        if (value == null || value.isNull()) {
            if (required) {
                problems.add(where, "missing; expected a string (mapping key " + key + ")");
            }
            return null;
        }
        if (!value.isValueNode()) {
            problems.add(where, "expected a string, number or boolean, got " + describe(value) + " (mapping key "
                    + key + ")");
            return null;
        }
        String text = value.asText();
        if (text.isBlank()) {
            if (required) {
                problems.add(where, "empty; expected a non-empty string (mapping key " + key + ")");
            }
            return null;
        }
        return text;
    }

    private Instant time(JsonNode node, FieldPath at, FieldPath path, String key, boolean required,
                         Problems problems) {
        JsonNode value = path.find(node);
        String where = at.then(path).toString();
        String expected = timeFormat == null
                ? "an RFC 3339 time such as 2026-11-26T10:18:40Z or Unix epoch seconds or milliseconds"
                : "a time like \"" + mapping.timeFormat() + "\" or Unix epoch seconds or milliseconds";
        if (value == null || value.isNull() || (value.isTextual() && value.textValue().isBlank())) {
            if (required) {
                problems.add(where, "missing; expected " + expected + " (mapping key " + key + ")");
            }
            return null;
        }
        String text = value.isTextual() ? value.textValue().strip() : value.isIntegralNumber() ? value.asText() : null;
        if (text == null) {
            problems.add(where, "expected " + expected + ", got " + describe(value) + " (mapping key " + key + ")");
            return null;
        }
        try {
            if (DIGITS.matcher(text).matches()) {
                long epoch = Long.parseLong(text);
                if (epoch < 0) {
                    problems.add(where, "a negative epoch time " + text + " (mapping key " + key + ")");
                    return null;
                }
                return epoch >= MILLIS_FROM ? Instant.ofEpochMilli(epoch) : Instant.ofEpochSecond(epoch);
            }
            Instant instant = timeFormat == null
                    ? OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant()
                    : timeFormat.parse(text, Instant::from);
            // Go senders write the zero time for "not yet"; it is no time at all.
            if (instant.equals(JsonPayload.GO_ZERO_TIME)) {
                if (required) {
                    problems.add(where, "is Go's zero time; expected when the alert started (mapping key " + key + ")");
                }
                return null;
            }
            return instant;
        } catch (DateTimeException | NumberFormatException e) {
            problems.add(where, "not " + expected + ": " + value + " (mapping key " + key + ")");
            return null;
        }
    }
}
