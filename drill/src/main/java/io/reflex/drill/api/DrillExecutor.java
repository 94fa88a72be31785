package io.reflex.drill.api;

import io.reflex.drill.DrillDefinition;
import io.reflex.drill.DrillReport;
import io.reflex.drill.DrillRunner;
import java.util.function.Consumer;

/** Runs one drill to its report, blocking for as long as the drill lasts (minutes). */
@FunctionalInterface
public interface DrillExecutor {

    /**
     * @param runId    the id the run is known by ({@code drill-<name>-<time>})
     * @param progress takes a line for people each time the drill moves on (injected, detected, ...)
     * @return the report; a drill that fails is a report that says so, not an exception
     */
    DrillReport run(DrillDefinition drill, String runId, Consumer<String> progress);

    /**
     * A runner that picks its own id and reports no progress while it runs: the progress is its
     * start and, at the end, the report's lines but its verdict (the service adds that); the
     * report's id is the runner's.
     */
    static DrillExecutor of(DrillRunner runner) {
        return (drill, runId, progress) -> {
            progress.accept("checking the steady state, then injecting " + drill.fault().describe());
            DrillReport report = runner.run(drill);
            report.readable().lines().map(String::strip)
                    .filter(line -> !line.isEmpty() && !line.startsWith("passed: ") && !line.startsWith("failed: "))
                    .forEach(progress);
            return report;
        };
    }
}
