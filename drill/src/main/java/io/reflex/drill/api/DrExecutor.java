package io.reflex.drill.api;

import io.reflex.drill.DrillProblem;
import io.reflex.drill.dr.DrDrill;
import io.reflex.drill.dr.DrDrillReport;
import io.reflex.drill.dr.DrDrillRunner;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/** Runs one DR drill to its report, blocking for as long as the drill lasts. */
public interface DrExecutor {

    /**
     * @param runId    the id the run is known by ({@code drill-<name>-<time>}); the report's id
     * @param progress takes a line for people at each step
     * @return the report; a drill that fails is a report that says so, not an exception
     */
    DrDrillReport run(DrDrill drill, String runId, Consumer<String> progress);

    /** What keeps this executor from running the drill, each with its path in the file; empty when it can. */
    default List<DrillProblem> problems(DrDrill drill) {
        return List.of();
    }

    /**
     * The runner's drills. One that asks for {@code restartBroker} is refused when the runner has no
     * broker control: only the process hosting the embedded broker can restart it.
     */
    static DrExecutor of(DrDrillRunner runner) {
        Objects.requireNonNull(runner, "runner");
        return new DrExecutor() {
            @Override
            public DrDrillReport run(DrDrill drill, String runId, Consumer<String> progress) {
                return runner.run(drill, runId, progress);
            }

            @Override
            public List<DrillProblem> problems(DrDrill drill) {
                if (drill.restartsBroker() && !runner.canRestartBroker()) {
                    return List.of(new DrillProblem("restartBroker", "the Kafka broker is not embedded in this"
                            + " process, so this Reflex cannot restart it; run the drill on the Reflex that hosts the"
                            + " embedded broker (reflex up without kafka.bootstrap.servers), or leave restartBroker out"));
                }
                return List.of();
            }
        };
    }
}
