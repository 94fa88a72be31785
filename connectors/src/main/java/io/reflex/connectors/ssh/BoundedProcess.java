package io.reflex.connectors.ssh;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one program (an argument list, never a shell) with its output in a log file, waiting at
 * most a given time; on timeout or interrupt it kills the program and everything it started.
 */
public final class BoundedProcess {

    static final Duration KILL_WAIT = Duration.ofSeconds(5);

    /**
     * How a run ended.
     *
     * @param exitCode  the exit code, or -1 when it timed out
     * @param timedOut  whether it was killed because the time ran out
     * @param log       the file holding all of its output
     * @param took      how long it ran
     */
    public record Result(int exitCode, boolean timedOut, Path log, Duration took) {
    }

    private BoundedProcess() {
    }

    /**
     * @param env     added to the inherited environment (null values remove a variable)
     * @param workdir the working directory, or null for ours
     * @throws IOException          when the program cannot be started (missing executable)
     * @throws InterruptedException after the program was killed
     */
    public static Result run(List<String> argv, Map<String, String> env, Path workdir, Path log, Duration limit)
            throws IOException, InterruptedException {
        Files.createDirectories(log.getParent());
        final ProcessBuilder builder = new ProcessBuilder(argv)
                .redirectErrorStream(true)
                .redirectOutput(Redirect.appendTo(log.toFile()))
                .redirectInput(Redirect.from(new java.io.File("/dev/null")));
        if (workdir != null) {
            builder.directory(workdir.toFile());
        }
        env.forEach((key, value) -> {
            if (value == null) {
                builder.environment().remove(key);
            } else {
                builder.environment().put(key, value);
            }
        });
        final long began = System.nanoTime();
        final Process process = builder.start();
        try {
            if (process.waitFor(Math.max(0, limit.toNanos()), TimeUnit.NANOSECONDS)) {
                return new Result(process.exitValue(), false, log, Duration.ofNanos(System.nanoTime() - began));
            }
            killTree(process);
            return new Result(-1, true, log, Duration.ofNanos(System.nanoTime() - began));
        } catch (InterruptedException e) {
            killTree(process);
            throw e;
        }
    }

    /** The last lines of the log, at most {@code maxBytes}, each indented for a detail. */
    public static String tail(Path log, int maxLines, int maxBytes) {
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            final long end = file.length();
            final long from = Math.max(0, end - maxBytes);
            final byte[] bytes = new byte[(int) (end - from)];
            file.seek(from);
            file.readFully(bytes);
            final List<String> lines = new String(bytes, StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.isBlank()).toList();
            final List<String> tail = lines.subList(Math.max(0, lines.size() - maxLines), lines.size());
            return tail.isEmpty() ? "  (no output)" : "  " + String.join("\n  ", tail);
        } catch (IOException e) {
            return "  (output unreadable: " + e.getMessage() + ")";
        }
    }

    /** The start of the log, at most {@code maxBytes}, for classifying a failure; empty when unreadable. */
    public static String head(Path log, int maxBytes) {
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            final byte[] bytes = new byte[(int) Math.min(file.length(), maxBytes)];
            file.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** Descendants first: once the parent is gone they are re-parented and no longer found through it. */
    public static void killTree(Process process) {
        final List<ProcessHandle> all = new ArrayList<>();
        process.toHandle().descendants().forEach(all::add);
        all.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        all.add(process.toHandle());
        for (ProcessHandle handle : all) {
            try {
                handle.onExit().get(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                // Reported by the caller's detail; nothing more can be done than SIGKILL.
            }
        }
    }

    public static String seconds(Duration duration) {
        return String.format(java.util.Locale.ROOT, "%.1fs", duration.toNanos() / 1e9);
    }

    private static final java.time.format.DateTimeFormatter RUN_TIME = java.time.format.DateTimeFormatter
            .ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'", java.util.Locale.ROOT).withZone(java.time.ZoneOffset.UTC);

    /** The name of one run's files (log, work dir): when it started and which action, sortable and file-safe. */
    public static String runName(java.time.Instant at, String actionId) {
        return RUN_TIME.format(at) + "-" + fileSafe(actionId);
    }

    /** A file-name-safe form of an action id. */
    public static String fileSafe(String text) {
        final String safe = text.replaceAll("[^A-Za-z0-9_.-]", "_");
        return safe.length() > 80 ? safe.substring(0, 80) : safe;
    }
}
