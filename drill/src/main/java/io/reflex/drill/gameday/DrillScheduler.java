package io.reflex.drill.gameday;

import io.reflex.drill.DrillFile;
import io.reflex.drill.DrillProblem;
import io.reflex.drill.DrillReport;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs drills and GameDays on their cron schedules, on one daemon thread, so two never run at once:
 * a run that comes due while another is going is skipped (and logged), not queued; schedules due at
 * the same moment run one after the other. Each run's outcome goes to a callback. {@link #close()}
 * stops the thread.
 */
public final class DrillScheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DrillScheduler.class);
    private static final Duration CLOSE_BOUND = Duration.ofSeconds(10);
    /** A sleeping waiter checks the clock at least this often, so a clock that jumps is followed. */
    private static final Duration MAX_NAP = Duration.ofMinutes(1);

    /** Runs what a schedule names. */
    @FunctionalInterface
    public interface Job {
        Outcome run(Schedule schedule) throws Exception;
    }

    /** Waits until an instant of the scheduler's clock. */
    @FunctionalInterface
    public interface Waiter {
        void waitUntil(Instant instant) throws InterruptedException;
    }

    /**
     * One scheduled run: a drill report, a GameDay report, or the error that stopped it (one of the three).
     *
     * @param dueAt when the schedule wanted it
     */
    public record Outcome(Schedule schedule, Instant dueAt, Instant startedAt, DrillReport drill,
            GameDayReport gameDay, String error) {
        public static Outcome of(Schedule schedule, DrillReport drill) {
            return new Outcome(schedule, null, null, drill, null, null);
        }

        public static Outcome of(Schedule schedule, GameDayReport gameDay) {
            return new Outcome(schedule, null, null, null, gameDay, null);
        }

        public static Outcome failed(Schedule schedule, String error) {
            return new Outcome(schedule, null, null, null, null, error);
        }

        Outcome at(Instant due, Instant started) {
            return new Outcome(schedule, due, started, drill, gameDay, error);
        }

        /** A drill or GameDay ran and passed (a GameDay passes when all its runs did). */
        public boolean passed() {
            return drill != null ? drill.passed() : gameDay != null && gameDay.totals().failed() == 0
                    && gameDay.stopped() == null;
        }
    }

    private final List<Entry> entries;
    private final Job job;
    private final Consumer<Outcome> reports;
    private final Clock clock;
    private final Waiter waiter;
    private final Thread thread;
    private volatile boolean closed;

    /**
     * @param reports gets each run's outcome, on the scheduler's thread
     * @throws IllegalArgumentException with every problem of {@code schedules}
     */
    public DrillScheduler(List<Schedule> schedules, Job job, Consumer<Outcome> reports, Clock clock, Waiter waiter) {
        this.job = Objects.requireNonNull(job, "job");
        this.reports = Objects.requireNonNull(reports, "reports");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.waiter = Objects.requireNonNull(waiter, "waiter");
        List<DrillProblem> problems = new ArrayList<>();
        for (int i = 0; i < schedules.size(); i++) {
            problems.addAll(schedules.get(i).validate("schedules[" + i + "]"));
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("drill schedules: " + problems.size() + " problem"
                    + (problems.size() == 1 ? "" : "s") + "\n" + problems.stream().map(p -> "  " + p)
                    .collect(Collectors.joining("\n")));
        }
        this.entries = schedules.stream().map(s -> new Entry(s, s.cronSchedule())).toList();
        this.thread = new Thread(this::loop, "reflex-drill-scheduler");
        thread.setDaemon(true);
    }

    /** With a waiter that sleeps on the real thread until {@code clock} reaches the instant. */
    public DrillScheduler(List<Schedule> schedules, Job job, Consumer<Outcome> reports, Clock clock) {
        this(schedules, job, reports, clock, sleeping(clock));
    }

    /**
     * The production job: reads the schedule's file (relative to {@code dir}) each time it runs, so
     * edits apply to the next run; a file with {@code drills:} is a GameDay, anything else one drill.
     */
    public static Job files(Path dir, GameDayRunner.DrillRun drills, GameDayRunner gameDays) {
        return schedule -> {
            Path file = dir.resolve(schedule.file());
            if (GameDayFile.isGameDay(file)) {
                return Outcome.of(schedule, gameDays.run(GameDayFile.read(file)));
            }
            return Outcome.of(schedule, drills.run(DrillFile.read(file)));
        };
    }

    /** Sleeps until {@code clock} reaches the instant, a minute at most at a time. */
    public static Waiter sleeping(Clock clock) {
        return until -> {
            while (true) {
                Duration left = Duration.between(clock.instant(), until);
                if (left.isZero() || left.isNegative()) {
                    return;
                }
                Thread.sleep(Math.max(1, (left.compareTo(MAX_NAP) > 0 ? MAX_NAP : left).toMillis()));
            }
        };
    }

    /** Starts the scheduler's thread; once. */
    public synchronized void start() {
        if (thread.getState() != Thread.State.NEW) {
            throw new IllegalStateException("the drill scheduler was started already");
        }
        thread.start();
    }

    /** Stops the thread (interrupting a wait or a run) and waits for it a little. */
    @Override
    public void close() {
        closed = true;
        if (thread.getState() == Thread.State.NEW) {
            return;
        }
        thread.interrupt();
        try {
            thread.join(CLOSE_BOUND.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("drill scheduler: a run is still going after {}; left to end on its own (daemon thread)",
                    GameDayReport.human(CLOSE_BOUND.toMillis()));
        }
    }

    private void loop() {
        Instant now = clock.instant();
        for (Entry e : entries) {
            e.next = e.nextAfter(now);
            LOG.info("drill scheduler: next run of {} ({} {}) at {}", e.schedule.name(), e.cron, e.zoneText(),
                    e.nextText());
        }
        try {
            while (!closed && !entries.isEmpty()) {
                Entry due = entries.get(0);
                for (Entry e : entries) {
                    if (e.next.isBefore(due.next)) {
                        due = e;
                    }
                }
                waiter.waitUntil(due.next);
                if (closed) {
                    break;
                }
                runOne(due);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("drill scheduler: stopped");
    }

    private void runOne(Entry entry) {
        Instant dueAt = entry.next;
        Instant start = clock.instant();
        String name = entry.schedule.name();
        LOG.info("drill scheduler: running {} (due {}): {}", name, dueAt, entry.schedule.file());
        Outcome outcome;
        try {
            outcome = Objects.requireNonNull(job.run(entry.schedule), "the job returned no outcome");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            outcome = Outcome.failed(entry.schedule, "interrupted: the scheduler was closed during the run");
        } catch (Exception e) {
            LOG.warn("drill scheduler: {} failed: {}", name, e.getMessage(), e);
            outcome = Outcome.failed(entry.schedule, e.getMessage() == null ? e.toString() : e.getMessage());
        }
        outcome = outcome.at(dueAt, start);
        Instant end = clock.instant();
        LOG.info("drill scheduler: {} done in {}: {}", name, GameDayReport.human(Duration.between(start, end).toMillis()),
                outcome.error() != null ? "error: " + outcome.error() : outcome.passed() ? "passed" : "failed");
        try {
            reports.accept(outcome);
        } catch (RuntimeException e) {
            LOG.warn("drill scheduler: the report callback for {} failed: {}", name, e.getMessage(), e);
        }
        end = clock.instant();
        for (Entry e : entries) {
            Instant from = e == entry ? dueAt : start;
            Instant next = e == entry ? e.nextAfter(dueAt) : e.next;
            int skipped = 0;
            Instant firstSkipped = null;
            // Due while this run was going (a tie with its start is not: it runs next).
            while (next.isAfter(from) && !next.isAfter(end)) {
                if (firstSkipped == null) {
                    firstSkipped = next;
                }
                skipped++;
                next = e.nextAfter(next);
            }
            if (skipped > 0) {
                LOG.info("drill scheduler: skipped {} run{} of {} (the first due at {}): {} was running from {} to {};"
                                + " runs never overlap", skipped, skipped == 1 ? "" : "s", e.schedule.name(), firstSkipped,
                        name, start, end);
            }
            if (!next.equals(e.next)) {
                e.next = next;
                LOG.info("drill scheduler: next run of {} at {}", e.schedule.name(), e.nextText());
            }
        }
    }

    /** A schedule and when it runs next. Only the scheduler's thread touches {@code next}. */
    private static final class Entry {
        final Schedule schedule;
        final CronSchedule cron;
        Instant next;

        Entry(Schedule schedule, CronSchedule cron) {
            this.schedule = schedule;
            this.cron = cron;
        }

        Instant nextAfter(Instant t) {
            return cron.next(t.atZone(schedule.zoneId())).toInstant();
        }

        String nextText() {
            return next.atZone(schedule.zoneId()).toOffsetDateTime() + " (" + next + ")";
        }

        String zoneText() {
            return schedule.zoneId().getId();
        }
    }
}
