package io.reflex.drill.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.reflex.drill.DrillReport;
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
 * @param report   null until the run ended
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
        DrillReport report) {

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
    }

    /** The run without its progress lines and report: one row of the runs list. */
    public Summary summary() {
        return new Summary(id, drill, file, gameday, status, queuedAt, startedAt, finishedAt,
                report == null ? null : report.mode(),
                report == null ? null : report.reason(), report == null ? null : report.incidentId(),
                report == null ? null : report.phases() != null && report.phases().recoverMs() != null
                        ? report.phases().recoverMs() : null,
                report == null ? null : report.sloMs());
    }

    /** A row of {@code GET /api/drills}' runs. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Summary(String id, String drill, String file, String gameday, State status, Instant queuedAt,
            Instant startedAt, Instant finishedAt, String mode, String reason, String incidentId, Long recoverMs,
            Long sloMs) {
    }
}
