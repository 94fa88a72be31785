package io.reflex.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.reflex.model.Action;
import io.reflex.model.ActionMode;
import io.reflex.model.ActionResult;
import io.reflex.model.ActionStatus;
import io.reflex.model.ActionType;
import io.reflex.model.AlertEvent;
import io.reflex.model.AlertStatus;
import io.reflex.model.Incident;
import io.reflex.model.IncidentStatus;
import io.reflex.model.Resource;
import io.reflex.model.RuleRef;
import io.reflex.model.Target;
import io.reflex.model.TimelineEntry;
import io.reflex.model.TimelineKind;
import io.reflex.testkit.MutableClock;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The runner against a fake Reflex: a feed whose records the test (playing rules and remediator)
 * queues in answer to what the drill writes, and a clock that moves as the drill polls.
 */
class DrillRunnerTest {
    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
    private static final String ID = "drill-test-20261126T100000Z";

    private final MutableClock clock = new MutableClock(T0);
    private final Deque<Object> queued = new ArrayDeque<>();
    private final List<Action> actionsWritten = new ArrayList<>();
    private final List<AlertEvent> alertsWritten = new ArrayList<>();
    private final List<TimelineEntry> entriesWritten = new ArrayList<>();
    private final List<String> progress = new ArrayList<>();
    private Consumer<Action> remediator = a -> { };
    private Consumer<AlertEvent> rules = a -> { };
    private Predicate<SteadyState> healthy = s -> true;
    private int injections;
    /** Runs before each poll: a stage of Reflex that reacts to the injection rather than to a write. */
    private Runnable queuedHook = () -> { };

    private final DrillFeed feed = new DrillFeed() {
        @Override
        public List<Object> poll(Duration wait) {
            clock.advance(wait.isZero() ? Duration.ofMillis(1) : wait);
            queuedHook.run();
            List<Object> out = new ArrayList<>(queued);
            queued.clear();
            return out;
        }

        @Override
        public void close() {
        }
    };

    private final DrillWriter writer = new DrillWriter() {
        @Override
        public void action(Action action) {
            actionsWritten.add(action);
            remediator.accept(action);
        }

        @Override
        public void alert(AlertEvent alert) {
            alertsWritten.add(alert);
            rules.accept(alert);
        }

        @Override
        public void timeline(TimelineEntry entry) {
            entriesWritten.add(entry);
        }

        @Override
        public void close() {
        }
    };

    private final ProbeChecker probes = new ProbeChecker() {
        @Override
        public Check check(SteadyState steady) {
            return healthy.test(steady) ? new Check(true, "HTTP 200") : new Check(false, "HTTP 503");
        }
    };

    private DrillRunner runner(URI prometheusUrl) {
        FaultInjector injector = fault -> {
            injections++;
            return new FaultInjector.Injection(clock.instant(), "sent KILL to demo-shop (pid 42)");
        };
        return new DrillRunner(probes, injector, from -> feed, () -> writer, prometheusUrl, clock);
    }

    private DrillReport run(String yaml) {
        return runner(null).run(DrillFile.parse(yaml, "test.yaml"), ID, (id, line) -> progress.add(id + ": " + line));
    }

    private static ActionResult result(Action action, ActionStatus status, String detail, Instant at) {
        return new ActionResult(action.id(), action.incidentId(), status, 1, detail, at, at, action.type());
    }

    private static TimelineEntry entry(String incident, Instant at, TimelineKind kind, Map<String, String> refs) {
        return new TimelineEntry(incident, at, kind, kind + " on " + incident, refs);
    }

    // ------------------------------------------------------------------ dry run: alert storm

    private static final String STORM = """
            name: storm
            mode: dry-run
            fault:
              type: alert-storm
              alerts: 4
              over: 4s
              alert: HostDown
              resource: "host:storm-{i}"
              labels: {zone: "zone-{i%2}"}
            expect: {rule: isolate host, action: isolate_host, guardrail: blastRadius}
            slo: 30s
            timeout: 30s
            """;

