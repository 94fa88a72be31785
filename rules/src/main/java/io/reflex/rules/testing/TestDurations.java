package io.reflex.rules.testing;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The durations of rule test files: {@code 0s}, {@code 500ms}, {@code 10m}, {@code 1h30m}, {@code 2d}. */
final class TestDurations {
    private static final Pattern WHOLE = Pattern.compile("(?:\\d+(?:ms|s|m|h|d))+");
    private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    private TestDurations() {
    }

    /** The duration, or null when the text is not one. */
    static Duration parse(String text) {
        String compact = text.strip();
        if (!WHOLE.matcher(compact).matches()) {
            return null;
        }
        Duration total = Duration.ZERO;
        Matcher m = PART.matcher(compact);
        while (m.find()) {
            long n = Long.parseLong(m.group(1));
            total = total.plus(switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            });
        }
        return total;
    }

    /** The shortest form of the duration in the same notation, e.g. {@code 5m}, {@code 1m30s}, {@code 0s}. */
    static String format(Duration duration) {
        if (duration.isZero()) {
            return "0s";
        }
        StringBuilder text = new StringBuilder(duration.isNegative() ? "-" : "");
        Duration rest = duration.abs();
        long hours = rest.toHours();
        if (hours > 0) {
            text.append(hours).append('h');
        }
        if (rest.toMinutesPart() > 0) {
            text.append(rest.toMinutesPart()).append('m');
        }
        if (rest.toSecondsPart() > 0) {
            text.append(rest.toSecondsPart()).append('s');
        }
        if (rest.toMillisPart() > 0) {
            text.append(rest.toMillisPart()).append("ms");
        }
        return text.toString();
    }
}
