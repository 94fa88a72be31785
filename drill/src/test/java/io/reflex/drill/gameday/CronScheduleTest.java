package io.reflex.drill.gameday;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CronScheduleTest {
    private static final ZoneId UTC = ZoneId.of("UTC");
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    private static ZonedDateTime at(String local, ZoneId zone) {
        return java.time.LocalDateTime.parse(local).atZone(zone);
    }

    private static List<String> times(String cron, ZonedDateTime from, int n) {
        CronSchedule schedule = CronSchedule.parse(cron);
        List<String> out = new ArrayList<>();
        ZonedDateTime t = from;
        for (int i = 0; i < n; i++) {
            t = schedule.next(t);
            out.add(t.toOffsetDateTime().toString());
        }
        return out;
    }

    @Test
    void nextIsStrictlyAfterTheGivenTime() {
        assertThat(times("0 * * * *", at("2026-01-01T10:00", UTC), 2))
                .containsExactly("2026-01-01T11:00Z", "2026-01-01T12:00Z");
        assertThat(times("* * * * *", at("2026-01-01T10:00:30", UTC), 1)).containsExactly("2026-01-01T10:01Z");
    }

    @Test
    void stepsOverRangesAndFromAStart() {
        assertThat(times("10-40/15 9 * * *", at("2026-01-01T00:00", UTC), 4)).containsExactly(
                "2026-01-01T09:10Z", "2026-01-01T09:25Z", "2026-01-01T09:40Z", "2026-01-02T09:10Z");
        assertThat(times("50/5 * * * *", at("2026-01-01T00:00", UTC), 3)).containsExactly(
                "2026-01-01T00:50Z", "2026-01-01T00:55Z", "2026-01-01T01:50Z");
        assertThat(times("0 */6 * * *", at("2026-01-01T01:00", UTC), 2)).containsExactly(
                "2026-01-01T06:00Z", "2026-01-01T12:00Z");
    }

    @Test
    void listsAndNamesOfMonthsAndDays() {
        // 2026-01-01 is a Thursday.
        assertThat(times("30 8 * JAN,MAR mon-wed", at("2026-01-01T00:00", UTC), 3)).containsExactly(
                "2026-01-05T08:30Z", "2026-01-06T08:30Z", "2026-01-07T08:30Z");
        assertThat(times("0 0 * * 7", at("2026-01-01T00:00", UTC), 1)).containsExactly("2026-01-04T00:00Z");
        assertThat(times("0 0 * * 0", at("2026-01-01T00:00", UTC), 1)).containsExactly("2026-01-04T00:00Z");
    }

    @Test
    void monthEndsSkipMonthsWithoutTheDay() {
        assertThat(times("0 12 31 * *", at("2026-01-31T12:00", UTC), 3)).containsExactly(
                "2026-03-31T12:00Z", "2026-05-31T12:00Z", "2026-07-31T12:00Z");
        assertThat(times("0 0 29 2 *", at("2026-01-01T00:00", UTC), 2)).containsExactly(
                "2028-02-29T00:00Z", "2032-02-29T00:00Z");
        assertThat(times("59 23 * * *", at("2026-12-31T23:58", UTC), 2)).containsExactly(
                "2026-12-31T23:59Z", "2027-01-01T23:59Z");
    }

    @Test
    void restrictedDayOfMonthAndDayOfWeekMatchEither() {
        // 1st and 15th, and every Friday: Jan 2026 has Fridays on the 2nd, 9th, 16th.
        assertThat(times("0 0 1,15 * FRI", at("2025-12-31T12:00", UTC), 5)).containsExactly(
                "2026-01-01T00:00Z", "2026-01-02T00:00Z", "2026-01-09T00:00Z", "2026-01-15T00:00Z",
                "2026-01-16T00:00Z");
        // A star day-of-week leaves the day-of-month alone.
        assertThat(times("0 0 1,15 * *", at("2025-12-31T12:00", UTC), 2)).containsExactly(
                "2026-01-01T00:00Z", "2026-01-15T00:00Z");
        // A day-of-month that starts with * means both must match (Vixie): odd days that are Mondays.
        assertThat(times("0 0 */2 * MON", at("2026-01-01T00:00", UTC), 2)).containsExactly(
                "2026-01-05T00:00Z", "2026-01-19T00:00Z");
    }

    @Test
    void shortcuts() {
        assertThat(times("@hourly", at("2026-01-01T10:15", UTC), 1)).containsExactly("2026-01-01T11:00Z");
        assertThat(times("@daily", at("2026-01-01T10:15", UTC), 1)).containsExactly("2026-01-02T00:00Z");
        assertThat(times("@weekly", at("2026-01-01T10:15", UTC), 1)).containsExactly("2026-01-04T00:00Z");
    }

    @Test
    void readsTheCronInTheGivenZone() {
        assertThat(times("0 3 * * *", at("2026-01-10T12:00", BERLIN), 1)).containsExactly("2026-01-11T03:00+01:00");
        assertThat(times("0 3 * * *", at("2026-07-10T12:00", BERLIN), 1)).containsExactly("2026-07-11T03:00+02:00");
    }

    @Test
    void aFixedTimeSkippedBySpringForwardRunsAsTheClockJumps() {
        // Berlin, 2026-03-29: 02:00 CET becomes 03:00 CEST; 02:30 does not exist that day.
        assertThat(times("30 2 * * *", at("2026-03-28T12:00", BERLIN), 3)).containsExactly(
                "2026-03-29T03:00+02:00", "2026-03-30T02:30+02:00", "2026-03-31T02:30+02:00");
    }

    @Test
    void aWildcardScheduleSkipsTheMissingHour() {
        assertThat(times("0 * * * *", at("2026-03-29T00:30", BERLIN), 3)).containsExactly(
                "2026-03-29T01:00+01:00", "2026-03-29T03:00+02:00", "2026-03-29T04:00+02:00");
    }

    @Test
    void aFixedTimeRepeatedByFallBackRunsOnce() {
        // Berlin, 2026-10-25: 03:00 CEST becomes 02:00 CET; 02:30 happens twice.
        assertThat(times("30 2 * * *", at("2026-10-24T12:00", BERLIN), 2)).containsExactly(
                "2026-10-25T02:30+02:00", "2026-10-26T02:30+01:00");
    }

    @Test
    void aWildcardScheduleRunsInBothRepeatedHours() {
        assertThat(times("30 * * * *", at("2026-10-25T01:45", BERLIN), 3)).containsExactly(
                "2026-10-25T02:30+02:00", "2026-10-25T02:30+01:00", "2026-10-25T03:30+01:00");
    }

    @Test
    void errorsNameTheBadFieldAndWhatToWrite() {
        assertThatThrownBy(() -> CronSchedule.parse("0 25 * * *"))
                .hasMessageContaining("hour field '25'").hasMessageContaining("0-23");
        assertThatThrownBy(() -> CronSchedule.parse("0 0 * * MOX"))
                .hasMessageContaining("day-of-week field 'MOX'").hasMessageContaining("SUN");
        assertThatThrownBy(() -> CronSchedule.parse("0 0 * JANX *")).hasMessageContaining("month field");
        assertThatThrownBy(() -> CronSchedule.parse("*/0 * * * *"))
                .hasMessageContaining("minute field").hasMessageContaining("step");
        assertThatThrownBy(() -> CronSchedule.parse("0 0 * * FRI-MON")).hasMessageContaining("goes backwards");
        assertThatThrownBy(() -> CronSchedule.parse("0 0 * *")).hasMessageContaining("has 4 fields");
        assertThatThrownBy(() -> CronSchedule.parse("@reboot")).hasMessageContaining("unknown shortcut");
        assertThatThrownBy(() -> CronSchedule.parse("0 0 1,,2 * *")).hasMessageContaining("day-of-month field");
        assertThatThrownBy(() -> CronSchedule.parse("0 0 30 FEB *")).hasMessageContaining("never");
    }
}