    /** Plays the rules stage and the rehearsing remediator: the first {@code allowed} actions would run, the rest are held. */
    private void rehearse(int allowed) {
        int[] n = {0};
        rules = alert -> {
            if (alert.status() == AlertStatus.RESOLVED) {
                return;
            }
            int i = n[0]++;
            String incident = "inc-storm-" + i;
            Instant at = clock.instant();
            Map<String, String> tag = Map.of("drillId", alert.drillId());
            queued.add(entry(incident, at, TimelineKind.ALERT_RECEIVED, tag));
            Action action = new Action("act-" + i, incident, new RuleRef("isolate host", 3), ActionType.ISOLATE_HOST,
                    new Target("ssh", "host", alert.resource().name()), Map.of(), ActionMode.DRY_RUN, false, at,
                    at.plusSeconds(60), alert.resource().key(), Map.of("drillId", alert.drillId(), "zone",
                    alert.label("zone")));
            queued.add(action);
            queued.add(entry(incident, at.plusMillis(5), TimelineKind.RULE_FIRED, Map.of("drillId", alert.drillId(),
                    "rule", "isolate host", "actionId", action.id())));
            if (i < allowed) {
                queued.add(result(action, ActionStatus.SKIPPED, "dry run: would isolate_host " + action.target().key(),
                        at.plusMillis(20)));
            } else {
                // The remediator's own formats: the guardrail's name has a colon of its own.
                queued.add(new TimelineEntry(incident, at.plusMillis(15), TimelineKind.GUARDRAIL,
                        "drill " + alert.drillId() + ": isolate_host " + action.target().key() + " would be held by"
                        + " blastRadius:hosts-per-zone: Blast radius hosts-per-zone: 2 of 4 hosts in zone already"
                        + " disrupted", Map.of("drillId", alert.drillId(), "guardrail", "blastRadius:hosts-per-zone",
                        "decision", "HOLD", "actionId", action.id())));
                queued.add(result(action, ActionStatus.SKIPPED, "dry run: would be held by blastRadius:hosts-per-zone:"
                        + " Blast radius hosts-per-zone: 2 of 4 hosts in zone already disrupted", at.plusMillis(20)));
            }
        };
    }

    @Test
    void aStormSendsTaggedAlertsSpreadOverItsDurationAndCountsWhatTheGuardrailsDid() {
        rehearse(2);

        DrillReport report = run(STORM);

        List<AlertEvent> firing = alertsWritten.stream().filter(a -> a.status() == AlertStatus.FIRING).toList();
        assertThat(firing).hasSize(4).allSatisfy(a -> {
            assertThat(a.source()).isEqualTo("drill");
            assertThat(a.drillId()).isEqualTo(ID);
            assertThat(a.name()).isEqualTo("HostDown");
        });
        assertThat(firing).extracting(a -> a.resource().key())
                .containsExactly("host:storm-0", "host:storm-1", "host:storm-2", "host:storm-3");
        assertThat(firing).extracting(a -> a.label("zone")).containsExactly("zone-0", "zone-1", "zone-0", "zone-1");
        assertThat(firing.get(3).receivedAt()).isAfterOrEqualTo(T0.plusSeconds(3));
        // Each rehearsal incident is resolved at the end: its alert again, RESOLVED.
        List<AlertEvent> resolved = alertsWritten.subList(4, alertsWritten.size());
        assertThat(resolved).hasSize(4).allSatisfy(a -> assertThat(a.status()).isEqualTo(AlertStatus.RESOLVED));
        assertThat(resolved).extracting(AlertEvent::resource, AlertEvent::name, AlertEvent::fingerprint,
                AlertEvent::drillId, AlertEvent::source).isEqualTo(firing.stream().map(a -> org.assertj.core.groups.Tuple
                .tuple(a.resource(), a.name(), a.fingerprint(), a.drillId(), "drill")).toList());
        assertThat(actionsWritten).as("a dry run touches nothing").isEmpty();
        assertThat(report.passed()).as(report.reason()).isTrue();
        assertThat(report.mode()).isEqualTo("dry-run");
        assertThat(report.reason()).contains("SLO not graded");
        assertThat(report.phases().recoverMs()).isNull();
        assertThat(report.phases().detectMs()).isNotNull();
        assertThat(report.sloMs()).isNull();
        assertThat(report.storm()).as("each hold counted once").isEqualTo(new DrillReport.StormCounts(4, 4, 4, 2,
                Map.of("blastRadius:hosts-per-zone", new DrillReport.GuardrailCounts(2, 0, 0))));
        assertThat(report.guardrails()).hasSize(2)
                .allSatisfy(g -> assertThat(g).startsWith("blastRadius:hosts-per-zone HOLD: "));
        assertThat(report.readable()).contains("not measured in a dry run")
                .contains("storm      4 alerts sent, 4 incidents, 4 actions decided, 2 would run")
                .contains("guardrail  blastRadius:hosts-per-zone: held 2, refused 0, escalated 0");
        assertThat(progress).allSatisfy(line -> assertThat(line).startsWith(ID + ": ")).isNotEmpty();
    }

