package io.reflex.remediator.guard;

import io.reflex.model.ActionType;
import io.reflex.model.Durations;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** Parsing and validation shared by the guardrail configs, so every message reads the same. */
final class Checks {
    private Checks() {
    }

    /** The duration, or null when it does not parse (validate reports it). */
    static Duration durationOrNull(String text) {
        try {
            return text == null ? null : Durations.parse(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    static void positiveDuration(String text, String path, List<String> problems) {
        if (text == null) {
            problems.add(path + " is required; write e.g. 5m, 1h or PT30S");
            return;
        }
        Duration d = durationOrNull(text);
        if (d == null) {
            problems.add(path + ": '" + text + "' is not a duration; write e.g. 500ms, 2s, 5m, 1h, PT30S");
        } else if (d.isZero() || d.isNegative()) {
            problems.add(path + " must be longer than zero, got " + text);
        }
    }

    static void actionTypes(Collection<String> names, String path, List<String> problems) {
        int i = 0;
        for (String name : names) {
            if (typeOrNull(name) == null) {
                problems.add(path + "[" + i + "]: unknown action type '" + name + "'; expected one of "
                        + Arrays.stream(ActionType.values()).map(ActionType::wireName).collect(Collectors.joining(", ")));
            }
            i++;
        }
    }

    /** The types named (unknown names are left out: validate reports them). */
    static Set<ActionType> types(Collection<String> names) {
        Set<ActionType> types = EnumSet.noneOf(ActionType.class);
        for (String name : names) {
            ActionType t = typeOrNull(name);
            if (t != null) {
                types.add(t);
            }
        }
        return types;
    }

    static ActionType typeOrNull(String name) {
        try {
            return name == null ? null : ActionType.fromWireName(name);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    static <T> List<T> list(List<T> list) {
        if (list == null) {
            return List.of();
        }
        // List.copyOf refuses nulls; a YAML list with an empty item is reported by validate instead.
        return Collections.unmodifiableList(new ArrayList<>(list));
    }

    /** "1 time", "3 times": reasons are read by people. */
    static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    /** Instants in reasons: ISO-8601 to the second, in UTC, as on the timeline. */
    static String at(Instant instant) {
        return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS));
    }
}
