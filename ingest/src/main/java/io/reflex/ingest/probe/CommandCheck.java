package io.reflex.ingest.probe;

import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a probe's command on a worker thread: the argument list as it is, never through a shell,
 * with the environment and working directory of Reflex and no input. Healthy when it exits with
 * {@code expectExitCode} within the timeout; a command still running then is killed with every
 * process it started. Its output (stdout and stderr together) goes to a private temporary file,
 * so a chatty command cannot block on a full pipe, and its last lines go into the alert summary.
 * The future never fails.
 */
public final class CommandCheck implements Check, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CommandCheck.class);

    /** Output lines kept for the summary, and the characters kept of each. */
    static final int OUTPUT_LINES = 5;
    static final int LINE_CHARS = 200;
    /** Only the end of the output file is read: enough for {@link #OUTPUT_LINES} lines. */
    static final int TAIL_BYTES = OUTPUT_LINES * LINE_CHARS * 4;
    /** How long a killed command may take to be gone before the check gives up on it. */
    static final Duration KILL_WAIT = Duration.ofSeconds(5);

    private static final Pattern CANNOT_RUN = Pattern.compile("Cannot run program \"(.*?)\".*?: error=\\d+, (.*)");
    private static final Pattern ANSI_ESCAPE = Pattern.compile("\u001B\\[[0-9;?]*[ -/]*[@-~]");

    private final WorkerExecutor workers;
    private final ProbeConfig config;
    private final Set<Process> running = ConcurrentHashMap.newKeySet();

    /**
     * @param workers where the command waits: a pool with room for every command probe, so one
     *                slow command does not delay the others
     */
    public CommandCheck(WorkerExecutor workers, ProbeConfig config) {
        this.workers = workers;
        this.config = config;
    }

    @Override
    public Future<CheckResult> run() {
        // Unordered: the probe runs one check at a time already; ordered would queue every command probe behind one.
        return workers.executeBlocking(this::execute, false)
                .map(outcome -> judge(outcome, config.expectExitCode(), config.timeout()))
                .otherwise(error -> CheckResult.down(describe(error)));
    }

    /** Kills the commands still running (Reflex is stopping). */
    @Override
    public void close() {
        running.forEach(process -> {
            LOG.info("probe {}: stopping, killing its command still running (pid {})", config.name(), process.pid());
            killTree(process);
        });
    }

    /** What one run gave: the exit code (null when it was killed after the timeout) and its last output lines. */
    record Outcome(Integer exitCode, String output) {
    }

    /** Blocking: runs the command to its end or to the timeout. */
    Outcome execute() throws IOException {
        Path output = Files.createTempFile("reflex-probe-", ".out");
        try {
            Process process = new ProcessBuilder(config.command())
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .start();
            running.add(process);
            try {
                process.getOutputStream().close();
                Integer exitCode = null;
                if (process.waitFor(config.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                    exitCode = process.exitValue();
                } else {
                    killTree(process);
                    if (!process.waitFor(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                        LOG.warn("probe {}: command (pid {}) still running {} ms after it was killed", config.name(),
                                process.pid(), KILL_WAIT.toMillis());
                    }
                }
                return new Outcome(exitCode, tail(output));
            } catch (InterruptedException e) {
                killTree(process);
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the command; it was killed", e);
            } finally {
                running.remove(process);
            }
        } finally {
            Files.deleteIfExists(output);
        }
    }

    /**
     * Kills the process and every process it started. The descendants are listed first: once the
     * parent is gone they are re-parented and can no longer be found through it. SIGKILL, not
     * SIGTERM: a health check has nothing to save, and one that ignores SIGTERM would linger.
     */
    static void killTree(Process process) {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
    }

    private static String tail(Path file) throws IOException {
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long start = Math.max(0, in.length() - TAIL_BYTES);
            byte[] bytes = new byte[(int) (in.length() - start)];
            in.seek(start);
            in.readFully(bytes);
            return lastLines(new String(bytes, StandardCharsets.UTF_8), start > 0);
        }
    }

    /**
     * The last {@link #OUTPUT_LINES} non-blank lines of {@code text}, each cut to
     * {@link #LINE_CHARS} characters, without terminal escapes or control characters.
     *
     * @param startsMidLine whether {@code text} is the end of a longer output, so its first line is partial
     */
    static String lastLines(String text, boolean startsMidLine) {
        List<String> lines = new ArrayList<>(text.lines().toList());
        if (startsMidLine && !lines.isEmpty()) {
            lines.remove(0);
        }
        List<String> kept = new ArrayList<>();
        for (String line : lines) {
            String clean = ANSI_ESCAPE.matcher(line).replaceAll("").replace('\t', ' ')
                    .replaceAll("\\p{Cntrl}", "").strip();
            if (!clean.isEmpty()) {
                kept.add(clean.length() > LINE_CHARS ? clean.substring(0, LINE_CHARS) + "…" : clean);
            }
        }
        return String.join("\n", kept.subList(Math.max(0, kept.size() - OUTPUT_LINES), kept.size()));
    }

    /** The verdict on one run. */
    static CheckResult judge(Outcome outcome, int expectExitCode, Duration timeout) {
        if (outcome.exitCode() == null) {
            return CheckResult.down("no exit within " + timeout.toMillis() + " ms; killed it", outcome.output());
        }
        int code = outcome.exitCode();
        if (code == expectExitCode) {
            return CheckResult.up("exit code " + code);
        }
        String expected = expectExitCode == 0 ? "" : " (expected " + expectExitCode + ")";
        return CheckResult.down("exit code " + code + expected, outcome.output());
    }

    /** Why the command could not run, e.g. {@code cannot run pg_isready: No such file or directory}. */
    static String describe(Throwable error) {
        String message = String.valueOf(error.getMessage());
        Matcher m = CANNOT_RUN.matcher(message);
        if (m.find()) {
            return "cannot run " + m.group(1) + ": " + m.group(2);
        }
        return error.getMessage() == null ? error.getClass().getSimpleName() : message;
    }
}