    @Test
    void aStormFailsWhenTheExpectedGuardrailHeldNothing() {
        rehearse(4);

        DrillReport report = run(STORM);

        assertThat(report.passed()).isFalse();
        assertThat(report.reason()).isEqualTo("guardrail blastRadius held or refused none of the drill's 4 actions");
        assertThat(report.storm().wouldRun()).isEqualTo(4);
    }

    @Test
    void aDryRunWithoutARehearsalSaysWhatIsMissing() {
        DrillReport report = run(STORM);

        assertThat(report.passed()).isFalse();
        assertThat(report.reason()).startsWith("no rehearsal incident for drill " + ID);
        assertThat(report.storm().alertsSent()).isEqualTo(4);
        assertThat(report.storm().incidents()).isZero();
    }

    @Test
    void aDryRunOfAKillSendsTheAlertOfItsSectionOnTheFaultsResource() {
        rules = alert -> {
            if (alert.status() == AlertStatus.RESOLVED) {
                return;
            }
            Instant at = clock.instant();
            queued.add(entry("inc-r", at, TimelineKind.ALERT_RECEIVED, Map.of("drillId", ID)));
            Action action = new Action("act-r", "inc-r", new RuleRef("restart", 1), ActionType.RESTART_SERVICE,
                    new Target("process", "service", "demo-shop"), Map.of(), ActionMode.DRY_RUN, false, at,
                    at.plusSeconds(60), "service:demo-shop", Map.of("drillId", ID));
            queued.add(action);
            queued.add(entry("inc-r", at, TimelineKind.RULE_FIRED, Map.of("drillId", ID, "rule", "restart",
                    "actionId", "act-r")));
            queued.add(result(action, ActionStatus.SKIPPED, "dry run: would restart_service service:demo-shop", at));
        };

        DrillReport report = run(LIVE_KILL.replace("mode: live", "mode: dry-run")
                + "alert: {name: ServiceDown, labels: {service: demo-shop}, severity: critical}\n");

        assertThat(injections).as("nothing real is touched").isZero();
        assertThat(alertsWritten).extracting(AlertEvent::status).containsExactly(AlertStatus.FIRING, AlertStatus.RESOLVED);
        assertThat(alertsWritten.get(1).fingerprint()).isEqualTo(alertsWritten.get(0).fingerprint());
        assertThat(alertsWritten.get(0)).satisfies(a -> {
            assertThat(a.resource().key()).isEqualTo("service:demo-shop");
            assertThat(a.name()).isEqualTo("ServiceDown");
            assertThat(a.labels()).isEqualTo(Map.of("service", "demo-shop"));
            assertThat(a.drillId()).isEqualTo(ID);
        });
        assertThat(report.passed()).as(report.reason()).isTrue();
        assertThat(report.storm()).isNull();
        assertThat(report.incidentId()).isEqualTo("inc-r");
        assertThat(entriesWritten).as("a dry run's incidents are tagged by the rules stage").isEmpty();
    }

