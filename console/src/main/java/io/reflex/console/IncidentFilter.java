package io.reflex.console;

import io.reflex.model.Incident;
import io.reflex.model.IncidentStatus;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Which incidents a list shows. Every field is optional (null: no restriction).
 *
 * @param resource substring of the resource key ({@code kind:name}), case-insensitive
 * @param alert    the alert name, exactly
 * @param from     earliest {@code openedAt}, inclusive
 * @param to       latest {@code openedAt}, exclusive
 * @param drill    true: only incidents a drill caused; false: only real ones
 * @param q        case-insensitive substring of the title, resource key or alert name
 */
public record IncidentFilter(IncidentStatus status, String resource, String alert, Instant from, Instant to,
                             Boolean drill, String q) {
    public static final IncidentFilter ALL = new IncidentFilter(null, null, null, null, null, null, null);

    public boolean matches(Incident incident, String drillId) {
        String key = incident.resource().key();
        return (status == null || incident.status() == status)
                && (resource == null || contains(key, resource))
                && (alert == null || alert.equals(incident.alertName()))
                && (from == null || !incident.openedAt().isBefore(from))
                && (to == null || incident.openedAt().isBefore(to))
                && (drill == null || drill == (drillId != null))
                && (q == null || contains(incident.title(), q) || contains(key, q)
                        || incident.alertName() != null && contains(incident.alertName(), q));
    }

    private static boolean contains(String text, String part) {
        return text.toLowerCase(Locale.ROOT).contains(part.toLowerCase(Locale.ROOT));
    }

    /**
     * Reads the filter from query parameters; every bad one is reported in {@code problems}
     * as {@code "name: what is wrong"}, so a client sees all its mistakes at once.
     */
    public static IncidentFilter parse(Function<String, String> param, List<String> problems) {
        IncidentStatus status = null;
        String statusText = text(param.apply("status"));
        if (statusText != null) {
            try {
                status = IncidentStatus.valueOf(statusText.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                problems.add("status: '" + statusText + "' is not one of " + Arrays.toString(IncidentStatus.values()));
            }
        }
        Instant from = instant("from", param.apply("from"), problems);
        Instant to = instant("to", param.apply("to"), problems);
        if (from != null && to != null && from.isAfter(to)) {
            problems.add("from: " + from + " is after to " + to + "; swap them");
        }
        Boolean drill = null;
        String drillText = text(param.apply("drill"));
        if (drillText != null) {
            if (drillText.equalsIgnoreCase("true") || drillText.equalsIgnoreCase("false")) {
                drill = Boolean.valueOf(drillText.toLowerCase(Locale.ROOT));
            } else {
                problems.add("drill: '" + drillText + "' must be true (drills only) or false (real incidents only)");
            }
        }
        return new IncidentFilter(status, text(param.apply("resource")), text(param.apply("alert")), from, to, drill,
                text(param.apply("q")));
    }

    public static IncidentFilter parse(Function<String, String> param) {
        List<String> problems = new ArrayList<>();
        IncidentFilter filter = parse(param, problems);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        return filter;
    }

    private static Instant instant(String name, String value, List<String> problems) {
        String text = text(value);
        if (text == null) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            problems.add(name + ": '" + text + "' is not an ISO-8601 instant such as 2026-11-26T10:00:00Z");
            return null;
        }
    }

    private static String text(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
