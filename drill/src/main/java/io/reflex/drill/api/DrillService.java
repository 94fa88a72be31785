package io.reflex.drill.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.reflex.drill.DrillDefinition;
import io.reflex.drill.DrillFile;
import io.reflex.drill.DrillFileException;
import io.reflex.drill.DrillReport;
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
    private final int maxRuns;
    private final int queueCapacity;
    private final DrillExecutor executor;
    private final Clock clock;
    /** Every run known, by id; guarded by {@code this}. */
    private final Map<String, MutableRun> runs = new LinkedHashMap<>();
    private final BlockingQueue<Queued> queue = new LinkedBlockingQueue<>();
    private Thread worker;
    private volatile boolean stopping;

    /**
     * @param dir           the drill dir: drill files in it, reports in {@code dir/runs}
     * @param maxRuns       ended runs kept (in memory and on disk); the oldest go first
     * @param queueCapacity runs that may wait for the worker; more are refused
     */
    public DrillService(Path dir, int maxRuns, int queueCapacity, DrillExecutor executor, Clock clock) {
        if (maxRuns < 1 || queueCapacity < 1) {
            throw new IllegalArgumentException("maxRuns and queueCapacity must be at least 1");
        }
        this.dir = dir.toAbsolutePath().normalize();
        this.runsDir = this.dir.resolve("runs");
        this.maxRuns = maxRuns;
        this.queueCapacity = queueCapacity;
        this.executor = Objects.requireNonNull(executor, "executor");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Creates the directories, reloads the stored reports and starts the worker. */
    public synchronized DrillService start() {
        try {
            Files.createDirectories(runsDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the drill dir " + runsDir + "; set drill.dir to a"
                    + " directory Reflex may write", e);
        }
        List<MutableRun> loaded = load();
        loaded.sort(Comparator.comparing((MutableRun r) -> r.queuedAt).thenComparing(r -> r.id));
        loaded.forEach(r -> runs.put(r.id, r));
        prune();
        LOG.info("Drills: {} stored runs reloaded from {}; drill files in {}", loaded.size(), runsDir, dir);
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
        return paths.stream().map(DrillService::info).toList();
    }

    private static DrillFileInfo info(Path file) {
        String name = file.getFileName().toString();
        try {
            DrillDefinition drill = DrillFile.read(file);
            return new DrillFileInfo(name, drill.name(), drill.mode().name().toLowerCase(Locale.ROOT).replace('_', '-'),
                    drill.fault().describe(), drill.fault().resourceKey(), drill.expect().describe(),
                    drill.slo().toMillis(), List.of());
        } catch (DrillFileException e) {
            return new DrillFileInfo(name, null, null, null, null, null, null,
                    e.problems().stream().map(Object::toString).toList());
        } catch (RuntimeException e) {
            return new DrillFileInfo(name, null, null, null, null, null, null, List.of("(file): " + e.getMessage()));
        }
    }

    /**
     * Reads a drill file of the dir by its name.
     *
     * @throws IllegalArgumentException the name is not a plain file name of the dir, or no such file
     * @throws DrillFileException       the file has problems (every one)
     */
    public DrillDefinition readFile(String fileName) {
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
        DrillDefinition drill = DrillFile.read(file);
        return drill;
    }

    // --- runs ----------------------------------------------------------------------------

    /**
     * Queues a run of the drill.
     *
     * @param file the drill file's name, or null for a drill sent as text
     * @throws QueueFullException when {@code queueCapacity} runs already wait
     * @throws IllegalStateException when the service is not running
     */
    public synchronized DrillRun submit(DrillDefinition drill, String file) {
        Objects.requireNonNull(drill, "drill");
        if (!running()) {
            throw new IllegalStateException("the drill service is not running; start Reflex with the drill role");
        }
        long waiting = runs.values().stream().filter(r -> r.status == DrillRun.State.QUEUED).count();
        if (waiting >= queueCapacity) {
            throw new QueueFullException(waiting + " drills are already queued (at most " + queueCapacity
                    + "); wait for them to run, then ask again");
        }
        Instant now = clock.instant();
        String base = "drill-" + drill.name() + "-" + ID_TIME.format(now);
        String id = base;
        for (int n = 2; runs.containsKey(id) || Files.exists(runsDir.resolve(id + ".json")); n++) {
            id = base + "-" + n;
        }
        MutableRun run = new MutableRun(id, drill.name(), file, now);
        run.progress.add(line(now, "queued" + (file == null ? "" : " from " + file)));
        runs.put(id, run);
        queue.add(new Queued(run, drill));
        LOG.info("drill {}: queued ({} waiting)", id, waiting + 1);
        return run.snapshot();
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

    /** Where an ended run's report is kept. */
    public Path reportFile(String runId) {
        if (!RUN_ID.matcher(runId).matches()) {
            throw new IllegalArgumentException("'" + runId + "' is not a run id");
        }
        return runsDir.resolve(runId + ".json");
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
            execute(next);
        }
    }

    private void execute(Queued next) {
        MutableRun run = next.run;
        synchronized (this) {
            if (!runs.containsKey(run.id)) {
                return;
            }
            run.status = DrillRun.State.RUNNING;
            run.startedAt = clock.instant();
            run.progress.add(line(run.startedAt, "started"));
        }
        LOG.info("drill {}: running {}", run.id, next.drill.fault().describe());
        DrillReport report;
        try {
            report = executor.run(next.drill, run.id, text -> progress(run, text));
            if (report == null) {
                throw new IllegalStateException("the drill runner returned no report");
            }
        } catch (RuntimeException e) {
            LOG.warn("drill {}: could not run: {}", run.id, e.toString());
            report = failed(next.drill, run.id, stopping
                    ? "Reflex stopped while the drill ran; its fault was not graded nor undone: check "
                    + next.drill.fault().resourceKey() + " and heal it by hand if it is still down"
                    : "the drill could not run: " + e.getMessage());
        }
        synchronized (this) {
            run.report = report;
            run.finishedAt = report.finishedAt() != null ? report.finishedAt() : clock.instant();
            run.status = report.passed() ? DrillRun.State.PASSED : DrillRun.State.FAILED;
            run.progress.add(line(clock.instant(), run.status + ": " + report.reason()));
            try {
                store(run);
            } catch (IOException | RuntimeException e) {
                LOG.warn("drill {}: cannot store its report in {}: {}", run.id, runsDir, e.toString());
                run.progress.add(line(clock.instant(), "the report could not be stored (" + e.getMessage()
                        + "): it is lost when Reflex stops"));
            }
            prune();
        }
        LOG.info("drill {}: {}: {}", run.id, run.status, report.reason());
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

    /** A failed report for a drill that could not run, made through JSON so it has whatever fields reports have. */
    private DrillReport failed(DrillDefinition drill, String runId, String reason) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("drill", drill.name());
        fields.put("id", runId);
        fields.put("fault", drill.fault().describe());
        fields.put("resource", drill.fault().resourceKey());
        fields.put("sloMs", drill.slo().toMillis());
        fields.put("expected", drill.expect().describe());
        fields.put("passed", false);
        fields.put("reason", reason);
        fields.put("undone", false);
        fields.put("finishedAt", clock.instant().toString());
        return Json.MAPPER.convertValue(fields, DrillReport.class);
    }

    // --- persistence -----------------------------------------------------------------------

    private void store(MutableRun run) throws IOException {
        ObjectNode node = Json.MAPPER.valueToTree(run.report);
        node.put("runId", run.id);
        if (run.file != null) {
            node.put("file", run.file);
        }
        node.put("queuedAt", run.queuedAt.toString());
        if (run.startedAt != null) {
            node.put("startedAt", run.startedAt.toString());
        }
        node.set("progress", Json.MAPPER.valueToTree(run.progress));
        Path file = reportFile(run.id);
        Path tmp = runsDir.resolve(run.id + ".json.tmp");
        Files.write(tmp, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(node));
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private List<MutableRun> load() {
        List<MutableRun> loaded = new ArrayList<>();
        try (DirectoryStream<Path> found = Files.newDirectoryStream(runsDir, "*.json")) {
            for (Path file : found) {
                try {
                    loaded.add(read(file));
                } catch (IOException | RuntimeException e) {
                    // Left in place: it may be a report someone wants to read; it just is not listed.
                    LOG.warn("Drills: {} is not a drill report and is not listed: {}", file, e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the drill reports in " + runsDir, e);
        }
        return loaded;
    }

    private static MutableRun read(Path file) throws IOException {
        JsonNode node = Json.MAPPER.readTree(file.toFile());
        if (node == null || !node.isObject()) {
            throw new IOException("not a JSON object");
        }
        DrillReport report = Json.MAPPER.treeToValue(node, DrillReport.class);
        String name = file.getFileName().toString();
        String id = node.path("runId").asText(name.substring(0, name.length() - ".json".length()));
        Instant finishedAt = report.finishedAt() != null ? report.finishedAt()
                : Files.getLastModifiedTime(file).toInstant();
        Instant queuedAt = node.hasNonNull("queuedAt") ? Instant.parse(node.get("queuedAt").asText()) : finishedAt;
        MutableRun run = new MutableRun(id, report.drill() == null ? id : report.drill(),
                node.hasNonNull("file") ? node.get("file").asText() : null, queuedAt);
        run.startedAt = node.hasNonNull("startedAt") ? Instant.parse(node.get("startedAt").asText()) : null;
        run.finishedAt = finishedAt;
        run.report = report;
        run.status = report.passed() ? DrillRun.State.PASSED : DrillRun.State.FAILED;
        node.path("progress").forEach(line -> run.progress.add(line.asText()));
        return run;
    }

    /** Drops the oldest ended runs past {@code maxRuns}, with their report files. */
    private void prune() {
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

    private record Queued(MutableRun run, DrillDefinition drill) {
    }

    /** A run's state as it changes; read through {@link #snapshot()} under the service's lock. */
    private static final class MutableRun {
        final String id;
        final String drill;
        final String file;
        final Instant queuedAt;
        final List<String> progress = new ArrayList<>();
        DrillRun.State status = DrillRun.State.QUEUED;
        Instant startedAt;
        Instant finishedAt;
        DrillReport report;

        MutableRun(String id, String drill, String file, Instant queuedAt) {
            this.id = id;
            this.drill = drill;
            this.file = file;
            this.queuedAt = queuedAt;
        }

        DrillRun snapshot() {
            return new DrillRun(id, drill, file, status, queuedAt, startedAt, finishedAt, progress, report);
        }
    }
}
