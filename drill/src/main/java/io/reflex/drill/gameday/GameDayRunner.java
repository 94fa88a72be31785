package io.reflex.drill.gameday;

import io.reflex.drill.DrillDefinition;
import io.reflex.drill.DrillReport;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs a GameDay: its drills one after another, each as many times as it says, with its pause
 * after each run. A drill that throws is recorded as a failed run with the exception's message and
 * the GameDay goes on; a failed run of a {@code stopOnFailure} drill ends it. Every log line carries
 * the GameDay id (MDC {@code gamedayId}, and the message).
 */
public final class GameDayRunner {
    private static final Logger LOG = LoggerFactory.getLogger(GameDayRunner.class);
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    /** Runs one drill to its report; in production {@code DrillRunner::run}. */
    @FunctionalInterface
    public interface DrillRun {
        DrillReport run(DrillDefinition drill);
    }

    /** Waits between runs; in production {@link #SLEEP}, in tests something that does not. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    /** Told about each run as it starts and ends, e.g. to keep metrics ({@link DrillMetrics#listener()}). */
    public interface Listener {
        default void drillStarted(DrillDefinition drill) {
        }

        default void drillFinished(DrillDefinition drill, DrillReport report) {
        }
    }

    public static final Sleeper SLEEP = d -> Thread.sleep(d.toMillis());
    public static final Listener NO_LISTENER = new Listener() {
    };

    private final DrillRun drills;
    private final Clock clock;
    private final Sleeper sleeper;
    private final Listener listener;

    public GameDayRunner(DrillRun drills, Clock clock, Sleeper sleeper, Listener listener) {
        this.drills = Objects.requireNonNull(drills, "drills");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /** With the real sleep and no listener. */
    public GameDayRunner(DrillRun drills, Clock clock) {
        this(drills, clock, SLEEP, NO_LISTENER);
    }

    /**
     * Runs every drill of {@code gameDay} and returns the report. When the thread is interrupted
     * (during a pause) the GameDay ends there with what ran so far, and the interrupt flag is kept.
     */
    public GameDayReport run(GameDay gameDay) {
        Instant startedAt = clock.instant();
        return run(gameDay, GameDayReport.idFor(gameDay.name(), startedAt), startedAt);
    }

    /**
     * Like {@link #run(GameDay)}, under an id the caller gave the GameDay before it started (the
     * drill API's, given when it was queued): on the log lines and the report.
     */
    public GameDayReport run(GameDay gameDay, String id) {
        return run(gameDay, Objects.requireNonNull(id, "id"), clock.instant());
    }

    private GameDayReport run(GameDay gameDay, String id, Instant startedAt) {
        try (MDC.MDCCloseable ignored = MDC.putCloseable("gamedayId", id)) {
            return runAll(gameDay, id, startedAt);
        }
    }

    private GameDayReport runAll(GameDay gameDay, String id, Instant startedAt) {
        int total = gameDay.runs();
        LOG.info("gameday {}: {} drill runs from {} entries", id, total, gameDay.entries().size());
        List<DrillReport> reports = new ArrayList<>();
        String stopped = null;
        int n = 0;
        runs:
        for (GameDay.Entry entry : gameDay.entries()) {
            for (int r = 0; r < entry.repeat(); r++) {
                n++;
                DrillReport report = runOne(id, n, total, entry.drill());
                reports.add(report);
                if (!report.passed() && entry.stopOnFailure()) {
                    stopped = "drill " + n + "/" + total + " (" + entry.drill().name() + ") failed and its entry has"
                            + " stopOnFailure: " + (total - n) + " run" + (total - n == 1 ? "" : "s") + " not made";
                    LOG.info("gameday {}: stopping: {}", id, stopped);
                    break runs;
                }
                if (n < total && !entry.pauseBetween().isZero()) {
                    try {
                        sleeper.sleep(entry.pauseBetween());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        stopped = "interrupted after drill " + n + "/" + total + ": " + (total - n) + " run"
                                + (total - n == 1 ? "" : "s") + " not made";
                        LOG.info("gameday {}: {}", id, stopped);
                        break runs;
                    }
                }
            }
        }
        GameDayReport of = GameDayReport.of(gameDay.name(), startedAt, clock.instant(), total, stopped, reports);
        GameDayReport report = new GameDayReport(id, of.name(), of.startedAt(), of.finishedAt(), of.planned(),
                of.stopped(), of.drills(), of.totals());
        GameDayReport.Totals t = report.totals();
        LOG.info("gameday {}: done: {} run, {} passed, {} failed; coverage {}; MTTR p50 {}", id, t.drillsRun(),
                t.passed(), t.failed(), GameDayReport.coverageText(t), GameDayReport.human(t.mttr().p50Ms()));
        return report;
    }

    private DrillReport runOne(String id, int n, int total, DrillDefinition drill) {
        LOG.info("gameday {}: drill {}/{}: {} ...", id, n, total, drill.name());
        listener.drillStarted(drill);
        Instant start = clock.instant();
        DrillReport report;
        try {
            report = Objects.requireNonNull(drills.run(drill), "the drill runner returned no report");
        } catch (RuntimeException e) {
            LOG.warn("gameday {}: drill {}/{}: {} threw: {}", id, n, total, drill.name(), e.toString(), e);
            report = threw(drill, start, e);
        }
        String took = GameDayReport.human(Duration.between(start, clock.instant()).toMillis());
        LOG.info("gameday {}: drill {}/{}: {} ... {} {}{}", id, n, total, drill.name(),
                report.passed() ? "PASS" : "FAIL", took, report.passed() ? "" : ": " + report.reason());
        listener.drillFinished(drill, report);
        return report;
    }

    /** The report of a drill whose runner threw: failed, in the drill's mode, nothing known injected, the exception as the reason. */
    private DrillReport threw(DrillDefinition drill, Instant start, RuntimeException e) {
        String message = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
        return new DrillReport(drill.name(), "drill-" + drill.name() + "-" + ID_TIME.format(start),
                drill.fault().describe(), drill.fault().resourceKey(), null, null, drill.slo().toMillis(),
                drill.expect().describe(), List.of(), List.of(), null, false,
                "the drill stopped with an error: " + message + " (see the log of this GameDay for the stack trace)",
                false, null, clock.instant(), drill.mode().word(), false, null, List.of(), null);
    }
}
