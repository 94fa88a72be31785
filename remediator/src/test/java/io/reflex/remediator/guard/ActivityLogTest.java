package io.reflex.remediator.guard;

import static io.reflex.remediator.guard.Fixtures.T0;
import static io.reflex.remediator.guard.Fixtures.isolate;
import static io.reflex.remediator.guard.Fixtures.ran;
import static io.reflex.remediator.guard.Fixtures.restart;
import static io.reflex.remediator.guard.Fixtures.result;
import static org.assertj.core.api.Assertions.assertThat;

import io.reflex.model.Action;
import io.reflex.model.ActionMode;
import io.reflex.model.ActionStatus;
import io.reflex.model.ActionType;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ActivityLogTest {
    private final ActivityLog log = new ActivityLog();

    @Test
    void joinsResultsThatArriveBeforeTheirAction() {
        Action a = restart("a1", "inc-1", "checkout", T0);
        log.onResult(result(a, ActionStatus.STARTED, T0, null), T0);

        assertThat(log.startedAfter(T0.minusSeconds(1), e -> true)).as("unknown action: its target is unknown").isEmpty();

        log.onAction(a, T0.plusSeconds(1));
        assertThat(log.inFlight()).singleElement().satisfies(e -> {
            assertThat(e.targetKey()).isEqualTo("service:checkout");
            assertThat(e.status()).isEqualTo(ActionStatus.STARTED);
            assertThat(e.startedAt()).isEqualTo(T0);
        });
    }

    @Test
    void lateStartedDoesNotReopenAFinishedAttempt() {
        Action a = restart("a1", "inc-1", "checkout", T0);
        log.onAction(a, T0);
        log.onResult(result(a, ActionStatus.SUCCEEDED, T0, T0.plusSeconds(2)), T0.plusSeconds(2));
        log.onResult(result(a, ActionStatus.STARTED, T0, null), T0.plusSeconds(3));

        assertThat(log.get("a1")).get().extracting(Execution::status).isEqualTo(ActionStatus.SUCCEEDED);
        assertThat(log.inFlight()).isEmpty();
    }

    @Test
    void rejectedSkippedAndRehearsedActionsAreNotExecutions() {
        Action rejected = restart("a1", "inc-1", "checkout", T0);
        log.onAction(rejected, T0);
        log.onResult(result(rejected, ActionStatus.REJECTED, null, T0), T0);
        Action skipped = restart("a2", "inc-1", "checkout", T0);
        log.onAdmitted(skipped, T0);
        log.onResult(result(skipped, ActionStatus.SKIPPED, null, T0.plusSeconds(1)), T0.plusSeconds(1));
        Action rehearsed = restart("a3", "inc-1", "checkout", T0).withMode(ActionMode.DRY_RUN);
        ran(log, rehearsed, ActionStatus.SUCCEEDED, T0, T0.plusSeconds(1));
        // The copy of a rehearsed action read back from reflex.actions still says EXECUTE.
        log.onAction(rehearsed.withMode(ActionMode.EXECUTE), T0.plusSeconds(2));
        Action ran = restart("a4", "inc-1", "checkout", T0);
        ran(log, ran, ActionStatus.FAILED, T0, T0.plusSeconds(1));

        assertThat(log.startedAfter(T0.minusSeconds(1), e -> true)).extracting(Execution::actionId)
                .containsExactly("a4");
    }

    @Test
    void aFinishedResultWhoseStartWasNeverSeenStillCounts() {
        Action a = restart("a1", "inc-1", "checkout", T0);
        log.onAction(a, T0);
        log.onResult(result(a, ActionStatus.SUCCEEDED, null, T0.plusSeconds(4)), T0.plusSeconds(5));

        assertThat(log.startedAfter(T0, e -> true)).singleElement()
                .satisfies(e -> assertThat(e.startedAt()).isEqualTo(T0.plusSeconds(4)));
    }

    @Test
    void stoppedServiceStaysDisruptedUntilStartedAgain() {
        Action stop = Fixtures.action("s1", "inc-1", "drill", ActionType.STOP_SERVICE, "service", "shop", Map.of(), T0);
        ran(log, stop, ActionStatus.SUCCEEDED, T0, T0.plusSeconds(1));
        assertThat(log.disrupted()).containsOnlyKeys("service:shop");

        Action start = Fixtures.action("s2", "inc-1", "drill", ActionType.START_SERVICE, "service", "shop", Map.of(),
                T0.plusSeconds(10));
        ran(log, start, ActionStatus.SUCCEEDED, T0.plusSeconds(10), T0.plusSeconds(11));
        assertThat(log.disrupted()).isEmpty();
    }

    @Test
    void cordonedAndDrainedNodesStayDisruptedUntilUncordonedAgain() {
        Action cordon = Fixtures.action("c1", "inc-1", "drill fault", ActionType.CORDON_NODE, "node", "n1", Map.of(),
                T0);
        Action drain = Fixtures.action("d1", "inc-2", "drain", ActionType.DRAIN_NODE, "node", "n2", Map.of(), T0);
        ran(log, cordon, ActionStatus.SUCCEEDED, T0, T0.plusSeconds(1));
        ran(log, drain, ActionStatus.SUCCEEDED, T0, T0.plusSeconds(1));
        assertThat(log.disrupted()).containsOnlyKeys("node:n1", "node:n2");

        Action failed = Fixtures.action("u0", "inc-1", "drill undo", ActionType.UNCORDON_NODE, "node", "n1", Map.of(),
                T0.plusSeconds(5));
        ran(log, failed, ActionStatus.FAILED, T0.plusSeconds(5), T0.plusSeconds(6));
        assertThat(log.disrupted()).as("an uncordon that failed undoes nothing").containsOnlyKeys("node:n1", "node:n2");

        Action uncordon = Fixtures.action("u1", "inc-1", "drill undo", ActionType.UNCORDON_NODE, "node", "n1", Map.of(),
                T0.plusSeconds(10));
        ran(log, uncordon, ActionStatus.SUCCEEDED, T0.plusSeconds(10), T0.plusSeconds(11));
        assertThat(log.disrupted()).containsOnlyKeys("node:n2");

        ran(log, Fixtures.action("c2", "inc-3", "cordon", ActionType.CORDON_NODE, "node", "n1", Map.of(),
                T0.plusSeconds(20)), ActionStatus.SUCCEEDED, T0.plusSeconds(20), T0.plusSeconds(21));
        assertThat(log.disrupted()).as("cordoned again after the uncordon").containsOnlyKeys("node:n1", "node:n2");
    }

    @Test
    void isolationLastsUntilReleasedAndARestartIsDisruptiveOnlyWhileItRuns() {
        ran(log, isolate("i1", "web-1", "eu-1", T0), ActionStatus.SUCCEEDED, T0, T0.plusSeconds(1));
        Action restart = restart("r1", "inc-2", "checkout", T0);
        log.onAdmitted(restart, T0.plusSeconds(2));
        assertThat(log.disrupted()).containsOnlyKeys("host:web-1", "service:checkout");

        log.onResult(result(restart, ActionStatus.SUCCEEDED, T0.plusSeconds(2), T0.plusSeconds(3)), T0.plusSeconds(3));
        log.release("host:web-1", T0.minusSeconds(5));
        assertThat(log.disrupted()).as("a release before the isolation undoes nothing").containsOnlyKeys("host:web-1");

        log.release("host:web-1", T0.plusSeconds(4));
        assertThat(log.disrupted()).isEmpty();

        ran(log, isolate("i2", "web-1", "eu-1", T0.plusSeconds(5)), ActionStatus.SUCCEEDED, T0.plusSeconds(5),
                T0.plusSeconds(6));
        assertThat(log.disrupted()).as("isolated again after the release").containsOnlyKeys("host:web-1");
    }

    @Test
    void forgetsOldExecutionsButKeepsLastingDisruptionsAndThoseInFlight() {
        Instant old = T0.minus(Duration.ofDays(2));
        ran(log, restart("old-done", "inc-1", "checkout", old), ActionStatus.SUCCEEDED, old, old.plusSeconds(1));
        ran(log, isolate("old-isolation", "web-1", "eu-1", old), ActionStatus.SUCCEEDED, old, old.plusSeconds(1));
        log.onAdmitted(restart("old-in-flight", "inc-2", "cart", old), old);
        ran(log, restart("recent", "inc-3", "search", T0), ActionStatus.SUCCEEDED, T0, T0.plusSeconds(1));

        int forgotten = log.forgetBefore(T0.minus(Duration.ofDays(1)));

        assertThat(forgotten).isEqualTo(1);
        assertThat(log.executions()).extracting(Execution::actionId)
                .containsExactly("old-isolation", "old-in-flight", "recent");
    }
}
