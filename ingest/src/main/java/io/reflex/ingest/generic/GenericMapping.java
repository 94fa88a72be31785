package io.reflex.ingest.generic;

import io.reflex.model.AlertStatus;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * How the JSON of one generic source ({@code POST /hooks/generic/{source}}) becomes alert events:
 * where each field of the alert is in the body. Read from YAML; every key is optional, and a
 * missing key takes the default shown, so a sender that posts
 * {@code {"name", "status", "severity", "startsAt", "endsAt", "labels", "annotations"}} needs an
 * empty mapping ({@code {}}).
 *
 * <p>Paths are {@link FieldPath}s ({@code $.a.b[0]['odd key']}). Set an optional path key to
 * {@code ""} to stop reading it. When {@code alerts} names an array, every other path is read from
 * each element of it; otherwise from the body.
 *
 * <pre>{@code
 * alerts: $.alerts          # path of an array of alerts; "" or "$" (default): the body is one alert
 * name: $.title             # required, default $.name: the alert name (becomes label alertname)
 * namePattern: '^\[[^\]]*\] *(.+)$'  # optional: a regex whose first group, when it matches the whole
 *                           #   value at name, is the name ("[Triggered on {host:a}] CPU" -> "CPU")
 * status: $.transition      # required, default $.status: looked up in statusValues
 * statusValues:             # sender's value -> FIRING or RESOLVED, matched ignoring case
 *   Triggered: FIRING       #   default {firing: FIRING, resolved: RESOLVED}
 *   Recovered: RESOLVED
 * severity: $.priority      # optional, default $.severity (also becomes label severity)
 * startsAt: $.date          # required, default $.startsAt: when the alert started
 * endsAt: $.recovered_at    # optional, default $.endsAt: read only for RESOLVED alerts
 * fingerprint: $.cycle_key  # optional, default none: the sender's id of the alert series;
 *                           #   without it, a hash of the source and the labels
 * labels: $.labels          # optional, default $.labels: an object whose scalar members are labels
 * tags: $.tags              # optional, default none: "k:v,k2:v2" or ["k:v", …] (Datadog style);
 *                           #   each tag with a colon becomes a label
 * labelPaths:               # optional: label name -> path of its value (absent or "" values are skipped)
 *   host: $.hostname
 * staticLabels:             # optional: labels every alert of this source gets
 *   monitor: datadog
 * annotations: $.annotations  # optional, default $.annotations: object of scalar members
 * annotationPaths:          # optional: annotation name -> path of its value
 *   summary: $.body
 * timeFormat: yyyy.MM.dd HH:mm:ss   # optional: java.time pattern of startsAt/endsAt strings
 * timeZone: Europe/Berlin   # optional, default UTC: zone of times whose pattern has no offset
 * }</pre>
 *
 * <p>Times: without {@code timeFormat}, a string must be RFC 3339 ({@code 2026-11-26T10:18:40Z}).
 * A JSON number, or a string of digits, is a Unix epoch in seconds, or in milliseconds when it is
 * 100 000 000 000 or more (that many seconds is the year 5138, that many milliseconds 1973, so no
 * real time is ambiguous). Labels are merged in this order, later ones winning: {@code labels},
 * {@code tags}, {@code labelPaths}, {@code staticLabels}, then {@code alertname} (from {@code name})
 * and {@code severity} (from {@code severity}, when present). Scalar values (numbers, booleans)
 * become their JSON text.
 *
 * @param alerts          path of the array of alerts; {@code ""}/{@code "$"}: one alert per body
 * @param name            path of the alert name (required)
 * @param namePattern     a regular expression; when it matches the whole name, its first group is the name
 * @param status          path of the status (required), translated by {@code statusValues}
 * @param severity        path of the severity (optional)
 * @param startsAt        path of the start time (required: the alert id depends on it)
 * @param endsAt          path of the end time (optional, resolved alerts only)
 * @param fingerprint     path of the sender's series id (optional)
 * @param labels          path of an object of labels (optional)
 * @param annotations     path of an object of annotations (optional)
 * @param tags            path of Datadog-style {@code key:value} tags (optional)
 * @param statusValues    sender status value → {@code FIRING} or {@code RESOLVED}
 * @param staticLabels    labels added to every alert
 * @param labelPaths      label name → path of its value
 * @param annotationPaths annotation name → path of its value
 * @param timeFormat      a {@link DateTimeFormatter} pattern for time strings (optional)
 * @param timeZone        the zone for {@code timeFormat} patterns without an offset (default UTC)
 */
