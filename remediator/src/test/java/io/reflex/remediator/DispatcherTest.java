package io.reflex.remediator;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.reflex.connectors.spi.Connector;
import io.reflex.connectors.spi.Outcome;
import io.reflex.model.Action;
import io.reflex.model.ActionMode;
import io.reflex.model.ActionResult;
import io.reflex.model.ActionStatus;
import io.reflex.model.ActionType;
import io.reflex.model.RuleRef;
import io.reflex.model.Target;
import io.reflex.model.TimelineEntry;
import io.reflex.model.TimelineKind;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DispatcherTest {
    private static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");
    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private final List<ActionResult> results = new ArrayList<>();
    private final List<TimelineEntry> timeline = new ArrayList<>();
    private final List<Action> executed = new ArrayList<>();
    private Outcome nextOutcome = Outcome.succeeded("restarted");
    private RuntimeException nextThrow;

    private final Connector process = new Connector() {
        @Override
        public String name() {
            return "process";
        }

        @Override
        public Outcome execute(Action action) throws InterruptedException {
            executed.add(action);
            if (nextThrow != null) {
                throw nextThrow;
            }
            return nextOutcome;
        }
    };

    private final Dispatcher dispatcher = new Dispatcher(
            name -> name.equals("process") ? Optional.of(process) : Optional.empty(), Set.of("process"),
            new Dispatcher.Reporter() {
                @Override
                public void result(String targetKey, ActionResult result) {
                    results.add(result);
                }

                @Override
                public void timeline(TimelineEntry entry) {
                    timeline.add(entry);
                }
            }, clock, new RemediatorMetrics(new PrometheusRegistry()));

    private static Action action(String id, String connector, ActionMode mode, Instant deadline) {
        return new Action(id, "inc-1", new RuleRef("restart", 1), ActionType.RESTART_SERVICE,
                new Target(connector, "service", "demo-shop"), Map.of(), mode, false, NOW, deadline);
    }

    private List<ActionStatus> statuses() {
        return results.stream().map(ActionResult::status).toList();
    }

    @Test
    void runsTheActionAndReportsStartAndSuccessOnResultsAndTimeline() {
        assertThat(dispatcher.dispatch(action("act-1", "process", ActionMode.EXECUTE, NOW.plusSeconds(60))))
                .contains(ActionStatus.SUCCEEDED);
        assertThat(executed).hasSize(1);
        assertThat(statuses()).containsExactly(ActionStatus.STARTED, ActionStatus.SUCCEEDED);
        assertThat(timeline).extracting(TimelineEntry::kind)
                .containsExactly(TimelineKind.ACTION_DISPATCHED, TimelineKind.ACTION_RESULT);
        assertThat(results.get(1).detail()).isEqualTo("restarted");
    }

    @Test
    void aRepeatedActionIdRunsOnce() {
        Action action = action("act-1", "process", ActionMode.EXECUTE, NOW.plusSeconds(60));
        dispatcher.dispatch(action);
        assertThat(dispatcher.dispatch(action)).isEmpty();
        assertThat(executed).hasSize(1);
    }

    @Test
    void anActionFinishedBeforeARestartDoesNotRunAgain() {
        dispatcher.markFinished("act-1");
        assertThat(dispatcher.dispatch(action("act-1", "process", ActionMode.EXECUTE, NOW.plusSeconds(60)))).isEmpty();
        assertThat(executed).isEmpty();
        assertThat(results).isEmpty();
    }

    @Test
    void anActionPastItsDeadlineTimesOutWithoutRunning() {
        dispatcher.dispatch(action("act-1", "process", ActionMode.EXECUTE, NOW.minusSeconds(1)));
        assertThat(executed).isEmpty();
        assertThat(statuses()).containsExactly(ActionStatus.TIMED_OUT);
    }

    @Test
    void aDryRunIsSkippedAndSaysWhatItWouldHaveDone() {
        dispatcher.dispatch(action("act-1", "process", ActionMode.DRY_RUN, NOW.plusSeconds(60)));
        assertThat(executed).isEmpty();
        assertThat(statuses()).containsExactly(ActionStatus.SKIPPED);
        assertThat(results.get(0).detail()).contains("would restart_service service:demo-shop");
    }

    @Test
    void anUnknownConnectorFailsAndNamesTheConfiguredOnes() {
        dispatcher.dispatch(action("act-1", "kubernetes", ActionMode.EXECUTE, NOW.plusSeconds(60)));
        assertThat(statuses()).containsExactly(ActionStatus.FAILED);
        assertThat(results.get(0).detail()).contains("'kubernetes'").contains("[process]");
    }

    @Test
    void aConnectorThatThrowsEndsAsAFailedResult() {
        nextThrow = new IllegalStateException("boom");
        dispatcher.dispatch(action("act-1", "process", ActionMode.EXECUTE, NOW.plusSeconds(60)));
        assertThat(statuses()).containsExactly(ActionStatus.STARTED, ActionStatus.FAILED);
        assertThat(results.get(1).detail()).contains("boom");
    }

    @Test
    void aRefusalIsReportedAsRejected() {
        nextOutcome = Outcome.refused("service name 'x; rm' is not allowed");
        dispatcher.dispatch(action("act-1", "process", ActionMode.EXECUTE, NOW.plusSeconds(60)));
        assertThat(statuses()).containsExactly(ActionStatus.STARTED, ActionStatus.REJECTED);
        assertThat(timeline.get(1).summary()).contains("REJECTED").contains("not allowed");
    }
}
