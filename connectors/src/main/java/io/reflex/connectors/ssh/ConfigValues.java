package io.reflex.connectors.ssh;

import io.reflex.model.Durations;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reading plain YAML values (maps, lists, strings, numbers; strings when they came from
 * environment overrides) with one problem line per mistake, for the ssh and ansible settings.
 */
public final class ConfigValues {

    private ConfigValues() {
    }

    public static void unknownKeys(Map<?, ?> map, Set<String> known, String at, List<String> problems) {
        for (Object key : new TreeMap<>(stringKeys(map)).keySet()) {
            if (!known.contains(key)) {
                problems.add(prefix(at) + key + ": unknown key; expected one of " + new TreeSet<>(known));
            }
        }
    }

    /** A map from the value, or null (with a problem) when it is something else. */
    public static Map<String, Object> map(Object raw, String at, String what, List<String> problems) {
        if (raw == null) {
            return Map.of();
        }
        if (!(raw instanceof Map)) {
            problems.add(at + ": must be " + what + ", not " + describe(raw));
            return null;
        }
        return stringKeys((Map<?, ?>) raw);
    }

    public static String string(Object raw, String at, String fallback, List<String> problems) {
        if (raw == null) {
            return fallback;
        }
        if (!isScalar(raw) || scalar(raw).isBlank()) {
            problems.add(at + ": must be a non-empty string, not " + describe(raw));
            return fallback;
        }
        return scalar(raw);
    }

    public static Duration duration(Object raw, String at, Duration fallback, List<String> problems) {
        if (raw == null) {
            return fallback;
        }
        Duration duration = null;
        if (raw instanceof Number || raw instanceof String) {
            try {
                duration = Durations.parse(raw.toString());
            } catch (IllegalArgumentException e) {
                duration = null;
            }
        }
        if (duration == null || duration.isNegative() || duration.isZero()) {
            problems.add(at + ": must be a positive duration such as 10s, 2m or PT10S, not " + describe(raw));
            return fallback;
        }
        return duration;
    }

    public static int port(Object raw, String at, int fallback, List<String> problems) {
        if (raw == null) {
            return fallback;
        }
        try {
            final int port = Integer.parseInt(scalar(raw).trim());
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.add(at + ": must be a port number from 1 to 65535, not " + describe(raw));
        return fallback;
    }

    /**
     * An existing, readable regular file. Its content is never read nor echoed: it may be a key.
     */
    public static Path existingFile(Object raw, String at, String what, List<String> problems) {
        final Path path = path(raw, at, what, problems);
        if (path != null && !(Files.isRegularFile(path) && Files.isReadable(path))) {
            problems.add(at + ": " + path + " does not exist or is not a readable file; " + what);
            return null;
        }
        return path;
    }

    public static Path existingDirectory(Object raw, String at, String what, List<String> problems) {
        final Path path = path(raw, at, what, problems);
        if (path != null && !Files.isDirectory(path)) {
            problems.add(at + ": " + path + " does not exist or is not a directory; " + what);
            return null;
        }
        return path;
    }

    private static Path path(Object raw, String at, String what, List<String> problems) {
        if (raw == null) {
            problems.add(at + ": missing; " + what);
            return null;
        }
        if (!(raw instanceof String) || ((String) raw).isBlank()) {
            problems.add(at + ": must be a path, not " + describe(raw) + "; " + what);
            return null;
        }
        final String text = (String) raw;
        if (text.chars().anyMatch(c -> Character.isWhitespace(c) || c < 0x20)) {
            // Paths are handed to ssh options and to ansible, which split on whitespace.
            problems.add(at + ": must not contain whitespace or control characters");
            return null;
        }
        try {
            return Path.of(text).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            problems.add(at + ": not a valid path: " + e.getMessage());
            return null;
        }
    }

    public static boolean isScalar(Object value) {
        return value instanceof String || value instanceof Number || value instanceof Boolean;
    }

    public static String scalar(Object value) {
        return value instanceof BigDecimal ? ((BigDecimal) value).toPlainString() : String.valueOf(value);
    }

    public static String describe(Object value) {
        if (value == null) {
            return "empty";
        }
        if (value instanceof String) {
            return "the string " + SafeValues.quote((String) value);
        }
        if (value instanceof Map) {
            return "a map";
        }
        if (value instanceof List) {
            return "a list";
        }
        if (value instanceof Number) {
            return "the number " + scalar(value);
        }
        if (value instanceof Boolean) {
            return "the boolean " + value;
        }
        return "a " + value.getClass().getSimpleName();
    }

    private static Map<String, Object> stringKeys(Map<?, ?> map) {
        final Map<String, Object> out = new java.util.LinkedHashMap<>();
        map.forEach((k, v) -> out.put(String.valueOf(k), v));
        return out;
    }

    private static String prefix(String at) {
        return at == null || at.isEmpty() ? "" : at + ".";
    }
}