public record GenericMapping(
        String alerts,
        String name,
        String namePattern,
        String status,
        String severity,
        String startsAt,
        String endsAt,
        String fingerprint,
        String labels,
        String annotations,
        String tags,
        Map<String, String> statusValues,
        Map<String, String> staticLabels,
        Map<String, String> labelPaths,
        Map<String, String> annotationPaths,
        String timeFormat,
        String timeZone) {

    /** Ordered, as every map here, so error messages list the known values in a stable order. */
    public static final Map<String, String> DEFAULT_STATUS_VALUES = defaultStatusValues();

    public GenericMapping {
        alerts = alerts == null ? "" : alerts;
        name = orDefault(name, "$.name");
        namePattern = namePattern == null ? "" : namePattern;
        status = orDefault(status, "$.status");
        severity = orDefault(severity, "$.severity");
        startsAt = orDefault(startsAt, "$.startsAt");
        endsAt = orDefault(endsAt, "$.endsAt");
        fingerprint = fingerprint == null ? "" : fingerprint;
        labels = orDefault(labels, "$.labels");
        annotations = orDefault(annotations, "$.annotations");
        tags = tags == null ? "" : tags;
        statusValues = statusValues == null || statusValues.isEmpty() ? DEFAULT_STATUS_VALUES : ordered(statusValues);
        staticLabels = ordered(staticLabels);
        labelPaths = ordered(labelPaths);
        annotationPaths = ordered(annotationPaths);
        timeFormat = timeFormat == null ? "" : timeFormat;
        timeZone = timeZone == null || timeZone.isBlank() ? "UTC" : timeZone;
    }

    private static Map<String, String> defaultStatusValues() {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("firing", "FIRING");
        values.put("resolved", "RESOLVED");
        return java.util.Collections.unmodifiableMap(values);
    }

    /** The defaults: the body is one alert in Reflex's own simple shape. */
    public static GenericMapping defaults() {
        return new GenericMapping(null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null);
    }

    private static String orDefault(String value, String fallback) {
        return value == null ? fallback : value;
    }

    /** Keeps the YAML order (problems and labels come out in the order the operator wrote them); nulls stay. */
    private static Map<String, String> ordered(Map<String, String> map) {
        return map == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }

    /**
     * Every problem of this mapping, each starting with {@code path} and the key, e.g.
     * {@code generic.datadog.statusValues.OK: "ok" is not FIRING or RESOLVED}; empty when valid.
     *
     * @param path where this mapping sits in the configuration, e.g. {@code ingest.generic.datadog}
     */
    public List<String> validate(String path) {
        List<String> problems = new ArrayList<>();
        optionalPath(problems, path, "alerts", alerts);
        requiredPath(problems, path, "name", name);
        requiredPath(problems, path, "status", status);
        if (!namePattern.isEmpty()) {
            try {
                if (Pattern.compile(namePattern).matcher("").groupCount() < 1) {
                    problems.add(path + ".namePattern: has no group; put the part that is the name in ( )");
                }
            } catch (PatternSyntaxException e) {
                problems.add(path + ".namePattern: not a regular expression: " + e.getDescription() + " near index "
                        + e.getIndex());
            }
        }
        requiredPath(problems, path, "startsAt", startsAt);
        optionalPath(problems, path, "severity", severity);
        optionalPath(problems, path, "endsAt", endsAt);
        optionalPath(problems, path, "fingerprint", fingerprint);
        optionalPath(problems, path, "labels", labels);
        optionalPath(problems, path, "annotations", annotations);
        optionalPath(problems, path, "tags", tags);
        Map<String, String> seen = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        statusValues.forEach((value, target) -> {
            String at = path + ".statusValues." + value;
            if (value == null || value.isBlank()) {
                problems.add(path + ".statusValues: a key is empty; keys are the sender's status values");
            } else if (seen.putIfAbsent(value, value) != null) {
                problems.add(at + ": the same value as \"" + seen.get(value) + "\" (values are matched ignoring case)");
            }
            if (statusOf(target).isEmpty()) {
                problems.add(at + ": " + (target == null ? "empty" : "\"" + target + "\"") + " is not FIRING or RESOLVED");
            }
        });
        staticLabels.forEach((label, value) -> {
            labelName(problems, path + ".staticLabels", label);
            if (value == null) {
                problems.add(path + ".staticLabels." + label + ": empty; give the label's value");
            }
        });
        labelPaths.forEach((label, value) -> {
            labelName(problems, path + ".labelPaths", label);
            requiredPath(problems, path + ".labelPaths", label, value);
        });
        annotationPaths.forEach((annotation, value) -> {
            if (annotation == null || annotation.isBlank()) {
                problems.add(path + ".annotationPaths: an annotation name is empty");
            }
            requiredPath(problems, path + ".annotationPaths", annotation, value);
        });
        if (!timeFormat.isBlank()) {
            try {
                DateTimeFormatter.ofPattern(timeFormat);
            } catch (IllegalArgumentException e) {
                problems.add(path + ".timeFormat: \"" + timeFormat + "\" is not a java.time pattern: " + e.getMessage()
                        + " (e.g. yyyy.MM.dd HH:mm:ss)");
            }
        }
        try {
            ZoneId.of(timeZone);
        } catch (RuntimeException e) {
            problems.add(path + ".timeZone: \"" + timeZone + "\" is not a time zone (e.g. UTC, Europe/Berlin, +02:00)");
        }
        return problems;
    }

    private static void labelName(List<String> problems, String path, String label) {
        if (label == null || label.isBlank()) {
            problems.add(path + ": a label name is empty");
        } else if ("alertname".equals(label)) {
            problems.add(path + ".alertname: the alert name comes from the key name; remove it here");
        }
    }

    private static void requiredPath(List<String> problems, String path, String key, String value) {
        if (value == null || value.isBlank()) {
            problems.add(path + "." + key + ": empty; give the path of the field, e.g. $.title");
            return;
        }
        optionalPath(problems, path, key, value);
    }

    private static void optionalPath(List<String> problems, String path, String key, String value) {
        if (value == null || value.isBlank()) {
            return;
        }
        try {
            FieldPath.parse(value);
        } catch (IllegalArgumentException e) {
            problems.add(path + "." + key + ": " + e.getMessage());
        }
    }

    /** FIRING or RESOLVED for a {@code statusValues} target, ignoring case. */
    static Optional<AlertStatus> statusOf(String target) {
        if (target == null) {
            return Optional.empty();
        }
        return switch (target.strip().toUpperCase(Locale.ROOT)) {
            case "FIRING" -> Optional.of(AlertStatus.FIRING);
            case "RESOLVED" -> Optional.of(AlertStatus.RESOLVED);
            default -> Optional.empty();
        };
    }
}
