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
import io.reflex.remediator.guard.BlastRadius;
import io.reflex.remediator.guard.Flapping;
import io.reflex.remediator.guard.GuardrailsConfig;
import io.reflex.remediator.guard.RateLimits;
import io.reflex.remediator.guard.Rehearsals;
import io.reflex.testkit.MutableClock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The dispatcher with drills' dry runs: judged by the rehearsal guardrails, said at once, never run. */
class DispatcherRehearsalTest {
    private static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");
    private static final String DRILL = "drill-kill-demo-shop-20261126T100000Z";

    private final MutableClock clock = new MutableClock(NOW);
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final List<ActionResult> results = new CopyOnWriteArrayList<>();
    private final List<TimelineEntry> timeline = new CopyOnWriteArrayList<>();
    private final List<Action> executed = new CopyOnWriteArrayList<>();
    private final List<Action> gated = new CopyOnWriteArrayList<>();

    private final Connector process = new Connector() {
        @Override
        public String name() {
            return "process";
        }

        @Override
        public Outcome execute(Action action) {
            executed.add(action);
            return Outcome.succeeded("done");
        }
    };

    private final Dispatcher dispatcher = new Dispatcher(
            name -> name.equals("process") ? Optional.of(process) : Optional.empty(), Set.of("process"),
            new Dispatcher.Reporter() {
                @Override
                public CompletableFuture<Void> result(String key, ActionResult result) {
                    results.add(result);
                    return CompletableFuture.completedFuture(null);
                }

                @Override
                public CompletableFuture<Void> timeline(TimelineEntry entry) {
                    timeline.add(entry);
                    return CompletableFuture.completedFuture(null);
                }
            }, clock, new RemediatorMetrics(new PrometheusRegistry()), action -> {
                gated.add(action);
                return GateDecision.allow();
            }, id -> Optional.empty(), RemediatorConfig.defaults(), Runnable::run, scheduler, null,
            Dispatcher.ApprovalBook.NONE,
            new Rehearsals(new GuardrailsConfig(true, null,
                    List.of(new RateLimits.Limit("restarts", "target", List.of("restart_service"), 1, "1h")),
                    List.of(new BlastRadius.Limit("hosts-per-zone", "zone", null, 1, null, null, null)),
                    new Flapping.Config(2, "1h"), null, null), clock));

    private static Action action(String id, String incident, ActionType type, String kind, String name,
            ActionMode mode, String drillId) {
        // Only isolations are in a zone, so the blast radius judges them alone.
        Map<String, String> labels = new HashMap<>(type == ActionType.ISOLATE_HOST ? Map.of("zone", "eu-1") : Map.of());
        if (drillId != null) {
            labels.put("drillId", drillId);
        }
        return new Action(id, incident, new RuleRef("r", 1), type, new Target("process", kind, name), Map.of(), mode,
                false, NOW, NOW.plusSeconds(60), kind + ":" + name, labels);
    }

    private ActionResult resultOf(String id) {
        return results.stream().filter(r -> r.actionId().equals(id)).reduce((a, b) -> b).orElseThrow();
    }

    private List<TimelineEntry> entriesOf(String id) {
        return timeline.stream().filter(e -> id.equals(e.refs().get("actionId"))).toList();
    }

    @Test
    void anAllowedRehearsalSaysWhatItWouldDoWithoutTheGateOrTheConnector() {
        dispatcher.dispatch(action("a1", "inc-1", ActionType.RESTART_SERVICE, "service", "shop", ActionMode.DRY_RUN,
                DRILL));

        assertThat(resultOf("a1").status()).isEqualTo(ActionStatus.SKIPPED);
        assertThat(resultOf("a1").detail()).isEqualTo(
                "dry run: would restart_service service:shop through process; guardrails allow it; nothing was done");
        assertThat(entriesOf("a1")).singleElement().satisfies(e -> {
            assertThat(e.kind()).isEqualTo(TimelineKind.ACTION_RESULT);
            assertThat(e.refs()).containsEntry("drillId", DRILL);
        });
        assertThat(executed).isEmpty();
        assertThat(gated).as("the real guardrails never see a rehearsal").isEmpty();
    }

