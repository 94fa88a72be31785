package io.reflex.remediator.guard;

import static io.reflex.remediator.guard.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reflex.model.Action;
import io.reflex.model.ActionMode;
import io.reflex.model.ActionStatus;
import io.reflex.model.ActionType;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Drills' dry runs judged by guardrails of their own drill: counted against each other, never against real work. */
class RehearsalsTest {
    private static final String DRILL = "drill-storm-20261126T120000Z";
    private static final String OTHER = "drill-storm-20261126T130000Z";

    private final MutableClock clock = new MutableClock(T0);

    private static GuardrailsConfig config(boolean paused, List<RateLimits.Limit> rates) {
        return new GuardrailsConfig(paused, null, rates,
                List.of(new BlastRadius.Limit("hosts-per-zone", "zone", null, 2, null, null, null)), null, null, null);
    }

    private static Action rehearsed(Action action, String drillId) {
        Map<String, String> labels = new HashMap<>(action.labels());
        labels.put(Rehearsals.DRILL_ID, drillId);
        return new Action(action.id(), action.incidentId(), action.rule(), action.type(), action.target(),
                action.params(), ActionMode.DRY_RUN, false, action.createdAt(), action.deadline(),
                action.resourceKey(), labels);
    }

    private static Action isolate(int i, String drillId) {
        return rehearsed(Fixtures.isolate(drillId + "-iso-" + i, "web-" + i, "eu-1", T0), drillId);
    }

    @Test
    void lastingRehearsalsCountAgainstEachOtherPerDrillAndThePausedSwitchDoesNotApply() {
        Rehearsals rehearsals = new Rehearsals(config(true, null), clock);

        List<Verdict> first = IntStream.range(0, 4).mapToObj(i -> rehearsals.check(isolate(i, DRILL))).toList();
        List<Verdict> other = IntStream.range(0, 4).mapToObj(i -> rehearsals.check(isolate(i, OTHER))).toList();

        assertThat(first).extracting(Verdict::decision)
                .containsExactly(Decision.ALLOW, Decision.ALLOW, Decision.HOLD, Decision.HOLD);
        assertThat(first.get(2).guardrail()).isEqualTo("blastRadius:hosts-per-zone");
        assertThat(other).extracting(Verdict::decision)
                .containsExactly(Decision.ALLOW, Decision.ALLOW, Decision.HOLD, Decision.HOLD);
        ActivityLog ledger = rehearsals.ledger(DRILL).orElseThrow();
        assertThat(ledger.disrupted().keySet()).containsExactlyInAnyOrder("host:web-0", "host:web-1");
        assertThat(ledger.get(DRILL + "-iso-0").orElseThrow().status()).isEqualTo(ActionStatus.SUCCEEDED);
        assertThat(ledger.inFlight()).isEmpty();
    }

    @Test
    void aRehearsedRestartCountsForTheRateLimitOfItsDrillOnly() {
        Rehearsals rehearsals = new Rehearsals(config(false,
                List.of(new RateLimits.Limit("restarts", "target", List.of("restart_service"), 1, "1h"))), clock);
        Action first = rehearsed(Fixtures.restart("r1", "inc-1", "shop", T0), DRILL);
        Action second = rehearsed(Fixtures.restart("r2", "inc-1", "shop", T0), DRILL);
        Action otherDrill = rehearsed(Fixtures.restart("r3", "inc-2", "shop", T0), OTHER);

        assertThat(rehearsals.check(first).allowed()).isTrue();
        assertThat(rehearsals.check(second).decision()).isEqualTo(Decision.REFUSE);
        assertThat(rehearsals.check(otherDrill).allowed()).isTrue();
    }

    @Test
    void aRehearsedUncordonReleasesTheRehearsedCordon() {
        Rehearsals rehearsals = new Rehearsals(config(false, null), clock);
        rehearsals.check(rehearsed(Fixtures.action("c1", "inc-1", "drill fault", ActionType.CORDON_NODE, "node", "n1",
                Map.of("zone", "eu-1"), T0), DRILL));
        assertThat(rehearsals.ledger(DRILL).orElseThrow().disrupted()).containsOnlyKeys("node:n1");

        clock.advance(Duration.ofSeconds(1));
        rehearsals.check(rehearsed(Fixtures.action("u1", "inc-1", "drill undo", ActionType.UNCORDON_NODE, "node", "n1",
                Map.of("zone", "eu-1"), T0), DRILL));

        assertThat(rehearsals.ledger(DRILL).orElseThrow().disrupted()).isEmpty();
    }

    @Test
    void aDrillIdleForTenMinutesAndTheLeastRecentlyUsedBeyondEightAreForgotten() {
        Rehearsals rehearsals = new Rehearsals(config(false, null), clock);
        rehearsals.check(isolate(0, DRILL));
        for (int i = 1; i < Rehearsals.MAX_DRILLS; i++) {
            rehearsals.check(isolate(0, "drill-" + i));
        }
        rehearsals.check(isolate(1, DRILL)); // DRILL is the most recently used now
        rehearsals.check(isolate(0, "drill-new"));
        assertThat(rehearsals.drills()).hasSize(Rehearsals.MAX_DRILLS).contains(DRILL, "drill-new")
                .doesNotContain("drill-1");

        clock.advance(Rehearsals.IDLE.minusSeconds(1));
        rehearsals.check(isolate(2, DRILL));
        clock.advance(Duration.ofSeconds(2));
        assertThat(rehearsals.drills()).containsExactly(DRILL);
        assertThat(rehearsals.ledger(DRILL).orElseThrow().disrupted()).hasSize(2);
    }

    @Test
    void onlyDryRunsWithADrillIdAreRehearsed() {
        Rehearsals rehearsals = new Rehearsals(config(false, null), clock);
        Action real = Fixtures.isolate("x", "web-1", "eu-1", T0);
        assertThat(Rehearsals.drillOf(real)).isNull();
        assertThat(Rehearsals.drillOf(isolate(1, DRILL))).isEqualTo(DRILL);
        assertThatThrownBy(() -> rehearsals.check(real)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("without a drillId label");
    }
}