    // ------------------------------------------------------------------ live

    private static final String LIVE_KILL = """
            name: kill
            mode: live
            steadyState: {http: "http://127.0.0.1:1/health", interval: 1s}
            fault: {type: kill, service: demo-shop}
            expect: {rule: restart, action: restart_service}
            slo: 10s
            timeout: 20s
            """;

    /** Plays Reflex healing the kill: an incident, its alert, the rule, the restart and its success. */
    private void heal(String resource, String rule, ActionType type, Target target) {
        Instant at = clock.instant();
        queued.add(new Incident("inc-1", IncidentStatus.OPEN, "down", Resource.of(resource.split(":")[0],
                resource.split(":")[1]), "ServiceDown", at, null, List.of(), List.of()));
        queued.add(entry("inc-1", at.plusMillis(100), TimelineKind.ALERT_RECEIVED, Map.of()));
        Action action = new Action("act-heal", "inc-1", new RuleRef(rule, 1), type, target, Map.of(), ActionMode.EXECUTE,
                false, at, at.plusSeconds(60), resource, Map.of());
        queued.add(action);
        queued.add(entry("inc-1", at.plusMillis(200), TimelineKind.RULE_FIRED, Map.of("rule", rule, "actionId",
                action.id())));
        queued.add(result(action, ActionStatus.SUCCEEDED, "restarted", at.plusMillis(900)));
    }

    @Test
    void anSshStopIsAnActionThroughReflexAndTheHealedIncidentIsTaggedAsADrill() {
        Target target = new Target("ssh", "service", "nginx");
        int[] checks = {0};
        healthy = s -> checks[0]++ != 1; // steady, then down once, then back
        remediator = action -> {
            if (action.rule().name().equals("drill fault")) {
                queued.add(result(action, ActionStatus.SUCCEEDED, "stopped nginx on web-1", clock.instant()));
                heal("service:nginx", "restart", ActionType.RESTART_SERVICE, target);
            }
        };

        DrillReport report = run(LIVE_KILL.replace("fault: {type: kill, service: demo-shop}",
                "fault: {type: ssh-stop, connector: ssh, host: web-1, service: nginx}"));

        assertThat(injections).isZero();
        assertThat(actionsWritten).singleElement().satisfies(fault -> {
            assertThat(fault.type()).isEqualTo(ActionType.STOP_SERVICE);
            assertThat(fault.target()).isEqualTo(target);
            assertThat(fault.rule().name()).isEqualTo("drill fault");
            assertThat(fault.mode()).isEqualTo(ActionMode.EXECUTE);
            assertThat(fault.incidentId()).isEqualTo(ID);
            assertThat(fault.label("drillId")).isEqualTo(ID);
        });
        assertThat(report.passed()).as(report.reason()).isTrue();
        assertThat(report.incidentId()).isEqualTo("inc-1");
        assertThat(entriesWritten).allSatisfy(e -> {
            assertThat(e.incidentId()).isEqualTo("inc-1");
            assertThat(e.kind()).isEqualTo(TimelineKind.DRILL);
            assertThat(e.refs()).containsEntry("drillId", ID);
        }).extracting(e -> e.refs().get("phase")).containsExactly("injected", "verdict");
        assertThat(entriesWritten.get(0).summary()).contains("ssh-stop service nginx on web-1");
    }

