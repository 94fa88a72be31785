package io.reflex.drill;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Drill run ids and the durations drills print. */
public final class DrillIds {
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    private DrillIds() {
    }

    /** {@code <prefix>-<name>-<yyyyMMddTHHmmssZ>}, e.g. {@code drill-kill-shop-20261126T100000Z}. */
    public static String of(String prefix, String name, Instant at) {
        return prefix + "-" + name + "-" + ID_TIME.format(at);
    }

    /** {@code 850ms}, {@code 4.2s}, {@code 2m05s}; {@code -} for null. */
    public static String human(Duration d) {
        if (d == null) {
            return "-";
        }
        long ms = d.toMillis();
        if (Math.abs(ms) < 1000) {
            return ms + "ms";
        }
        if (Math.abs(ms) < 60_000) {
            return String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
        }
        return String.format(Locale.ROOT, "%dm%02ds", ms / 60_000, (ms % 60_000) / 1000);
    }
}
