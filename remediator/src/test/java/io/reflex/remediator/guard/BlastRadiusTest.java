package io.reflex.remediator.guard;

import static io.reflex.remediator.guard.Fixtures.T0;
import static io.reflex.remediator.guard.Fixtures.isolate;
import static io.reflex.remediator.guard.Fixtures.result;
import static org.assertj.core.api.Assertions.assertThat;

import io.reflex.model.Action;
import io.reflex.model.ActionStatus;
import io.reflex.model.ActionType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BlastRadiusTest {
    private static final List<String> TEN_HOSTS = IntStream.range(0, 10).mapToObj(i -> "host:web-" + i).toList();

    private final MutableClock clock = new MutableClock(T0);
    private final ActivityLog activity = new ActivityLog();

    private Guardrails guardrails(BlastRadius.Limit limit) {
        return new Guardrails(new GuardrailsConfig(null, null, null, List.of(limit), null, null, null), activity, clock);
    }

    private static BlastRadius.Limit percentOfZone(int percent, Map<String, List<String>> groups) {
        return new BlastRadius.Limit("hosts-per-zone", "zone", null, null, percent, groups, null);
    }

    /** As the dispatcher runs it: check, and when allowed, its STARTED then SUCCEEDED results. */
    private boolean runIfAllowed(Guardrails guardrails, Action action, List<Verdict> verdicts) {
        Verdict verdict = guardrails.check(action);
        verdicts.add(verdict);
        if (!verdict.allowed()) {
            return false;
        }
        activity.onResult(result(action, ActionStatus.STARTED, clock.instant(), null), clock.instant());
        clock.advance(Duration.ofSeconds(2));
        activity.onResult(result(action, ActionStatus.SUCCEEDED, clock.instant().minusSeconds(2), clock.instant()),
                clock.instant());
        return true;
    }

    @Test
    void tenHostsAtTwentyPercentNeverHaveMoreThanTwoIsolated() {
        Guardrails guardrails = guardrails(percentOfZone(20, Map.of("eu-1", TEN_HOSTS)));
        List<Action> actions = IntStream.range(0, 10).mapToObj(i -> isolate("iso-" + i, "web-" + i, "eu-1", T0)).toList();
        actions.forEach(a -> activity.onAction(a, T0));
        List<Verdict> verdicts = new ArrayList<>();
        List<String> ran = new ArrayList<>();

        for (Action action : actions) {
            if (runIfAllowed(guardrails, action, verdicts)) {
                ran.add(action.target().key());
            }
            assertThat(activity.disrupted()).hasSizeLessThanOrEqualTo(2);
        }

        assertThat(ran).containsExactly("host:web-0", "host:web-1");
        assertThat(verdicts.subList(2, 10)).allSatisfy(v -> {
            assertThat(v.decision()).isEqualTo(Decision.HOLD);
            assertThat(v.guardrail()).isEqualTo("blastRadius:hosts-per-zone");
            assertThat(v.reason()).contains("2 of 10 members of zone=eu-1 already disrupted (host:web-0, host:web-1)")
                    .contains("would exceed the limit of 2 (20% of 10)");
        });
        Verdict last = verdicts.get(9);
        assertThat(last.retryAt()).isEqualTo(clock.instant().plusSeconds(5));

        // The held ones are checked again: nothing changed, nothing more runs.
        clock.advance(Duration.ofSeconds(5));
        for (Action held : actions.subList(2, 10)) {
            assertThat(guardrails.check(held).decision()).isEqualTo(Decision.HOLD);
        }

        // People release one isolated host: exactly one more may go.
        guardrails.release("host:web-0");
        clock.advance(Duration.ofSeconds(1));
        verdicts.clear();
        for (Action held : actions.subList(2, 10)) {
            if (runIfAllowed(guardrails, held, verdicts)) {
                ran.add(held.target().key());
            }
            assertThat(activity.disrupted()).hasSizeLessThanOrEqualTo(2);
        }
        assertThat(ran).containsExactly("host:web-0", "host:web-1", "host:web-2");
        assertThat(activity.disrupted()).containsOnlyKeys("host:web-1", "host:web-2");
        assertThat(verdicts).filteredOn(v -> v.decision() == Decision.HOLD).hasSize(7);
    }

    @Test
    void concurrentChecksNeverAdmitMoreThanTheLimit() throws Exception {
        Guardrails guardrails = guardrails(percentOfZone(20, Map.of("eu-1", TEN_HOSTS)));
        ExecutorService pool = Executors.newFixedThreadPool(10);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<Verdict>> futures = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                Action action = isolate("iso-" + i, "web-" + i, "eu-1", T0);
                Callable<Verdict> check = () -> {
                    go.await();
                    return guardrails.check(action);
                };
                futures.add(pool.submit(check));
            }
            go.countDown();
            List<Verdict> verdicts = new ArrayList<>();
            for (Future<Verdict> f : futures) {
                verdicts.add(f.get(10, TimeUnit.SECONDS));
            }
            // No results were fed back: the admissions themselves are counted.
            assertThat(verdicts).filteredOn(Verdict::allowed).hasSize(2);
            assertThat(verdicts).filteredOn(v -> v.decision() == Decision.HOLD).hasSize(8);
            assertThat(activity.inFlight()).hasSize(2);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void neverTheLastHealthyMember() {
        Guardrails guardrails = guardrails(new BlastRadius.Limit("hosts-per-zone", "zone", null, 5, null,
                Map.of("eu-1", List.of("web-a", "web-b", "web-c")), null));
        List<Verdict> verdicts = new ArrayList<>();
        assertThat(runIfAllowed(guardrails, isolate("a", "web-a", "eu-1", T0), verdicts)).isTrue();
        assertThat(runIfAllowed(guardrails, isolate("b", "web-b", "eu-1", T0), verdicts)).isTrue();

        Verdict last = guardrails.check(isolate("c", "web-c", "eu-1", T0));

        assertThat(last.decision()).isEqualTo(Decision.REFUSE);
        assertThat(last.guardrail()).isEqualTo("blastRadius:hosts-per-zone");
        assertThat(last.reason()).contains("host:web-c is the last undisrupted member of zone=eu-1")
                .contains("3 members, 2 disrupted: host:web-a, host:web-b");
        Action unlabelled = Fixtures.action("c2", "inc-c", "isolate", ActionType.ISOLATE_HOST, "host", "web-c",
                Map.of(), T0);
        assertThat(guardrails.check(unlabelled).decision()).as("a listed member is in its group without the label")
                .isEqualTo(Decision.REFUSE);
        Action elsewhere = Fixtures.action("d", "inc-d", "isolate", ActionType.ISOLATE_HOST, "host", "db-1",
                Map.of(), T0);
        assertThat(guardrails.check(elsewhere).allowed()).as("in no group").isTrue();
    }

    @Test
    void countLimitAppliesToGroupsNotListedAndARestartCountsOnlyWhileItRuns() {
        Guardrails guardrails = guardrails(new BlastRadius.Limit("restarts-per-cluster", "cluster", null, 1, null,
                null, "10s"));
        Action first = Fixtures.action("r1", "inc-1", "restart", ActionType.RESTART_SERVICE, "service", "cart",
                Map.of("cluster", "c1"), T0);
        Action second = Fixtures.action("r2", "inc-2", "restart", ActionType.RESTART_SERVICE, "service", "shop",
                Map.of("cluster", "c1"), T0);
        Action otherCluster = Fixtures.action("r3", "inc-3", "restart", ActionType.RESTART_SERVICE, "service", "shop",
                Map.of("cluster", "c2"), T0);

        assertThat(guardrails.check(first).allowed()).isTrue();
        Verdict held = guardrails.check(second);
        assertThat(held.decision()).isEqualTo(Decision.HOLD);
        assertThat(held.reason()).contains("1 of the members of cluster=c1 already disrupted (service:cart)")
                .contains("limit of 1");
        assertThat(held.retryAt()).isEqualTo(T0.plusSeconds(10));
        assertThat(guardrails.check(otherCluster).allowed()).isTrue();

        activity.onResult(result(first, ActionStatus.SUCCEEDED, T0, T0.plusSeconds(3)), T0.plusSeconds(3));
        assertThat(guardrails.check(second).allowed()).isTrue();
    }

    @Test
    void percentRoundsDownButAllowsAtLeastOne() {
        BlastRadius.Limit twentyPercent = percentOfZone(20, Map.of("eu-1", TEN_HOSTS));
        assertThat(twentyPercent.allowed(10)).isEqualTo(2);
        assertThat(twentyPercent.allowed(14)).isEqualTo(2);
        assertThat(twentyPercent.allowed(15)).isEqualTo(3);
        assertThat(twentyPercent.allowed(4)).isEqualTo(1);
        BlastRadius.Limit both = new BlastRadius.Limit("both", "zone", null, 1, 50, Map.of("eu-1", TEN_HOSTS), null);
        assertThat(both.allowed(10)).isEqualTo(1);
    }
}