    @Test
    void aFaultActionThatIsNotCarriedOutStopsTheDrillAsCouldNotInject() {
        remediator = action -> queued.add(result(action, ActionStatus.REJECTED,
                "refused by guardrail maintenanceWindow: outside the window", clock.instant()));

        DrillReport report = run(LIVE_KILL.replace("fault: {type: kill, service: demo-shop}",
                "fault: {type: cordon, connector: k8s, node: worker-1}"));

        assertThat(report.passed()).isFalse();
        assertThat(report.reason()).isEqualTo("could not inject: REJECTED: refused by guardrail maintenanceWindow:"
                + " outside the window");
        assertThat(report.injectedAt()).isNull();
        assertThat(actionsWritten).as("no undo of a fault that did not happen").singleElement()
                .satisfies(a -> assertThat(a.type()).isEqualTo(ActionType.CORDON_NODE));
        assertThat(entriesWritten).isEmpty();
    }

    @Test
    void aGuardrailHoldingTheRemediationAbortsAndUndoesTheFault() {
        healthy = s -> !actionsWritten.isEmpty() || injections == 0;
        remediator = action -> queued.add(result(action, ActionStatus.SUCCEEDED, "restarted demo-shop", clock.instant()));
        rulesAfterInjection(() -> {
            Instant at = clock.instant();
            queued.add(new Incident("inc-1", IncidentStatus.OPEN, "down", Resource.of("service", "demo-shop"),
                    "ServiceDown", at, null, List.of(), List.of()));
            queued.add(entry("inc-1", at, TimelineKind.ALERT_RECEIVED, Map.of()));
            Action action = new Action("act-heal", "inc-1", new RuleRef("restart", 1), ActionType.RESTART_SERVICE,
                    new Target("process", "service", "demo-shop"), Map.of(), ActionMode.EXECUTE, false, at,
                    at.plusSeconds(60), "service:demo-shop", Map.of());
            queued.add(action);
            queued.add(new TimelineEntry("inc-1", at, TimelineKind.GUARDRAIL, "held restart_service: rate limit 3/h",
                    Map.of("guardrail", "rateLimit", "decision", "HOLD", "actionId", "act-heal")));
        });

        DrillReport report = run(LIVE_KILL + "abort: {onGuardrail: true}\n");

        assertThat(report.aborted()).isTrue();
        assertThat(report.abortReason()).isEqualTo("guardrail rateLimit held action act-heal: held restart_service:"
                + " rate limit 3/h");
        assertThat(report.passed()).isFalse();
        assertThat(report.reason()).startsWith("aborted: guardrail rateLimit held");
        assertThat(report.guardrails()).containsExactly("rateLimit HOLD: held restart_service: rate limit 3/h");
        assertThat(report.undone()).isTrue();
        assertThat(actionsWritten).singleElement().satisfies(undo -> {
            assertThat(undo.rule().name()).isEqualTo("drill undo");
            assertThat(undo.type()).isEqualTo(ActionType.RESTART_SERVICE);
            assertThat(undo.incidentId()).isEqualTo("inc-1");
        });
        assertThat(entriesWritten).extracting(e -> e.refs().get("phase")).containsExactly("injected", "aborted", "undo");
        assertThat(report.readable()).contains("aborted    guardrail rateLimit held");
    }

    @Test
    void aFailingAbortProbeAbortsAndUndoes() {
        SteadyState[] abortProbe = new SteadyState[1];
        healthy = s -> s != abortProbe[0] || injections == 0;
        remediator = action -> queued.add(result(action, ActionStatus.SUCCEEDED, "restarted", clock.instant()));
        DrillDefinition drill = DrillFile.parse(LIVE_KILL + "abort: {probe: {tcp: \"127.0.0.1:5432\"}}\n", "a.yaml");
        abortProbe[0] = drill.abort().probe();

        DrillReport report = runner(null).run(drill, ID, DrillProgress.NONE);

        assertThat(report.aborted()).isTrue();
        assertThat(report.abortReason()).isEqualTo("the abort probe tcp 127.0.0.1:5432 failed (HTTP 503)");
        assertThat(report.undone()).isTrue();
        assertThat(actionsWritten).extracting(a -> a.rule().name()).containsExactly("drill undo");
        assertThat(entriesWritten).as("no incident known, nothing to tag").isEmpty();
    }

