package io.reflex.remediator.guard;

import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * A maintenance window: actions its matchers match are held while it is open. Either weekly
 * ({@code days}, {@code start} HH:MM local time, {@code duration}, {@code timeZone}) or once
 * ({@code from}, {@code until}).
 *
 * @param days     MON..SUN (or full names); empty: every day
 * @param timeZone an IANA zone such as Europe/Paris; UTC when absent
 */
public record MaintenanceWindow(String name, List<LabelMatcher> matchers, List<String> days, String start,
        String duration, String timeZone, Instant from, Instant until) {

    public MaintenanceWindow {
        matchers = Checks.list(matchers);
        days = Checks.list(days);
        timeZone = timeZone == null ? "UTC" : timeZone;
    }

    public boolean recurring() {
        return start != null || duration != null || !days.isEmpty();
    }

    /** When the window open at {@code now} closes, or empty if it is closed now. */
    public Optional<Instant> openUntil(Instant now) {
        if (!recurring()) {
            boolean open = from != null && until != null && !now.isBefore(from) && now.isBefore(until);
            return open ? Optional.of(until) : Optional.empty();
        }
        Duration length = Checks.durationOrNull(duration);
        LocalTime startTime = timeOrNull(start);
        ZoneId zone = zoneOrNull(timeZone);
        if (length == null || startTime == null || zone == null) {
            return Optional.empty(); // invalid: validate reports it and the app does not start
        }
        Set<DayOfWeek> on = dayset(days);
        LocalDate today = now.atZone(zone).toLocalDate();
        Instant end = null;
        // A window opened on an earlier day may still be open (it crosses midnight, or lasts days).
        for (long back = 0; back <= length.toDays() + 1; back++) {
            LocalDate day = today.minusDays(back);
            if (!on.isEmpty() && !on.contains(day.getDayOfWeek())) {
                continue;
            }
            Instant opens = ZonedDateTime.of(day, startTime, zone).toInstant();
            Instant closes = opens.plus(length);
            if (!now.isBefore(opens) && now.isBefore(closes) && (end == null || closes.isAfter(end))) {
                end = closes;
            }
        }
        return Optional.ofNullable(end);
    }

    public List<String> validate(String path) {
        List<String> problems = new ArrayList<>();
        if (name == null || name.isBlank()) {
            problems.add(path + ".name is required (it names the window on the timeline)");
        }
        LabelMatcher.validateAll(matchers, path + ".matchers", problems);
        if (recurring()) {
            if (from != null || until != null) {
                problems.add(path + ": give either a weekly window (days, start, duration) or a one-off one"
                        + " (from, until), not both");
            }
            if (start == null) {
                problems.add(path + ".start is required for a weekly window (HH:MM local time)");
            } else if (timeOrNull(start) == null) {
                problems.add(path + ".start: '" + start + "' is not a time of day; write HH:MM such as 02:30");
            }
            Checks.positiveDuration(duration, path + ".duration", problems);
            Duration length = Checks.durationOrNull(duration);
            if (length != null && length.compareTo(Duration.ofDays(7)) > 0) {
                problems.add(path + ".duration must be at most 7d for a weekly window, got " + duration);
            }
            for (int i = 0; i < days.size(); i++) {
                if (dayOrNull(days.get(i)) == null) {
                    problems.add(path + ".days[" + i + "]: '" + days.get(i) + "' is not a day; use MON, TUE, WED,"
                            + " THU, FRI, SAT or SUN");
                }
            }
            if (zoneOrNull(timeZone) == null) {
                problems.add(path + ".timeZone: '" + timeZone + "' is not a time zone; use an IANA name such as"
                        + " Europe/Paris or UTC");
            }
        } else if (from == null || until == null) {
            problems.add(path + ": give days/start/duration for a weekly window, or from and until for a one-off one");
        } else if (!from.isBefore(until)) {
            problems.add(path + ".until must be after from (" + from + "), got " + until);
        }
        return problems;
    }

    private static Set<DayOfWeek> dayset(List<String> names) {
        Set<DayOfWeek> set = EnumSet.noneOf(DayOfWeek.class);
        for (String n : names) {
            DayOfWeek d = dayOrNull(n);
            if (d != null) {
                set.add(d);
            }
        }
        return set;
    }

    private static DayOfWeek dayOrNull(String name) {
        if (name == null || name.trim().length() < 3) {
            return null;
        }
        String n = name.trim().toUpperCase(Locale.ROOT);
        for (DayOfWeek d : DayOfWeek.values()) {
            if (d.name().equals(n) || d.name().substring(0, 3).equals(n)) {
                return d;
            }
        }
        return null;
    }

    private static LocalTime timeOrNull(String text) {
        try {
            return text == null ? null : LocalTime.parse(text.trim());
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static ZoneId zoneOrNull(String zone) {
        try {
            return ZoneId.of(zone);
        } catch (DateTimeException e) {
            return null;
        }
    }
}
