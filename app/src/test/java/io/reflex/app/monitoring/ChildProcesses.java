package io.reflex.app.monitoring;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * The child processes of a test class, as a JUnit extension: when a test or a set-up method
 * fails it prints the end of every child's log (a Prometheus that did not start says why there),
 * then lets the failure go on. {@link #close()} stops them all; call it from {@code @AfterAll}.
 *
 * <p>Register it on an instance field with {@code @TestInstance(PER_CLASS)} so that it also sees
 * {@code @BeforeAll} failures.
 */
public final class ChildProcesses implements TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler,
        AutoCloseable {

    private static final int LOG_LINES = 60;

    private final List<ChildProcess> children = new CopyOnWriteArrayList<>();

    /** Starts a child whose output goes to {@code <logDir>/<name>.log}. */
    public ChildProcess start(String name, List<String> command, Path logDir) throws IOException {
        ChildProcess child = ChildProcess.start(name, command, logDir.resolve(name + ".log"));
        children.add(child);
        return child;
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        printLogs(context.getDisplayName());
        throw failure;
    }

    @Override
    public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        printLogs("set-up of " + context.getDisplayName());
        throw failure;
    }

    @Override
    public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        printLogs("set-up of " + context.getDisplayName());
        throw failure;
    }

    private void printLogs(String failed) {
        StringBuilder report = new StringBuilder("\n==== " + failed + " failed; the child processes' logs end with:\n");
        for (ChildProcess child : children) {
            report.append("---- ").append(child.describe()).append('\n');
            try {
                report.append(child.tail(LOG_LINES)).append('\n');
            } catch (RuntimeException e) {
                report.append("(").append(e.getMessage()).append(")\n");
            }
        }
        System.err.println(report);
    }

    /** Stops every child, the last started first. */
    @Override
    public void close() {
        for (int i = children.size() - 1; i >= 0; i--) {
            children.get(i).close();
        }
        children.clear();
    }
}