    @Test
    void aPrometheusProbeNeedsAUrlFromTheFileOrTheRunner() {
        DrillDefinition drill = DrillFile.parse(LIVE_KILL.replace("{http: \"http://127.0.0.1:1/health\", interval: 1s}",
                "{prometheus: {query: up}}"), "p.yaml");

        DrillFileException refused = catchThrowableOfType(DrillFileException.class,
                () -> runner(null).run(drill, ID, DrillProgress.NONE));

        assertThat(refused.problems()).extracting(DrillProblem::path).containsExactly("steadyState.prometheus.url");
        assertThat(injections).isZero();
        assertThat(runner(URI.create("http://127.0.0.1:9090")).problems(drill)).isEmpty();
        healthy = s -> {
            assertThat(s.probe()).isEqualTo(new SteadyState.Prometheus("up", URI.create("http://127.0.0.1:9090")));
            return false;
        };
        assertThat(runner(URI.create("http://127.0.0.1:9090")).run(drill, ID, DrillProgress.NONE).reason())
                .startsWith("not in the steady state before the fault (prometheus up at http://127.0.0.1:9090");
    }

    @Test
    void aStormThatCannotSendAllItsAlertsInTimeFailsSayingSo() {
        rehearse(2);
        // A slow Kafka: each hand-over takes 15s of the drill's 34s (timeout 30s + over 4s).
        Consumer<AlertEvent> rehearsal = rules;
        rules = alert -> {
            if (alert.status() == AlertStatus.FIRING) {
                clock.advance(Duration.ofSeconds(15));
            }
            rehearsal.accept(alert);
        };

        DrillReport report = run(STORM);

        assertThat(report.passed()).isFalse();
        assertThat(report.reason()).isEqualTo("sent 3 of 4 alerts before the timeout; raise timeout or lower the rate");
        assertThat(report.storm().alertsSent()).isEqualTo(3);
        assertThat(alertsWritten).filteredOn(a -> a.status() == AlertStatus.RESOLVED).as("the sent ones resolved")
                .hasSize(3);
    }

    @Test
    void aDrillInterruptedAfterTheInjectionSendsTheUndoAndSaysSo() {
        boolean[] interruptedWhileWriting = {true};
        remediator = action -> interruptedWhileWriting[0] = Thread.currentThread().isInterrupted();
        // What a closing scheduler does to the drill thread: KafkaConsumer.poll throws InterruptException.
        queuedHook = () -> {
            if (injections > 0) {
                throw new org.apache.kafka.common.errors.InterruptException("interrupted in poll");
            }
        };

        DrillReport report;
        try {
            report = run(LIVE_KILL);
        } finally {
            assertThat(Thread.interrupted()).as("the interrupt is kept for the caller").isTrue();
        }

        assertThat(actionsWritten).singleElement().satisfies(undo -> {
            assertThat(undo.rule().name()).isEqualTo("drill undo");
            assertThat(undo.type()).isEqualTo(ActionType.RESTART_SERVICE);
        });
        assertThat(interruptedWhileWriting[0]).as("the flag is cleared while the undo is written").isFalse();
        assertThat(report.passed()).isFalse();
        assertThat(report.reason()).startsWith("interrupted: interrupted in poll; undo sent (action "
                + actionsWritten.get(0).id() + ")");
        assertThat(report.injectedAt()).isNotNull();
    }

    @Test
    void aFeedThatFailsAfterTheInjectionStillUndoesTheFault() {
        queuedHook = () -> {
            if (injections > 0) {
                throw new IllegalStateException("Kafka went away");
            }
        };

        DrillReport report = run(LIVE_KILL);

        assertThat(actionsWritten).extracting(a -> a.rule().name()).containsExactly("drill undo");
        assertThat(report.reason()).isEqualTo("failed: Kafka went away; undo sent (action " + actionsWritten.get(0).id()
                + ")");
    }

