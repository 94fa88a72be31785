package io.reflex.drill.gameday;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.Month;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A standard five-field cron schedule ({@code minute hour day-of-month month day-of-week}), read as
 * Vixie cron reads it: {@code *}, lists ({@code 1,15}), ranges ({@code 1-5}), steps ({@code *}{@code /15},
 * {@code 10-40/10}, {@code 5/15} = from 5 to the end), names ({@code MON-FRI}, {@code JAN}), day of week
 * 0-7 (0 and 7 are Sunday), and {@code @hourly @daily @midnight @weekly @monthly @yearly @annually}.
 *
 * <p>When both day fields are restricted (neither starts with {@code *}) a day matches when
 * <em>either</em> matches, as in Vixie cron: {@code 0 0 1,15 * MON} runs on the 1st, the 15th and
 * every Monday.
 *
 * <p>Daylight saving, also as Vixie cron: a local time skipped by the clock moving forward runs at
 * the moment the clock jumps when the schedule names fixed times (minute and hour not starting
 * with {@code *}), and does not run when it is a wildcard schedule; a local time that happens twice
 * when the clock moves back runs once (the first time) for fixed schedules and both times for
 * wildcard schedules.
 */
public final class CronSchedule {
    private static final Map<String, Integer> MONTHS = names(List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL",
            "AUG", "SEP", "OCT", "NOV", "DEC"), 1);
    private static final Map<String, Integer> DAYS = names(List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"), 0);
    private static final Map<String, String> MACROS = Map.of(
            "@hourly", "0 * * * *",
            "@daily", "0 0 * * *",
            "@midnight", "0 0 * * *",
            "@weekly", "0 0 * * 0",
            "@monthly", "0 0 1 * *",
            "@yearly", "0 0 1 1 *",
            "@annually", "0 0 1 1 *");
    /** More than any daylight-saving shift there is: local times this far apart cannot swap order as instants. */
    private static final long SHIFT_MARGIN_HOURS = 3;
    /** The longest wait for a day that exists: Feb 29 on a given weekday needs 28 years. */
    private static final int SEARCH_YEARS = 30;

    private final String expression;
    private final BitSet minutes;
    private final BitSet hours;
    private final BitSet daysOfMonth;
    private final BitSet months;
    private final BitSet daysOfWeek;
    private final boolean domStar;
    private final boolean dowStar;
    private final boolean wildcard;

    private CronSchedule(String expression, BitSet minutes, BitSet hours, BitSet daysOfMonth, BitSet months,
            BitSet daysOfWeek, boolean domStar, boolean dowStar, boolean wildcard) {
        this.expression = expression;
        this.minutes = minutes;
        this.hours = hours;
        this.daysOfMonth = daysOfMonth;
        this.months = months;
        this.daysOfWeek = daysOfWeek;
        this.domStar = domStar;
        this.dowStar = dowStar;
        this.wildcard = wildcard;
    }

    /** @throws IllegalArgumentException naming the bad field and what to write instead */
    public static CronSchedule parse(String expression) {
        if (expression == null || expression.isBlank()) {
            throw new IllegalArgumentException("the cron expression is empty; write five fields (minute hour"
                    + " day-of-month month day-of-week), e.g. '0 3 * * MON-FRI', or @hourly, @daily, @weekly");
        }
        String text = expression.trim();
        String fieldsText = text;
        if (text.startsWith("@")) {
            fieldsText = MACROS.get(text.toLowerCase(Locale.ROOT));
            if (fieldsText == null) {
                throw new IllegalArgumentException("cron '" + text + "': unknown shortcut; use one of "
                        + MACROS.keySet().stream().sorted().toList() + " or five fields");
            }
        }
        String[] fields = fieldsText.split("\\s+");
        if (fields.length != 5) {
            throw new IllegalArgumentException("cron '" + text + "' has " + fields.length + " field"
                    + (fields.length == 1 ? "" : "s") + "; write five: minute hour day-of-month month day-of-week,"
                    + " e.g. '30 2 * * *'");
        }
        BitSet minutes = field(text, "minute", fields[0], 0, 59, Map.of());
        BitSet hours = field(text, "hour", fields[1], 0, 23, Map.of());
        BitSet dom = field(text, "day-of-month", fields[2], 1, 31, Map.of());
        BitSet months = field(text, "month", fields[3], 1, 12, MONTHS);
        BitSet dow = field(text, "day-of-week", fields[4], 0, 7, DAYS);
        if (dow.get(7)) {
            dow.set(0);
            dow.clear(7);
        }
        boolean domStar = fields[2].startsWith("*");
        boolean dowStar = fields[4].startsWith("*");
        if (!domStar && dowStar && !anyDayExists(dom, months)) {
            throw new IllegalArgumentException("cron '" + text + "': day-of-month field '" + fields[2]
                    + "' never falls in month field '" + fields[3] + "' (e.g. 31 in FEB); the schedule would never run");
        }
        boolean wildcard = fields[0].startsWith("*") || fields[1].startsWith("*");
        return new CronSchedule(text, minutes, hours, dom, months, dow, domStar, dowStar, wildcard);
    }

    /** As written. */
    public String expression() {
        return expression;
    }

    /**
     * The first time strictly after {@code after} that the schedule fires, in {@code after}'s zone.
     *
     * @throws IllegalStateException when it never fires in the next 30 years
     */
    public ZonedDateTime next(ZonedDateTime after) {
        Objects.requireNonNull(after, "after");
        ZoneId zone = after.getZone();
        Instant afterInstant = after.toInstant();
        LocalDateTime limit = after.toLocalDateTime().plusYears(SEARCH_YEARS);
        // Start a little before: a local time that repeats (clock moved back) may be later as an instant.
        LocalDateTime local = after.toLocalDateTime().truncatedTo(ChronoUnit.MINUTES).minusHours(SHIFT_MARGIN_HOURS);
        Instant best = null;
        LocalDateTime bestLocal = null;
        while (true) {
            local = nextLocal(local, limit);
            if (local == null || bestLocal != null && local.isAfter(bestLocal.plusHours(SHIFT_MARGIN_HOURS))) {
                break;
            }
            for (Instant candidate : instants(local, zone)) {
                if (candidate.isAfter(afterInstant) && (best == null || candidate.isBefore(best))) {
                    best = candidate;
                    bestLocal = LocalDateTime.ofInstant(candidate, zone);
                }
            }
            local = local.plusMinutes(1);
        }
        if (best == null) {
            throw new IllegalStateException("cron '" + expression + "' does not fire in the " + SEARCH_YEARS
                    + " years after " + after);
        }
        return best.atZone(zone);
    }

    /** The instants a matching local time stands for in {@code zone} (none, one or two). */
    private List<Instant> instants(LocalDateTime local, ZoneId zone) {
        List<ZoneOffset> offsets = zone.getRules().getValidOffsets(local);
        if (offsets.size() == 1) {
            return List.of(local.toInstant(offsets.get(0)));
        }
        if (offsets.isEmpty()) {
            // Skipped by the clock moving forward: fixed schedules run as the clock jumps.
            ZoneOffsetTransition gap = zone.getRules().getTransition(local);
            return wildcard ? List.of() : List.of(gap.getInstant());
        }
        // Twice, the clock having moved back: fixed schedules run the first time only.
        Instant first = local.toInstant(offsets.get(0));
        Instant second = local.toInstant(offsets.get(1));
        Instant earlier = first.isBefore(second) ? first : second;
        Instant later = first.isBefore(second) ? second : first;
        return wildcard ? List.of(earlier, later) : List.of(earlier);
    }

    /** The first matching local time at or after {@code from}, or null when none before {@code limit}. */
    private LocalDateTime nextLocal(LocalDateTime from, LocalDateTime limit) {
        LocalDateTime t = from;
        while (!t.isAfter(limit)) {
            if (!months.get(t.getMonthValue())) {
                t = t.withDayOfMonth(1).truncatedTo(ChronoUnit.DAYS).plusMonths(1);
            } else if (!dayMatches(t.toLocalDate())) {
                t = t.truncatedTo(ChronoUnit.DAYS).plusDays(1);
            } else if (!hours.get(t.getHour())) {
                t = t.truncatedTo(ChronoUnit.HOURS).plusHours(1);
            } else if (!minutes.get(t.getMinute())) {
                t = t.plusMinutes(1);
            } else {
                return t;
            }
        }
        return null;
    }

    private boolean dayMatches(LocalDate date) {
        boolean dom = daysOfMonth.get(date.getDayOfMonth());
        boolean dow = daysOfWeek.get(date.getDayOfWeek().getValue() % 7);
        if (domStar || dowStar) {
            return dom && dow;
        }
        return dom || dow;
    }

    private static boolean anyDayExists(BitSet dom, BitSet months) {
        int firstDay = dom.nextSetBit(1);
        for (int m = months.nextSetBit(1); m >= 0; m = months.nextSetBit(m + 1)) {
            if (firstDay <= Month.of(m).maxLength()) {
                return true;
            }
        }
        return false;
    }

    private static BitSet field(String expression, String name, String text, int min, int max, Map<String, Integer> names) {
        BitSet bits = new BitSet(max + 1);
        for (String part : text.split(",", -1)) {
            try {
                part(bits, part, min, max, names);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("cron '" + expression + "': " + name + " field '" + text + "': "
                        + e.getMessage(), e);
            }
        }
        return bits;
    }

    private static void part(BitSet bits, String part, int min, int max, Map<String, Integer> names) {
        if (part.isEmpty()) {
            throw new IllegalArgumentException("has an empty list item; separate values with single commas, e.g. 1,15");
        }
        String range = part;
        int step = 1;
        int slash = part.indexOf('/');
        if (slash >= 0) {
            range = part.substring(0, slash);
            String stepText = part.substring(slash + 1);
            step = number(stepText, 1, max - min + 1, "step", Map.of());
        }
        int from;
        int to;
        if (range.equals("*")) {
            from = min;
            to = max;
        } else {
            int dash = range.indexOf('-');
            if (dash >= 0) {
                from = number(range.substring(0, dash), min, max, "value", names);
                to = number(range.substring(dash + 1), min, max, "value", names);
                if (from > to) {
                    throw new IllegalArgumentException("range '" + range + "' goes backwards; write it low to high"
                            + " (or as two ranges in a list, e.g. 22-23,0-2)");
                }
            } else {
                from = number(range, min, max, "value", names);
                // "5/15" is "from 5 to the end in steps of 15"; a plain "5" is just 5.
                to = slash >= 0 ? max : from;
            }
        }
        for (int v = from; v <= to; v += step) {
            bits.set(v);
        }
    }

    private static int number(String text, int min, int max, String what, Map<String, Integer> names) {
        Integer named = names.get(text.toUpperCase(Locale.ROOT));
        if (named != null) {
            return named;
        }
        int value;
        try {
            value = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a number" + (names.isEmpty() ? ""
                    : " or a name (" + String.join(", ", names.keySet().stream().sorted(
                    (a, b) -> names.get(a) - names.get(b)).toList()) + ")") + "; use " + min + "-" + max);
        }
        if (value < min || value > max) {
            throw new IllegalArgumentException(what + " " + value + " is out of range; use " + min + "-" + max);
        }
        return value;
    }

    private static Map<String, Integer> names(List<String> names, int first) {
        java.util.HashMap<String, Integer> map = new java.util.HashMap<>();
        for (int i = 0; i < names.size(); i++) {
            map.put(names.get(i), first + i);
        }
        return Map.copyOf(map);
    }

    @Override
    public String toString() {
        return expression;
    }
}
