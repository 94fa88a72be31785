package io.reflex.drill.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.reflex.drill.gameday.GameDayReport;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One GameDay as the API shows it: its state, progress lines, the ids of the drill runs it made
 * (each an ordinary run, {@code GET /api/drills/runs/{id}}) and, once it ended, its report.
 *
 * @param file    the GameDay file's name in the drill dir
 * @param planned how many drill runs the file asks for
 * @param runs    the ids of its drill runs so far, in the order they ran
 * @param report  null until it ended; PASSED means every drill run passed
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GameDayRun(
        String id,
        String name,
        String file,
        DrillRun.State status,
        Instant queuedAt,
        Instant startedAt,
        Instant finishedAt,
        int planned,
        List<String> runs,
        List<String> progress,
        GameDayReport report) {

    public GameDayRun {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(queuedAt, "queuedAt");
        runs = runs == null ? List.of() : List.copyOf(runs);
        progress = progress == null ? List.of() : List.copyOf(progress);
    }

    /** One row of {@code GET /api/drills}' gamedays: the counts, coverage and MTTR p50 once it ended. */
    public Summary summary() {
        GameDayReport.Totals t = report == null ? null : report.totals();
        return new Summary(id, name, file, status, queuedAt, startedAt, finishedAt, planned, runs.size(),
                t == null ? null : t.passed(), t == null ? null : t.failed(),
                t == null ? null : t.faultsInjected(), t == null ? null : t.faultsHealed(),
                t == null ? null : t.coveragePercent(), t == null ? null : t.mttr().p50Ms(),
                report == null ? null : report.stopped());
    }

    /** A row of {@code GET /api/drills}' gamedays. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Summary(String id, String name, String file, DrillRun.State status, Instant queuedAt,
            Instant startedAt, Instant finishedAt, int planned, int drillsRun, Integer passed, Integer failed,
            Integer faultsInjected, Integer faultsHealed, Double coveragePercent, Long mttrP50Ms, String stopped) {
    }
}