    @Test
    void aFaultActionWithoutAResultPastItsDeadlineIsUndoneAnyway() {
        DrillReport report = run(LIVE_KILL.replace("fault: {type: kill, service: demo-shop}",
                "fault: {type: ssh-stop, connector: ssh, host: web-1, service: nginx}"));

        assertThat(actionsWritten).extracting(a -> a.rule().name()).containsExactly("drill fault", "drill undo");
        Action fault = actionsWritten.get(0);
        Action undo = actionsWritten.get(1);
        assertThat(undo.target()).as("same target key, so it queues behind the fault").isEqualTo(fault.target());
        assertThat(undo.type()).isEqualTo(ActionType.START_SERVICE);
        assertThat(clock.instant()).as("waited past the fault's own deadline")
                .isAfter(fault.deadline().plus(DrillRunner.FAULT_RESULT_GRACE).minusSeconds(1));
        assertThat(report.passed()).isFalse();
        assertThat(report.reason()).startsWith("could not inject: no result for the fault action " + fault.id())
                .contains("the undo was sent anyway (action " + undo.id());
    }

    @Test
    void aGuardrailBrieflyHoldingTheDrillsOwnFaultIsNoReasonToAbort() {
        Target target = new Target("ssh", "service", "nginx");
        int[] checks = {0};
        healthy = s -> checks[0]++ != 1;
        remediator = action -> {
            if (action.rule().name().equals("drill fault")) {
                Instant at = clock.instant();
                // Held a moment by a rate limit, then run.
                queued.add(new TimelineEntry(action.incidentId(), at.minusMillis(300), TimelineKind.GUARDRAIL,
                        "held stop_service: rate limit", Map.of("guardrail", "rateLimit:ssh", "decision", "HOLD",
                                "actionId", action.id())));
                queued.add(action);
                queued.add(result(action, ActionStatus.SUCCEEDED, "stopped nginx on web-1", at));
                heal("service:nginx", "restart", ActionType.RESTART_SERVICE, target);
            }
        };

        DrillReport report = run(LIVE_KILL.replace("fault: {type: kill, service: demo-shop}",
                "fault: {type: ssh-stop, connector: ssh, host: web-1, service: nginx}") + "abort: {onGuardrail: true}\n");

        assertThat(report.aborted()).as(report.reason()).isFalse();
        assertThat(report.passed()).as(report.reason()).isTrue();
    }

    @Test
    void aDrillInterruptedWhileItsFaultActionRunsUndoesIt() {
        queuedHook = () -> {
            if (!actionsWritten.isEmpty()) {
                throw new org.apache.kafka.common.errors.InterruptException("interrupted in poll");
            }
        };

        DrillReport report;
        try {
            report = run(LIVE_KILL.replace("fault: {type: kill, service: demo-shop}",
                    "fault: {type: cordon, connector: k8s, node: worker-1}"));
        } finally {
            assertThat(Thread.interrupted()).as("the interrupt is kept for the caller").isTrue();
        }

        assertThat(actionsWritten).extracting(Action::type).containsExactly(ActionType.CORDON_NODE,
                ActionType.UNCORDON_NODE);
        assertThat(report.reason()).isEqualTo("could not inject: interrupted while waiting for the fault action "
                + actionsWritten.get(0).id() + ": interrupted in poll; undo sent (action " + actionsWritten.get(1).id()
                + ")");
    }

    private void rulesAfterInjection(Runnable rulesStage) {
        // The rules react once, on the first poll after the injection.
        boolean[] done = {false};
        queuedHook = () -> {
            if (injections > 0 && !done[0]) {
                done[0] = true;
                rulesStage.run();
            }
        };
    }
}
