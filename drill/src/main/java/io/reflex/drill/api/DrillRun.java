package io.reflex.drill.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.reflex.drill.DrillReport;
import io.reflex.drill.dr.DrDrillReport;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One drill run as the API shows it: its state, the progress lines so far and, once it ended,
 * its report.
 *
 * @param file     the drill file it came from (its name in the drill dir); null for a drill posted as YAML
 * @param gameday  the id of the GameDay it ran in; null for a run of its own
 * @param drill    the drill's name
 * @param progress lines for people, oldest first
 * @param report   a drill's report; null until the run ended, and always null for a DR drill
 * @param kind     {@code drill} (a live or dry-run drill, or a storm) or {@code dr} (a DR drill)
 * @param drReport a DR drill's report ({@link DrDrillReport}); null until it ended, and for other drills
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DrillRun(
        String id,
        String drill,
        String file,
        String gameday,
        State status,
        Instant queuedAt,
        Instant startedAt,
        Instant finishedAt,
        List<String> progress,
        DrillReport report,
        String kind,
        DrDrillReport drReport) {

    public static final String DRILL = "drill";
    public static final String DR = "dr";

    /** Where a run (or a GameDay) is. */
    public enum State {
        QUEUED, RUNNING, PASSED, FAILED;

        public boolean ended() {
            return this == PASSED || this == FAILED;
        }
    }

    public DrillRun {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(drill, "drill");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(queuedAt, "queuedAt");
        progress = progress == null ? List.of() : List.copyOf(progress);
        kind = kind == null ? DRILL : kind;
    }

    /** A drill's run (not a DR drill). */
    public DrillRun(String id, String drill, String file, String gameday, State status, Instant queuedAt,
            Instant startedAt, Instant finishedAt, List<String> progress, DrillReport report) {
        this(id, drill, file, gameday, status, queuedAt, startedAt, finishedAt, progress, report, DRILL, null);
    }

    /** Whether it ended with a report (a drill's or a DR drill's). */
    public boolean reported() {
        return report != null || drReport != null;
    }

    /** The run without its progress lines and report: one row of the runs list. */
    public Summary summary() {
        if (drReport != null || DR.equals(kind)) {
            return new Summary(id, drill, file, gameday, status, queuedAt, startedAt, finishedAt, DR,
                    drReport == null ? null : drReport.reason(), null, null, null, kind);
        }
        return new Summary(id, drill, file, gameday, status, queuedAt, startedAt, finishedAt,
                report == null ? null : report.mode(),
                report == null ? null : report.reason(), report == null ? null : report.incidentId(),
                report == null ? null : report.phases() != null && report.phases().recoverMs() != null
                        ? report.phases().recoverMs() : null,
                report == null ? null : report.sloMs(), kind);
    }

    /** A row of {@code GET /api/drills}' runs. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Summary(String id, String drill, String file, String gameday, State status, Instant queuedAt,
            Instant startedAt, Instant finishedAt, String mode, String reason, String incidentId, Long recoverMs,
            Long sloMs, String kind) {
    }
}
