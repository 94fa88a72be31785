package io.reflex.drill.gameday;

import io.reflex.drill.DrillProblem;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * One scheduled drill or GameDay, as configured ({@code drill.schedules}).
 *
 * @param name a name for log lines, e.g. {@code nightly}
 * @param cron five-field cron ({@link CronSchedule}), e.g. {@code 0 3 * * MON-FRI}
 * @param zone the time zone the cron is read in, e.g. {@code Europe/Berlin}; null means UTC
 * @param file a GameDay file or a drill file (relative paths: to the drill directory)
 */
public record Schedule(String name, String cron, String zone, String file) {

    /** Every problem, each with its path under {@code path} (e.g. {@code drill.schedules[0].cron}). */
    public List<DrillProblem> validate(String path) {
        List<DrillProblem> problems = new ArrayList<>();
        if (name == null || name.isBlank()) {
            problems.add(new DrillProblem(path + ".name", "is missing; name the schedule (it is on its log lines)"));
        }
        if (cron == null || cron.isBlank()) {
            problems.add(new DrillProblem(path + ".cron", "is missing; write five cron fields, e.g. '0 3 * * MON-FRI',"
                    + " or @daily"));
        } else {
            try {
                CronSchedule.parse(cron);
            } catch (IllegalArgumentException e) {
                problems.add(new DrillProblem(path + ".cron", e.getMessage()));
            }
        }
        if (zone != null && !zone.isBlank()) {
            try {
                ZoneId.of(zone.trim());
            } catch (DateTimeException e) {
                problems.add(new DrillProblem(path + ".zone", "'" + zone + "' is not a time zone; write a region such"
                        + " as Europe/Berlin or UTC"));
            }
        }
        if (file == null || file.isBlank()) {
            problems.add(new DrillProblem(path + ".file", "is missing; write the GameDay or drill file to run"));
        }
        return problems;
    }

    /** @throws IllegalArgumentException when the cron is not valid ({@link #validate}) */
    public CronSchedule cronSchedule() {
        return CronSchedule.parse(cron);
    }

    /** UTC when no zone is given. */
    public ZoneId zoneId() {
        return zone == null || zone.isBlank() ? ZoneOffset.UTC : ZoneId.of(zone.trim());
    }
}