    @Test
    void heldRefusedAndEscalatedRehearsalsEndAtOnceWithAGuardrailEntryNamingTheDrill() {
        dispatcher.dispatch(action("i1", "inc-i1", ActionType.ISOLATE_HOST, "host", "h1", ActionMode.DRY_RUN, DRILL));
        dispatcher.dispatch(action("i2", "inc-i2", ActionType.ISOLATE_HOST, "host", "h2", ActionMode.DRY_RUN, DRILL));
        dispatcher.dispatch(action("r1", "inc-r", ActionType.RESTART_SERVICE, "service", "s1", ActionMode.DRY_RUN,
                DRILL));
        dispatcher.dispatch(action("r2", "inc-r", ActionType.RESTART_SERVICE, "service", "s1", ActionMode.DRY_RUN,
                DRILL));
        dispatcher.dispatch(action("f1", "inc-f", ActionType.RUN_SCRIPT, "service", "f1", ActionMode.DRY_RUN, DRILL));
        dispatcher.dispatch(action("f2", "inc-f", ActionType.RUN_SCRIPT, "service", "f2", ActionMode.DRY_RUN, DRILL));
        dispatcher.dispatch(action("f3", "inc-f", ActionType.RUN_SCRIPT, "service", "f3", ActionMode.DRY_RUN, DRILL));

        assertThat(resultOf("i1").detail()).startsWith("dry run: would isolate_host host:h1");
        assertThat(resultOf("i2").detail()).startsWith(
                "dry run: would be held by blastRadius:hosts-per-zone: Blast radius hosts-per-zone");
        assertThat(resultOf("r2").detail()).startsWith("dry run: would be refused by rateLimit:restarts: ");
        assertThat(resultOf("f3").detail()).startsWith("dry run: would be escalated by flapping: ");
        assertThat(List.of("i2", "r2", "f3")).allSatisfy(id -> {
            assertThat(resultOf(id).status()).isEqualTo(ActionStatus.SKIPPED);
            assertThat(entriesOf(id)).filteredOn(e -> e.kind() == TimelineKind.GUARDRAIL).singleElement()
                    .satisfies(e -> assertThat(e.refs()).containsEntry("drillId", DRILL).containsKey("guardrail"));
        });
        assertThat(entriesOf("i2")).filteredOn(e -> e.kind() == TimelineKind.GUARDRAIL).singleElement()
                .satisfies(e -> assertThat(e.refs()).containsEntry("decision", "HOLD"));
        assertThat(entriesOf("r2")).filteredOn(e -> e.kind() == TimelineKind.GUARDRAIL).singleElement()
                .satisfies(e -> assertThat(e.refs()).containsEntry("decision", "REFUSE"));
        assertThat(entriesOf("f3")).filteredOn(e -> e.kind() == TimelineKind.GUARDRAIL).singleElement()
                .satisfies(e -> assertThat(e.refs()).containsEntry("decision", "ESCALATE"));
        assertThat(timeline).allSatisfy(e -> assertThat(e.refs()).containsEntry("drillId", DRILL));
        assertThat(scheduler.pending()).as("nothing waits").isZero();
        assertThat(executed).isEmpty();
    }

    @Test
    void aDryRunWithoutADrillIsSkippedUnjudgedAsBefore() {
        dispatcher.dispatch(action("d1", "inc-1", ActionType.ISOLATE_HOST, "host", "h1", ActionMode.DRY_RUN, null));
        dispatcher.dispatch(action("d2", "inc-2", ActionType.ISOLATE_HOST, "host", "h2", ActionMode.DRY_RUN, null));

        assertThat(List.of(resultOf("d1").detail(), resultOf("d2").detail())).allSatisfy(detail ->
                assertThat(detail).startsWith("DRY_RUN: would isolate_host host:h").endsWith("; nothing was done"));
        assertThat(timeline).allSatisfy(e -> assertThat(e.refs()).doesNotContainKey("drillId"));
    }

    @Test
    void aRealExecutionGoesThroughTheGateAndTheConnectorUntouchedByRehearsals() {
        dispatcher.dispatch(action("i1", "inc-i1", ActionType.ISOLATE_HOST, "host", "h1", ActionMode.DRY_RUN, DRILL));
        dispatcher.dispatch(action("x1", "inc-x1", ActionType.ISOLATE_HOST, "host", "h9", ActionMode.EXECUTE, null));

        assertThat(resultOf("x1").status()).isEqualTo(ActionStatus.SUCCEEDED);
        assertThat(gated).extracting(Action::id).containsExactly("x1");
        assertThat(executed).extracting(Action::id).containsExactly("x1");
        assertThat(entriesOf("x1")).allSatisfy(e -> assertThat(e.refs()).doesNotContainKey("drillId"));
    }
}
