package io.reflex.drill.api;

import io.reflex.drill.DrillDefinition;
import io.reflex.drill.DrillProblem;
import io.reflex.drill.DrillReport;
import io.reflex.drill.DrillRunner;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/** Runs one drill to its report, blocking for as long as the drill lasts (minutes). */
@FunctionalInterface
public interface DrillExecutor {

    /**
     * @param runId    the id the run is known by ({@code drill-<name>-<time>}); the report's id
     * @param progress takes a line for people each time the drill moves on (injected, detected, ...)
     * @return the report; a drill that fails is a report that says so, not an exception
     */
    DrillReport run(DrillDefinition drill, String runId, Consumer<String> progress);

    /**
     * What keeps this executor from running the drill (e.g. a prometheus probe without a URL when
     * none is configured), each with its path in the drill file; empty when it can run. The service
     * refuses such a drill when it is submitted, rather than failing it later.
     */
    default List<DrillProblem> problems(DrillDefinition drill) {
        return List.of();
    }

    /** The runner's drills under the service's run id, each progress line passed on as the runner logs it. */
    static DrillExecutor of(DrillRunner runner) {
        Objects.requireNonNull(runner, "runner");
        return new DrillExecutor() {
            @Override
            public DrillReport run(DrillDefinition drill, String runId, Consumer<String> progress) {
                return runner.run(drill, runId, (id, message) -> progress.accept(message));
            }

            @Override
            public List<DrillProblem> problems(DrillDefinition drill) {
                return runner.problems(drill);
            }
        };
    }
}
