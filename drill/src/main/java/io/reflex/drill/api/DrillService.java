package io.reflex.drill.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.reflex.drill.DrillDefinition;
import io.reflex.drill.DrillFile;
import io.reflex.drill.DrillFileException;
import io.reflex.drill.DrillProblem;
import io.reflex.drill.DrillReport;
import io.reflex.drill.dr.DrDrill;
import io.reflex.drill.dr.DrDrillFile;
import io.reflex.drill.dr.DrDrillReport;
import io.reflex.drill.gameday.DrillMetrics;
import io.reflex.drill.gameday.DrillScheduler;
import io.reflex.drill.gameday.GameDay;
import io.reflex.drill.gameday.GameDayFile;
import io.reflex.drill.gameday.GameDayReport;
import io.reflex.drill.gameday.GameDayRunner;
import io.reflex.drill.gameday.Schedule;
import io.reflex.model.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs drills one at a time on a worker thread of its own (a drill blocks for minutes, and two at
 * once would grade each other's faults), from a bounded queue. It keeps every run's state and
 * progress lines in memory, and each ended run's report as {@code <dir>/runs/<runId>.json} (the
 * {@link DrillReport} JSON, plus the run's {@code runId}, {@code file}, {@code queuedAt},
 * {@code startedAt} and {@code progress}), reloaded at start; past {@code maxRuns} the oldest
 * reports are deleted. Runs still queued or running when it stops are not resumed: a drill
 * injects a real fault, and nobody asked for it again.
 *
 * <p>GameDays (a file of the dir with {@code drills:}) queue on the same worker: their drills run
 * one after another, each recorded as an ordinary run with the GameDay's id on it, and the
 * GameDay's report is kept as {@code <dir>/gamedays/<id>.json} (the {@link GameDayReport} JSON plus
 * {@code file}, {@code queuedAt}, {@code runs} and {@code progress}), reloaded and pruned like runs.
 * Every finished drill run, and each GameDay's coverage, goes to the {@link DrillMetrics} when given.
 *
 * <p>DR drills (a file with {@code kind: dr}) run on the same worker through the {@link DrExecutor},
 * one thing at a time like the rest: each is an ordinary run with {@code kind: dr} whose report is
 * the {@link DrDrillReport} (under {@code drReport}; stored as that JSON plus {@code kind: dr} and
 * the run fields above, the run's start as {@code runStartedAt}). They are not counted in the drill metrics, which grade faults healed.
 *
 * <p>It also lists the drill files of {@code <dir>} ({@code *.yaml}, {@code *.yml}).
 */
public final class DrillService implements AutoCloseable {
    public static final int DEFAULT_QUEUE_CAPACITY = 20;
    /** Progress lines kept per run: a runaway drill must not fill the heap. */
    static final int MAX_PROGRESS_LINES = 1000;
    private static final Logger LOG = LoggerFactory.getLogger(DrillService.class);
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter LINE_TIME = DateTimeFormatter.ofPattern("HH:mm:ss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]*\\.ya?ml");
    private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final long STOP_BOUND_SECONDS = 10;

    private final Path dir;
    private final Path runsDir;
    private final Path gamedaysDir;
    private final int maxRuns;
    private final int queueCapacity;
    private final DrillExecutor executor;
    private final DrExecutor drExecutor;
    private final DrillMetrics metrics;
    private final GameDayRunner.Sleeper sleeper;
    private final Clock clock;
    /** Every run known, by id; guarded by {@code this}. */
    private final Map<String, MutableRun> runs = new LinkedHashMap<>();
    /** Every GameDay known, by id; guarded by {@code this}. */
    private final Map<String, MutableGameDay> gamedays = new LinkedHashMap<>();
    private final BlockingQueue<Queued> queue = new LinkedBlockingQueue<>();
    private Thread worker;
    private volatile boolean stopping;

    /**
     * @param dir           the drill dir: drill files in it, reports in {@code dir/runs}
     * @param maxRuns       ended runs kept (in memory and on disk); the oldest go first
     * @param queueCapacity runs that may wait for the worker; more are refused
     */
    public DrillService(Path dir, int maxRuns, int queueCapacity, DrillExecutor executor, Clock clock) {
        this(dir, maxRuns, queueCapacity, executor, null, GameDayRunner.SLEEP, clock);
    }

    /**
     * @param metrics gets every finished drill run and GameDay; null for none
     * @param sleeper waits the pauses between a GameDay's drills ({@link GameDayRunner#SLEEP})
     */
    public DrillService(Path dir, int maxRuns, int queueCapacity, DrillExecutor executor, DrillMetrics metrics,
            GameDayRunner.Sleeper sleeper, Clock clock) {
        this(dir, maxRuns, queueCapacity, executor, null, metrics, sleeper, clock);
    }

    /** @param drExecutor runs DR drills ({@code kind: dr}); null when this service runs none (they are refused) */
    public DrillService(Path dir, int maxRuns, int queueCapacity, DrillExecutor executor, DrExecutor drExecutor,
            DrillMetrics metrics, GameDayRunner.Sleeper sleeper, Clock clock) {
        if (maxRuns < 1 || queueCapacity < 1) {
            throw new IllegalArgumentException("maxRuns and queueCapacity must be at least 1");
        }
        this.dir = dir.toAbsolutePath().normalize();
        this.runsDir = this.dir.resolve("runs");
        this.gamedaysDir = this.dir.resolve("gamedays");
        this.maxRuns = maxRuns;
        this.queueCapacity = queueCapacity;
        this.executor = Objects.requireNonNull(executor, "executor");
        this.drExecutor = drExecutor;
        this.metrics = metrics;
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Creates the directories, reloads the stored reports and starts the worker. */
    public synchronized DrillService start() {
        try {
            Files.createDirectories(runsDir);
            Files.createDirectories(gamedaysDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the drill dir " + runsDir + "; set drill.dir to a"
                    + " directory Reflex may write", e);
        }
        List<MutableRun> loaded = load();
        loaded.sort(Comparator.comparing((MutableRun r) -> r.queuedAt).thenComparing(r -> r.id));
        loaded.forEach(r -> runs.put(r.id, r));
        List<MutableGameDay> loadedDays = loadGameDays();
        loadedDays.sort(Comparator.comparing((MutableGameDay g) -> g.queuedAt).thenComparing(g -> g.id));
        loadedDays.forEach(g -> gamedays.put(g.id, g));
        prune();
        LOG.info("Drills: {} stored runs and {} GameDays reloaded from {}; drill files in {}", loaded.size(),
                loadedDays.size(), dir, dir);
        worker = new Thread(this::work, "reflex-drill");
        worker.setDaemon(true);
        worker.start();
        return this;
    }

    public Path dir() {
        return dir;
    }

    /** Whether the worker is alive: runs queued now will run. */
    public boolean running() {
        Thread w = worker;
        return w != null && w.isAlive() && !stopping;
    }

    // --- drill files ----------------------------------------------------------------------

    /** The drill files of the dir, by name, each parsed: what it does, or its problems. */
    public List<DrillFileInfo> files() {
        List<Path> paths = new ArrayList<>();
        try (DirectoryStream<Path> found = Files.newDirectoryStream(dir, "*.{yaml,yml}")) {
            found.forEach(p -> {
                if (Files.isRegularFile(p)) {
                    paths.add(p);
                }
            });
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the drill dir " + dir, e);
        }
        paths.sort(Comparator.comparing(p -> p.getFileName().toString()));
        return paths.stream().map(this::info).toList();
    }

    private DrillFileInfo info(Path file) {
        String name = file.getFileName().toString();
        if (isDrFile(file)) {
            try {
                DrDrill drill = DrDrillFile.read(file);
                List<String> problems = drExecutor == null ? List.of("kind: this Reflex runs no DR drills")
                        : drExecutor.problems(drill).stream().map(Object::toString).toList();
                return DrillFileInfo.dr(name, drill.name(), drill.describe(), problems);
            } catch (DrillFileException e) {
                return DrillFileInfo.dr(name, null, null, e.problems().stream().map(Object::toString).toList());
            } catch (RuntimeException e) {
                return DrillFileInfo.dr(name, null, null, List.of("(file): " + e.getMessage()));
            }
        }
        if (GameDayFile.isGameDay(file)) {
            try {
                GameDay gameDay = readGameDay(name);
                return DrillFileInfo.gameDay(name, gameDay.name(), gameDay.runs(), List.of());
            } catch (DrillFileException e) {
                return DrillFileInfo.gameDay(name, null, null, e.problems().stream().map(Object::toString).toList());
            } catch (RuntimeException e) {
                return DrillFileInfo.gameDay(name, null, null, List.of("(file): " + e.getMessage()));
            }
        }
        try {
            DrillDefinition drill = DrillFile.read(file);
            return DrillFileInfo.drill(name, drill.name(), drill.mode().name().toLowerCase(Locale.ROOT).replace('_', '-'),
                    drill.fault().describe(), drill.fault().resourceKey(), drill.expect().describe(),
                    drill.slo().toMillis(), List.of());
        } catch (DrillFileException e) {
            return DrillFileInfo.drill(name, null, null, null, null, null, null,
                    e.problems().stream().map(Object::toString).toList());
        } catch (RuntimeException e) {
            return DrillFileInfo.drill(name, null, null, null, null, null, null, List.of("(file): " + e.getMessage()));
        }
    }

    /**
     * Reads a drill file of the dir by its name.
     *
     * @throws IllegalArgumentException the name is not a plain file name of the dir, or no such file
     * @throws DrillFileException       the file has problems (every one)
     */
    public DrillDefinition readFile(String fileName) {
        return DrillFile.read(fileOfDir(fileName));
    }

    /** Whether the named file of the dir is a DR drill ({@code kind: dr}). */
    public boolean isDr(String fileName) {
        return isDrFile(fileOfDir(fileName));
    }

    private static boolean isDrFile(Path file) {
        try {
            return DrDrillFile.isDr(Files.readString(file));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Whether the named file of the dir is a GameDay (it has {@code drills:}) rather than one drill. */
    public boolean isGameDay(String fileName) {
        return GameDayFile.isGameDay(fileOfDir(fileName));
    }

    /**
     * Reads a GameDay file of the dir by its name, with its drill files; those must be in the dir
     * too (relative paths resolve inside it).
     *
     * @throws IllegalArgumentException the name is not a plain file name of the dir, or no such file
     * @throws DrillFileException       the GameDay or its drill files have problems (every one)
     */
    public GameDay readGameDay(String fileName) {
        Path file = fileOfDir(fileName);
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new DrillFileException(fileName, List.of(new DrillProblem("(file)", "cannot be read: "
                    + e.getMessage())));
        }
        return GameDayFile.parse(text, fileName, path -> {
            Path drill = dir.resolve(path).normalize();
            if (!drill.startsWith(dir) || drill.equals(dir)) {
                // Refused before it is read: a GameDay names only drills of the drill dir.
                throw new DrillFileException(path.toString(), List.of(new DrillProblem("(file)",
                        "is outside the drill dir " + dir + "; a GameDay runs only drill files of that dir")));
            }
            return DrillFile.read(drill);
        }, dir);
    }

    private Path fileOfDir(String fileName) {
        if (fileName == null || fileName.isBlank()) {
            throw new IllegalArgumentException("file: give the name of a drill file in the drill dir, e.g."
                    + " kill-demo-shop.yaml");
        }
        if (fileName.contains("/") || fileName.contains("\\") || fileName.contains("..")) {
            throw new IllegalArgumentException("file: '" + fileName + "' is a path; give only the name of a drill"
                    + " file in the drill dir (no '/', '\\' or '..')");
        }
        if (!FILE_NAME.matcher(fileName).matches()) {
            throw new IllegalArgumentException("file: '" + fileName + "' is not a drill file name: letters, digits,"
                    + " '.', '_' and '-', ending in .yaml");
        }
        Path file = dir.resolve(fileName).normalize();
        if (!dir.equals(file.getParent()) || !Files.isRegularFile(file)) {
            throw new IllegalArgumentException("file: there is no drill file '" + fileName + "' in " + dir
                    + "; the files there are " + files().stream().map(DrillFileInfo::file).toList());
        }
        return file;
    }

    // --- runs ----------------------------------------------------------------------------

    /** What a submission queued: a drill run or a GameDay. */
    public record Submitted(String id, String kind, DrillRun.State status, String name) {
    }

    /**
     * Queues the named file of the dir: a GameDay when it has {@code drills:}, else one drill.
     *
     * @throws IllegalArgumentException the name is not a file of the dir
     * @throws DrillFileException       the file (or a drill of the GameDay) has problems, or cannot run here
     * @throws QueueFullException       when {@code queueCapacity} runs already wait
     */
    public Submitted submitFile(String fileName) {
        if (isDr(fileName)) {
            DrillRun run = submitDr(DrDrillFile.read(fileOfDir(fileName)), fileName);
            return new Submitted(run.id(), DrillFileInfo.DR, run.status(), run.drill());
        }
        if (isGameDay(fileName)) {
            GameDayRun gameDay = submitGameDay(readGameDay(fileName), fileName);
            return new Submitted(gameDay.id(), DrillFileInfo.GAMEDAY, gameDay.status(), gameDay.name());
        }
        DrillRun run = submit(readFile(fileName), fileName);
        return new Submitted(run.id(), DrillFileInfo.DRILL, run.status(), run.drill());
    }

    /**
     * Queues a run of the drill.
     *
     * @param file the drill file's name, or null for a drill sent as text
     * @throws DrillFileException when the executor cannot run the drill ({@link DrillExecutor#problems})
     * @throws QueueFullException when {@code queueCapacity} runs already wait
     * @throws IllegalStateException when the service is not running
     */
    public synchronized DrillRun submit(DrillDefinition drill, String file) {
        Objects.requireNonNull(drill, "drill");
        List<DrillProblem> problems = executor.problems(drill);
        if (!problems.isEmpty()) {
            throw new DrillFileException(file == null ? drill.name() : file, problems);
        }
        checkCanQueue();
        Instant now = clock.instant();
        MutableRun run = new MutableRun(newRunId(drill.name(), now), drill.name(), file, null, now);
        run.progress.add(line(now, "queued" + (file == null ? "" : " from " + file)));
        runs.put(run.id, run);
        queue.add(new Queued(run, drill, null, null, null));
        LOG.info("drill {}: queued", run.id);
        return run.snapshot();
    }

    /**
     * Queues a run of the DR drill, on the same worker as the drills (one thing at a time).
     *
     * @param file the DR file's name, or null for a drill sent as text
     * @throws DrillFileException when this service runs no DR drills, or the executor cannot run this
     *                            one (a broker restart where the broker is not embedded in this process)
     * @throws QueueFullException when {@code queueCapacity} runs already wait
     * @throws IllegalStateException when the service is not running
     */
    public synchronized DrillRun submitDr(DrDrill drill, String file) {
        Objects.requireNonNull(drill, "drill");
        List<DrillProblem> problems = drExecutor == null
                ? List.of(new DrillProblem("kind", "this Reflex runs no DR drills; run it with reflex drill dr"))
                : drExecutor.problems(drill);
        if (!problems.isEmpty()) {
            throw new DrillFileException(file == null ? drill.name() : file, problems);
        }
        checkCanQueue();
        Instant now = clock.instant();
        MutableRun run = new MutableRun(newRunId(drill.name(), now), drill.name(), file, null, now);
        run.kind = DrillRun.DR;
        run.progress.add(line(now, "queued" + (file == null ? "" : " from " + file) + ": " + drill.describe()));
        runs.put(run.id, run);
        queue.add(new Queued(run, null, null, null, drill));
        LOG.info("drill {}: DR drill queued", run.id);
        return run.snapshot();
    }

    /**
     * Queues a GameDay: its drills run one after another on the worker, nothing else in between.
     *
     * @param file the GameDay file's name in the dir
     * @throws DrillFileException when the executor cannot run one of its drills
     * @throws QueueFullException when {@code queueCapacity} runs already wait
     */
    public synchronized GameDayRun submitGameDay(GameDay gameDay, String file) {
        Objects.requireNonNull(gameDay, "gameDay");
        List<DrillProblem> problems = new ArrayList<>();
        for (int i = 0; i < gameDay.entries().size(); i++) {
            GameDay.Entry entry = gameDay.entries().get(i);
            String where = "drills[" + i + "] (" + dir.relativize(entry.file().toAbsolutePath().normalize()) + "): ";
            executor.problems(entry.drill()).forEach(p -> problems.add(new DrillProblem(where + p.path(), p.message())));
        }
        if (!problems.isEmpty()) {
            throw new DrillFileException(file == null ? gameDay.name() : file, problems);
        }
        checkCanQueue();
        Instant now = clock.instant();
        String base = GameDayReport.idFor(gameDay.name(), now);
        String id = base;
        for (int n = 2; gamedays.containsKey(id) || Files.exists(gamedaysDir.resolve(id + ".json")); n++) {
            id = base + "-" + n;
        }
        MutableGameDay day = new MutableGameDay(id, gameDay.name(), file, gameDay.runs(), now);
        day.progress.add(line(now, "queued" + (file == null ? "" : " from " + file) + ": " + gameDay.runs()
                + " drill runs"));
        gamedays.put(id, day);
        queue.add(new Queued(null, null, day, gameDay, null));
        LOG.info("gameday {}: queued ({} drill runs)", id, gameDay.runs());
        return day.snapshot();
    }

    private void checkCanQueue() {
        if (!running()) {
            throw new IllegalStateException("the drill service is not running; start Reflex with the drill role");
        }
        long waiting = queue.size();
        if (waiting >= queueCapacity) {
            throw new QueueFullException(waiting + " drills are already queued (at most " + queueCapacity
                    + "); wait for them to run, then ask again");
        }
    }

    private String newRunId(String name, Instant now) {
        String base = "drill-" + name + "-" + ID_TIME.format(now);
        String id = base;
        for (int n = 2; runs.containsKey(id) || Files.exists(runsDir.resolve(id + ".json")); n++) {
            id = base + "-" + n;
        }
        return id;
    }

    /** Every run known, newest first. */
    public synchronized List<DrillRun> runs() {
        List<DrillRun> all = new ArrayList<>(runs.values().stream().map(MutableRun::snapshot).toList());
        all.sort(Comparator.comparing(DrillRun::queuedAt).thenComparing(DrillRun::id).reversed());
        return all;
    }

    public synchronized Optional<DrillRun> run(String id) {
        MutableRun run = runs.get(id);
        return Optional.ofNullable(run).map(MutableRun::snapshot);
    }

    /** Every GameDay known, newest first. */
    public synchronized List<GameDayRun> gameDays() {
        List<GameDayRun> all = new ArrayList<>(gamedays.values().stream().map(MutableGameDay::snapshot).toList());
        all.sort(Comparator.comparing(GameDayRun::queuedAt).thenComparing(GameDayRun::id).reversed());
        return all;
    }

    public synchronized Optional<GameDayRun> gameDay(String id) {
        return Optional.ofNullable(gamedays.get(id)).map(MutableGameDay::snapshot);
    }

    /**
     * Waits until the run or GameDay {@code id} ended (or is gone: pruned, or dropped when the
     * service stopped).
     *
     * @return whether it ended within {@code bound}
     */
    public synchronized boolean awaitEnd(String id, Duration bound) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        while (true) {
            MutableRun run = runs.get(id);
            MutableGameDay day = gamedays.get(id);
            if (run == null && day == null || run != null && run.status.ended() || day != null && day.status.ended()) {
                return true;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    /**
     * The job of a {@link DrillScheduler}: queues the schedule's file and waits until that run or
     * GameDay ended, so the scheduler sees its outcome (and skips what came due meanwhile).
     */
    public DrillScheduler.Outcome runScheduled(Schedule schedule) throws InterruptedException {
        Submitted submitted;
        try {
            submitted = submitFile(schedule.file().trim());
        } catch (DrillFileException e) {
            return DrillScheduler.Outcome.failed(schedule, e.source() + " has problems: " + e.problems());
        } catch (RuntimeException e) {
            return DrillScheduler.Outcome.failed(schedule, e.getMessage());
        }
        LOG.info("drill schedule {}: queued {} {}", schedule.name(), submitted.kind(), submitted.id());
        while (!awaitEnd(submitted.id(), Duration.ofHours(1))) {
            LOG.info("drill schedule {}: {} still going", schedule.name(), submitted.id());
        }
        if (DrillFileInfo.GAMEDAY.equals(submitted.kind())) {
            GameDayReport report = gameDay(submitted.id()).map(GameDayRun::report).orElse(null);
            return report == null ? DrillScheduler.Outcome.failed(schedule, "GameDay " + submitted.id()
                    + " was dropped before it ended") : DrillScheduler.Outcome.of(schedule, report);
        }
        DrillReport report = run(submitted.id()).map(DrillRun::report).orElse(null);
        return report == null ? DrillScheduler.Outcome.failed(schedule, "drill run " + submitted.id()
                + " was dropped before it ended") : DrillScheduler.Outcome.of(schedule, report);
    }

    /** Where an ended run's report is kept. */
    public Path reportFile(String runId) {
        if (!RUN_ID.matcher(runId).matches()) {
            throw new IllegalArgumentException("'" + runId + "' is not a run id");
        }
        return runsDir.resolve(runId + ".json");
    }

    /** Where an ended GameDay's report is kept. */
    public Path gameDayFile(String id) {
        if (!RUN_ID.matcher(id).matches()) {
            throw new IllegalArgumentException("'" + id + "' is not a GameDay id");
        }
        return gamedaysDir.resolve(id + ".json");
    }

    private void work() {
        while (!stopping) {
            Queued next;
            try {
                next = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (next.gameDay != null) {
                executeGameDay(next.gameDay, next.plan);
            } else if (next.dr != null) {
                executeDr(next.run, next.dr);
            } else {
                execute(next.run, next.drill);
            }
        }
    }

    /** Runs one drill of a queued run or of a GameDay, to its stored report. */
    private DrillReport execute(MutableRun run, DrillDefinition drill) {
        synchronized (this) {
            if (!runs.containsKey(run.id)) {
                return null;
            }
            run.status = DrillRun.State.RUNNING;
            run.startedAt = clock.instant();
            run.progress.add(line(run.startedAt, "started"));
            notifyAll();
        }
        LOG.info("drill {}: running {}", run.id, drill.fault().describe());
        DrillReport report;
        DrillMetrics.Running mark = metrics == null ? () -> { } : metrics.running();
        try {
            report = executor.run(drill, run.id, text -> progress(run, text));
            if (report == null) {
                throw new IllegalStateException("the drill runner returned no report");
            }
        } catch (RuntimeException e) {
            LOG.warn("drill {}: could not run: {}", run.id, e.toString());
            report = failed(drill, run.id, stopping
                    ? "Reflex stopped while the drill ran; its fault was not graded nor undone: check "
                    + drill.fault().resourceKey() + " and heal it by hand if it is still down"
                    : "the drill could not run: " + e.getMessage());
        } finally {
            mark.close();
        }
        if (metrics != null) {
            metrics.record(report);
        }
        synchronized (this) {
            run.report = report;
            finish(run, report.passed(), report.reason(), report.finishedAt());
        }
        return report;
    }

    /** Ends a run whose report is set: its state, the verdict line, the stored file; wakes waiters. */
    private synchronized void finish(MutableRun run, boolean passed, String reason, Instant finishedAt) {
        run.finishedAt = finishedAt != null ? finishedAt : clock.instant();
        run.status = passed ? DrillRun.State.PASSED : DrillRun.State.FAILED;
        String verdict = run.status + ": " + reason;
        // The runner's own last step is usually this verdict already: say it once.
        if (run.progress.isEmpty() || !run.progress.get(run.progress.size() - 1).endsWith(verdict)) {
            run.progress.add(line(clock.instant(), verdict));
        }
        try {
            store(run);
        } catch (IOException | RuntimeException e) {
            LOG.warn("drill {}: cannot store its report in {}: {}", run.id, runsDir, e.toString());
            run.progress.add(line(clock.instant(), "the report could not be stored (" + e.getMessage()
                    + "): it is lost when Reflex stops"));
        }
        prune();
        notifyAll();
        LOG.info("drill {}: {}: {}", run.id, run.status, reason);
    }

    /** Runs a queued DR drill to its stored report. */
    private void executeDr(MutableRun run, DrDrill drill) {
        synchronized (this) {
            if (!runs.containsKey(run.id)) {
                return;
            }
            run.status = DrillRun.State.RUNNING;
            run.startedAt = clock.instant();
            run.progress.add(line(run.startedAt, "started"));
            notifyAll();
        }
        LOG.info("drill {}: running DR drill {}", run.id, drill.describe());
        DrDrillReport report;
        DrillMetrics.Running mark = metrics == null ? () -> { } : metrics.running();
        try {
            report = drExecutor.run(drill, run.id, text -> progress(run, text));
            if (report == null) {
                throw new IllegalStateException("the DR drill runner returned no report");
            }
        } catch (RuntimeException e) {
            LOG.warn("drill {}: could not run: {}", run.id, e.toString());
            report = new DrDrillReport(drill.name(), run.id, drill.kill() == null ? null : drill.kill().role().id(),
                    0, 0, 0, List.of(), 0, 0, 0, 0, 0, List.of(), null, run.startedAt, null, null, null, null, null,
                    null, clock.instant(), false, stopping ? "Reflex stopped while the DR drill ran; a killed role"
                    + " or the broker may need starting by hand" : "the DR drill could not run: " + e.getMessage(),
                    drill.traffic().execute());
        } finally {
            mark.close();
        }
        synchronized (this) {
            run.drReport = report;
            finish(run, report.passed(), report.reason(), report.finishedAt());
        }
    }

    private void executeGameDay(MutableGameDay day, GameDay plan) {
        synchronized (this) {
            if (!gamedays.containsKey(day.id)) {
                return;
            }
            day.status = DrillRun.State.RUNNING;
            day.startedAt = clock.instant();
            day.progress.add(line(day.startedAt, "started"));
            notifyAll();
        }
        int[] n = {0};
        GameDayRunner runner = new GameDayRunner(drill -> runInGameDay(day, drill, ++n[0]), clock, sleeper,
                GameDayRunner.NO_LISTENER);
        GameDayReport ran;
        try {
            ran = runner.run(plan, day.id);
        } catch (RuntimeException e) {
            LOG.warn("gameday {}: stopped: {}", day.id, e.toString(), e);
            ran = GameDayReport.of(plan.name(), day.startedAt, clock.instant(), plan.runs(), "the GameDay stopped"
                    + " with an error: " + e.getMessage(), List.of());
        }
        GameDayReport report = new GameDayReport(day.id, ran.name(), day.startedAt, ran.finishedAt(), ran.planned(),
                ran.stopped() != null ? ran.stopped() : stopping && ran.drills().size() < ran.planned()
                        ? "Reflex stopped during the GameDay" : null, ran.drills(), ran.totals());
        if (metrics != null) {
            metrics.record(report);
        }
        synchronized (this) {
            GameDayReport.Totals t = report.totals();
            day.report = report;
            day.finishedAt = report.finishedAt();
            day.status = t.drillsRun() > 0 && t.failed() == 0 && report.stopped() == null
                    ? DrillRun.State.PASSED : DrillRun.State.FAILED;
            day.progress.add(line(clock.instant(), day.status + ": " + t.passed() + "/" + t.drillsRun()
                    + " passed; coverage " + coverage(t) + "; MTTR p50 " + GameDayReport.human(t.mttr().p50Ms())
                    + (report.stopped() == null ? "" : "; " + report.stopped())));
            try {
                storeGameDay(day);
            } catch (IOException | RuntimeException e) {
                LOG.warn("gameday {}: cannot store its report in {}: {}", day.id, gamedaysDir, e.toString());
                day.progress.add(line(clock.instant(), "the report could not be stored (" + e.getMessage()
                        + "): it is lost when Reflex stops"));
            }
            prune();
            notifyAll();
        }
        LOG.info("gameday {}: {}", day.id, day.status);
    }

    private static String coverage(GameDayReport.Totals t) {
        return t.coverage() == null ? "- (no fault injected)" : t.coveragePercent() + "% (" + t.faultsHealed()
                + "/" + t.faultsInjected() + ")";
    }

    /** One drill of a GameDay, recorded as an ordinary run that carries the GameDay's id. */
    private DrillReport runInGameDay(MutableGameDay day, DrillDefinition drill, int n) {
        String step = "drill " + n + "/" + day.planned + ": " + drill.name();
        if (stopping) {
            // Not run at all: nobody is there to undo a fault any more.
            progress(day, step + ": not run, Reflex is stopping");
            return failed(drill, "drill-" + drill.name() + "-not-run", "not run: Reflex stopped during the GameDay");
        }
        MutableRun run;
        synchronized (this) {
            Instant now = clock.instant();
            run = new MutableRun(newRunId(drill.name(), now), drill.name(), null, day.id, now);
            run.progress.add(line(now, "queued by GameDay " + day.id + " (" + step + ")"));
            runs.put(run.id, run);
            day.runs.add(run.id);
        }
        progress(day, step + " (" + run.id + ") started");
        DrillReport report = execute(run, drill);
        if (report == null) {
            report = failed(drill, run.id, "the run was dropped");
        }
        progress(day, step + ": " + (report.passed() ? "PASSED" : "FAILED") + ": " + report.reason());
        return report;
    }

    private synchronized void progress(MutableGameDay day, String text) {
        if (day.progress.size() < MAX_PROGRESS_LINES) {
            day.progress.add(line(clock.instant(), text));
        }
    }

    private synchronized void progress(MutableRun run, String text) {
        if (text == null || text.isBlank()) {
            return;
        }
        if (run.progress.size() < MAX_PROGRESS_LINES) {
            run.progress.add(line(clock.instant(), text.strip()));
        } else if (run.progress.size() == MAX_PROGRESS_LINES) {
            run.progress.add(line(clock.instant(), "(further progress lines are dropped; the report will follow)"));
        }
    }

    private static String line(Instant at, String text) {
        return LINE_TIME.format(at) + " " + text;
    }

    /** A failed report, in the drill's mode, for a drill that could not run. */
    private DrillReport failed(DrillDefinition drill, String runId, String reason) {
        return new DrillReport(drill.name(), runId, drill.fault().describe(), drill.fault().resourceKey(), null, null,
                drill.slo().toMillis(), drill.expect().describe(), List.of(), List.of(), null, false, reason, false,
                null, clock.instant(), drill.mode().word(), false, null, List.of(), null);
    }

    // --- persistence -----------------------------------------------------------------------

    private void store(MutableRun run) throws IOException {
        ObjectNode node = Json.MAPPER.valueToTree(run.drReport != null ? run.drReport : run.report);
        if (run.drReport != null) {
            node.put("kind", DrillRun.DR);
        }
        node.put("runId", run.id);
        if (run.file != null) {
            node.put("file", run.file);
        }
        if (run.gameday != null) {
            node.put("gameday", run.gameday);
        }
        node.put("queuedAt", run.queuedAt.toString());
        if (run.startedAt != null) {
            // A DR report has a startedAt of its own (the traffic's start): the run's goes beside it.
            node.put(run.drReport != null ? "runStartedAt" : "startedAt", run.startedAt.toString());
        }
        node.set("progress", Json.MAPPER.valueToTree(run.progress));
        write(node, reportFile(run.id));
    }

    private void storeGameDay(MutableGameDay day) throws IOException {
        ObjectNode node = Json.MAPPER.valueToTree(day.report);
        if (day.file != null) {
            node.put("file", day.file);
        }
        node.put("queuedAt", day.queuedAt.toString());
        node.set("runs", Json.MAPPER.valueToTree(day.runs));
        node.set("progress", Json.MAPPER.valueToTree(day.progress));
        write(node, gameDayFile(day.id));
    }

    private static void write(ObjectNode node, Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(node));
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private List<MutableGameDay> loadGameDays() {
        return loadAll(gamedaysDir, "GameDay", DrillService::readGameDay);
    }

    /** How one stored report file becomes what the service keeps. */
    private interface ReportReader<T> {
        T read(Path file) throws IOException;
    }

    /** Every {@code *.json} report of {@code dir}; a file that does not read is logged and skipped. */
    private static <T> List<T> loadAll(Path dir, String kind, ReportReader<T> reader) {
        List<T> loaded = new ArrayList<>();
        try (DirectoryStream<Path> found = Files.newDirectoryStream(dir, "*.json")) {
            for (Path file : found) {
                try {
                    loaded.add(reader.read(file));
                } catch (IOException | RuntimeException e) {
                    // Left in place: it may be a report someone wants to read; it just is not listed.
                    LOG.warn("Drills: {} is not a {} report and is not listed: {}", file, kind, e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the " + kind + " reports in " + dir, e);
        }
        return loaded;
    }

    private static MutableGameDay readGameDay(Path file) throws IOException {
        JsonNode node = Json.MAPPER.readTree(file.toFile());
        if (node == null || !node.isObject()) {
            throw new IOException("not a JSON object");
        }
        GameDayReport report = Json.MAPPER.treeToValue(node, GameDayReport.class);
        Instant finishedAt = report.finishedAt() != null ? report.finishedAt()
                : Files.getLastModifiedTime(file).toInstant();
        Instant queuedAt = node.hasNonNull("queuedAt") ? Instant.parse(node.get("queuedAt").asText())
                : report.startedAt() != null ? report.startedAt() : finishedAt;
        MutableGameDay day = new MutableGameDay(report.id(), report.name() == null ? report.id() : report.name(),
                node.hasNonNull("file") ? node.get("file").asText() : null, report.planned(), queuedAt);
        day.startedAt = report.startedAt();
        day.finishedAt = finishedAt;
        day.report = report;
        GameDayReport.Totals t = report.totals();
        day.status = t != null && t.drillsRun() > 0 && t.failed() == 0 && report.stopped() == null
                ? DrillRun.State.PASSED : DrillRun.State.FAILED;
        node.path("runs").forEach(id -> day.runs.add(id.asText()));
        node.path("progress").forEach(line -> day.progress.add(line.asText()));
        return day;
    }

    private List<MutableRun> load() {
        return loadAll(runsDir, "drill", DrillService::read);
    }

    private static MutableRun read(Path file) throws IOException {
        JsonNode node = Json.MAPPER.readTree(file.toFile());
        if (node == null || !node.isObject()) {
            throw new IOException("not a JSON object");
        }
        String name = file.getFileName().toString();
        String id = node.path("runId").asText(name.substring(0, name.length() - ".json".length()));
        if (DrillRun.DR.equals(node.path("kind").asText())) {
            return readDr(file, node, id);
        }
        DrillReport report = Json.MAPPER.treeToValue(node, DrillReport.class);
        Instant finishedAt = report.finishedAt() != null ? report.finishedAt()
                : Files.getLastModifiedTime(file).toInstant();
        Instant queuedAt = node.hasNonNull("queuedAt") ? Instant.parse(node.get("queuedAt").asText()) : finishedAt;
        MutableRun run = new MutableRun(id, report.drill() == null ? id : report.drill(),
                node.hasNonNull("file") ? node.get("file").asText() : null,
                node.hasNonNull("gameday") ? node.get("gameday").asText() : null, queuedAt);
        run.startedAt = node.hasNonNull("startedAt") ? Instant.parse(node.get("startedAt").asText()) : null;
        run.finishedAt = finishedAt;
        run.report = report;
        run.status = report.passed() ? DrillRun.State.PASSED : DrillRun.State.FAILED;
        node.path("progress").forEach(line -> run.progress.add(line.asText()));
        return run;
    }

    private static MutableRun readDr(Path file, JsonNode node, String id) throws IOException {
        ObjectNode fields = node.deepCopy();
        // The run's own fields are not the report's.
        List.of("kind", "runId", "file", "gameday", "queuedAt", "runStartedAt", "progress").forEach(fields::remove);
        DrDrillReport report = Json.MAPPER.treeToValue(fields, DrDrillReport.class);
        Instant finishedAt = report.finishedAt() != null ? report.finishedAt()
                : Files.getLastModifiedTime(file).toInstant();
        Instant queuedAt = node.hasNonNull("queuedAt") ? Instant.parse(node.get("queuedAt").asText()) : finishedAt;
        MutableRun run = new MutableRun(id, report.drill() == null ? id : report.drill(),
                node.hasNonNull("file") ? node.get("file").asText() : null,
                node.hasNonNull("gameday") ? node.get("gameday").asText() : null, queuedAt);
        run.kind = DrillRun.DR;
        run.startedAt = node.hasNonNull("runStartedAt") ? Instant.parse(node.get("runStartedAt").asText())
                : report.startedAt();
        run.finishedAt = finishedAt;
        run.drReport = report;
        run.status = report.passed() ? DrillRun.State.PASSED : DrillRun.State.FAILED;
        node.path("progress").forEach(line -> run.progress.add(line.asText()));
        return run;
    }

    /** Drops the oldest ended runs, and GameDays, past {@code maxRuns}, with their report files. */
    private void prune() {
        List<MutableGameDay> endedDays = gamedays.values().stream().filter(g -> g.status.ended())
                .sorted(Comparator.comparing((MutableGameDay g) -> g.finishedAt).thenComparing(g -> g.id)).toList();
        for (int i = 0; i < endedDays.size() - maxRuns; i++) {
            MutableGameDay old = endedDays.get(i);
            gamedays.remove(old.id);
            try {
                Files.deleteIfExists(gameDayFile(old.id));
                LOG.info("gameday {}: report deleted (more than drill.maxRuns={} kept)", old.id, maxRuns);
            } catch (IOException | RuntimeException e) {
                LOG.warn("gameday {}: cannot delete its old report: {}", old.id, e.toString());
            }
        }
        List<MutableRun> ended = runs.values().stream().filter(r -> r.status.ended())
                .sorted(Comparator.comparing((MutableRun r) -> r.finishedAt).thenComparing(r -> r.id)).toList();
        for (int i = 0; i < ended.size() - maxRuns; i++) {
            MutableRun old = ended.get(i);
            runs.remove(old.id);
            try {
                Files.deleteIfExists(reportFile(old.id));
                LOG.info("drill {}: report deleted (more than drill.maxRuns={} kept)", old.id, maxRuns);
            } catch (IOException | RuntimeException e) {
                LOG.warn("drill {}: cannot delete its old report: {}", old.id, e.toString());
            }
        }
    }

    /** Stops the worker; a drill still running is interrupted, queued ones are dropped. */
    @Override
    public void close() {
        Thread w;
        synchronized (this) {
            stopping = true;
            w = worker;
            queue.clear();
            runs.values().removeIf(r -> r.status == DrillRun.State.QUEUED);
            gamedays.values().removeIf(g -> g.status == DrillRun.State.QUEUED);
            notifyAll();
        }
        if (w != null) {
            w.interrupt();
            try {
                w.join(TimeUnit.SECONDS.toMillis(STOP_BOUND_SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (w.isAlive()) {
                LOG.warn("Drills: the running drill did not stop within {} s; its fault may need undoing by hand",
                        STOP_BOUND_SECONDS);
            }
        }
    }

    /** Refused because the queue is full. */
    public static final class QueueFullException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        public QueueFullException(String message) {
            super(message);
        }
    }

    /**
     * A drill run ({@code run}, {@code drill}), a DR drill run ({@code run}, {@code dr}) or a GameDay
     * ({@code gameDay}, {@code plan}) waiting for the worker.
     */
    private record Queued(MutableRun run, DrillDefinition drill, MutableGameDay gameDay, GameDay plan, DrDrill dr) {
    }

    /** A run's state as it changes; read through {@link #snapshot()} under the service's lock. */
    private static final class MutableRun {
        final String id;
        final String drill;
        final String file;
        final String gameday;
        final Instant queuedAt;
        final List<String> progress = new ArrayList<>();
        DrillRun.State status = DrillRun.State.QUEUED;
        Instant startedAt;
        Instant finishedAt;
        DrillReport report;
        String kind = DrillRun.DRILL;
        DrDrillReport drReport;

        MutableRun(String id, String drill, String file, String gameday, Instant queuedAt) {
            this.id = id;
            this.drill = drill;
            this.file = file;
            this.gameday = gameday;
            this.queuedAt = queuedAt;
        }

        DrillRun snapshot() {
            return new DrillRun(id, drill, file, gameday, status, queuedAt, startedAt, finishedAt, progress, report,
                    kind, drReport);
        }
    }

    /** A GameDay's state as it changes; read through {@link #snapshot()} under the service's lock. */
    private static final class MutableGameDay {
        final String id;
        final String name;
        final String file;
        final int planned;
        final Instant queuedAt;
        final List<String> runs = new ArrayList<>();
        final List<String> progress = new ArrayList<>();
        DrillRun.State status = DrillRun.State.QUEUED;
        Instant startedAt;
        Instant finishedAt;
        GameDayReport report;

        MutableGameDay(String id, String name, String file, int planned, Instant queuedAt) {
            this.id = id;
            this.name = name;
            this.file = file;
            this.planned = planned;
            this.queuedAt = queuedAt;
        }

        GameDayRun snapshot() {
            return new GameDayRun(id, name, file, status, queuedAt, startedAt, finishedAt, planned, runs, progress,
                    report);
        }
    }
}
