package io.reflex.rules;

import io.reflex.testkit.MutableClock;
import static io.reflex.rules.Alerts.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.reflex.model.Action;
import io.reflex.model.ActionMode;
import io.reflex.model.ActionResult;
import io.reflex.model.ActionStatus;
import io.reflex.model.ActionType;
import io.reflex.model.AlertEvent;
import io.reflex.model.AlertStatus;
import io.reflex.model.DeadLetter;
import io.reflex.model.Incident;
import io.reflex.model.IncidentStatus;
import io.reflex.model.Resource;
import io.reflex.model.RuleRef;
import io.reflex.model.Target;
import io.reflex.model.TimelineEntry;
import io.reflex.model.TimelineKind;
import io.reflex.rules.vocabulary.ActionOutcome;
import io.reflex.model.Topic;
import io.reflex.model.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The decision topology, driven record by record with the stage's own Streams settings. */
class DecisionTopologyTest {
    private static final String RESTART_RULE = "restart service on ServiceDown";

    @TempDir
    Path stateDir;

    private final MutableClock clock = new MutableClock(T0.plusSeconds(2));
    private final RulesConfig config = RulesConfig.defaults();
    private RulesMetrics metrics;
    private TopologyTestDriver driver;
    private TestInputTopic<String, AlertEvent> alerts;
    private TestInputTopic<String, String> rawAlerts;
    private TestOutputTopic<String, Action> actions;
    private TestOutputTopic<String, TimelineEntry> timeline;
    private TestOutputTopic<String, Incident> incidents;
    private TestInputTopic<String, ActionResult> results;

    private void start(String drl) {
        metrics = new RulesMetrics(new PrometheusRegistry());
        Ruleset ruleset = new Ruleset(1, "test", RuleCompiler.compile("test", drl));
        driver = new TopologyTestDriver(DecisionTopology.build(ruleset, config, clock, metrics),
                RulesStage.streamsProperties(config, Map.of("bootstrap.servers", "unused:9092"), stateDir),
                clock.instant());
        alerts = driver.createInputTopic(Topics.ALERTS.name(), new StringSerializer(),
                Topics.ALERTS.valueSerde().serializer());
        rawAlerts = driver.createInputTopic(Topics.ALERTS.name(), new StringSerializer(), new StringSerializer());
        results = driver.createInputTopic(Topics.RESULTS.name(), new StringSerializer(),
                Topics.RESULTS.valueSerde().serializer());
        actions = output(Topics.ACTIONS);
        timeline = output(Topics.TIMELINE);
        incidents = output(Topics.INCIDENTS);
    }

    private void startDemo() {
        start(RuleCompiler.demoPackage());
    }

    private <V> TestOutputTopic<String, V> output(Topic<V> topic) {
        return driver.createOutputTopic(topic.name(), new StringDeserializer(), topic.valueSerde().deserializer());
    }

    @AfterEach
    void stop() {
        if (driver != null) {
            driver.close();
        }
    }

    private void send(AlertEvent alert) {
        alerts.pipeInput(alert.resource().key(), alert, alert.receivedAt());
    }

    /** Moves the wall clock, as the stage sees it (the injected clock) and as Streams punctuates. */
    private void passTime(Duration duration) {
        clock.advance(duration);
        driver.advanceWallClockTime(duration);
    }

    @Test
    void firingAlertOpensAnIncidentAndRestartsTheService() {
        startDemo();
        AlertEvent alert = Alerts.serviceDown("demo-shop", AlertStatus.FIRING, T0);
        String incidentId = Incident.idFor(alert.resource(), "ServiceDown", alert.id());

        send(alert);

        List<KeyValue<String, Incident>> states = incidents.readKeyValuesToList();
        assertThat(states).extracting(kv -> kv.key).containsOnly(incidentId);
        assertThat(states).extracting(kv -> kv.value.status())
                .containsExactly(IncidentStatus.OPEN, IncidentStatus.REMEDIATING);
        Incident opened = states.get(0).value;
        assertThat(opened.title()).isEqualTo("ServiceDown on service:demo-shop");
        assertThat(opened.resource()).isEqualTo(Resource.of("service", "demo-shop"));
        assertThat(opened.alertName()).isEqualTo("ServiceDown");
        assertThat(opened.openedAt()).isEqualTo(alert.receivedAt());
        assertThat(opened.resolvedAt()).isNull();
        assertThat(opened.actions()).isEmpty();
        assertThat(opened.timeline()).isEmpty();

        List<KeyValue<String, Action>> decided = actions.readKeyValuesToList();
        Action expected = new Action(Action.idFor(incidentId, RESTART_RULE, alert.id() + "#0"), incidentId,
                new RuleRef(RESTART_RULE, 1), ActionType.RESTART_SERVICE, new Target("process", "service", "demo-shop"),
                Map.of(), ActionMode.EXECUTE, false, clock.instant(), clock.instant().plus(Duration.ofMinutes(2)),
                "service:demo-shop", alert.labels());
        assertThat(decided).containsExactly(KeyValue.pair("service:demo-shop", expected));

        List<KeyValue<String, TimelineEntry>> steps = timeline.readKeyValuesToList();
        assertThat(steps).extracting(kv -> kv.key).containsOnly(incidentId);
        assertThat(steps).extracting(kv -> kv.value).containsExactly(
                new TimelineEntry(incidentId, alert.receivedAt(), TimelineKind.ALERT_RECEIVED,
                        "ServiceDown FIRING from alertmanager (severity critical)",
                        Map.of("alertId", alert.id(), "source", "alertmanager", "fingerprint", alert.fingerprint(),
                                "startsAt", alert.startsAt().toString(), "label.alertname", "ServiceDown",
                                "label.service", "demo-shop")),
                new TimelineEntry(incidentId, clock.instant(), TimelineKind.RULE_FIRED,
                        "rule \"restart service on ServiceDown\" v1 fired: restart_service service:demo-shop",
                        Map.of("rule", RESTART_RULE, "actionId", expected.id(), "alertId", alert.id(),
                                "matched", alert.id() + " (ServiceDown FIRING on service:demo-shop)",
                                "matchedIds", alert.id())));

        assertThat(metrics.alerts("decided")).isEqualTo(1);
        assertThat(metrics.actions(ActionType.RESTART_SERVICE)).isEqualTo(1);
    }

    @Test
    void ruleFiredNamesEveryAlertOfTheJoinThatMadeIt() {
        start("""
                package io.reflex.rules.test;
                import io.reflex.model.AlertEvent;
                global io.reflex.rules.Remediate remediate;

                rule "pods crash loop on a node within 2m of it going not ready"
                when
                    $n : AlertEvent(name == "NodeNotReady", firing)
                    $p : AlertEvent(name == "PodCrashLooping", firing, label("instance") == $n.label("instance"),
                                    this after[0s, 2m] $n)
                then
                    remediate.isolateHost($p, $n.label("instance"));
                end
                """);
        Resource node = Resource.of("host", "i1");
        AlertEvent notReady = Alerts.alert("NodeNotReady", node, Map.of("instance", "i1"), AlertStatus.FIRING, T0);
        AlertEvent crashing = Alerts.alert("PodCrashLooping", node, Map.of("instance", "i1"), AlertStatus.FIRING,
                T0.plusSeconds(90));

        send(notReady);
        send(crashing);

        Action isolate = actions.readValuesToList().get(0);
        assertThat(timeline.readValuesToList()).filteredOn(e -> e.kind() == TimelineKind.RULE_FIRED)
                .singleElement().satisfies(entry -> assertThat(entry.refs()).isEqualTo(Map.of(
                        "rule", "pods crash loop on a node within 2m of it going not ready",
                        "actionId", isolate.id(),
                        "alertId", crashing.id(),
                        "matched", notReady.id() + " (NodeNotReady FIRING on host:i1), "
                                + crashing.id() + " (PodCrashLooping FIRING on host:i1)",
                        "matchedIds", notReady.id() + "," + crashing.id())));
    }

    @Test
    void sameAlertDeliveredThreeTimesIsDecidedOnce() {
        startDemo();
        AlertEvent alert = Alerts.serviceDown("demo-shop", AlertStatus.FIRING, T0);

        send(alert);
        send(alert);
        send(alert);

        assertThat(actions.readValuesToList()).hasSize(1);
        assertThat(incidents.readValuesToList()).extracting(Incident::id).containsOnly(
                Incident.idFor(alert.resource(), alert.name(), alert.id()));
        assertThat(timeline.readValuesToList()).extracting(TimelineEntry::kind)
                .containsExactly(TimelineKind.ALERT_RECEIVED, TimelineKind.RULE_FIRED);
        assertThat(metrics.alerts("decided")).isEqualTo(1);
        assertThat(metrics.alerts("duplicate")).isEqualTo(2);
    }

    @Test
    void resolvedAlertResolvesTheIncidentAndTheNextFiringOpensANewOne() {
        startDemo();
        AlertEvent firing = Alerts.serviceDown("demo-shop", AlertStatus.FIRING, T0);
        AlertEvent resolved = Alerts.serviceDown("demo-shop", AlertStatus.RESOLVED, T0);
        send(firing);
        String incidentId = incidents.readValuesToList().get(0).id();
        timeline.readValuesToList();
        actions.readValuesToList();

        send(resolved);

        assertThat(incidents.readValuesToList()).singleElement().satisfies(incident -> {
            assertThat(incident.id()).isEqualTo(incidentId);
            assertThat(incident.status()).isEqualTo(IncidentStatus.RESOLVED);
            assertThat(incident.resolvedAt()).isEqualTo(resolved.receivedAt());
        });
        assertThat(timeline.readValuesToList()).extracting(TimelineEntry::kind, TimelineEntry::summary)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(TimelineKind.ALERT_RECEIVED,
                                "ServiceDown RESOLVED from alertmanager (severity critical)"),
                        org.assertj.core.groups.Tuple.tuple(TimelineKind.RESOLVED,
                                "ServiceDown resolved on service:demo-shop (reported by alertmanager)"));
        assertThat(actions.isEmpty()).isTrue();
        assertThat(count(DecisionTopology.OPEN_INCIDENTS_STORE)).isZero();

        AlertEvent again = Alerts.serviceDown("demo-shop", AlertStatus.FIRING, T0.plusSeconds(600));
        send(again);
        assertThat(incidents.readValuesToList()).extracting(Incident::id).isNotEmpty()
                .containsOnly(Incident.idFor(again.resource(), again.name(), again.id()))
                .doesNotContain(incidentId);
    }

    @Test
    void newFiringAlertJoinsTheOpenIncidentAndGetsItsOwnAction() {
        startDemo();
        AlertEvent first = Alerts.serviceDown("demo-shop", AlertStatus.FIRING, T0);
        AlertEvent second = Alerts.serviceDown("demo-shop", AlertStatus.FIRING, T0.plusSeconds(300));
        send(first);
        String incidentId = incidents.readValuesToList().get(0).id();
        Action firstAction = actions.readValuesToList().get(0);
        timeline.readValuesToList();

        clock.advance(Duration.ofSeconds(300));
        send(second);

        Action secondAction = actions.readValuesToList().get(0);
        assertThat(secondAction.incidentId()).isEqualTo(incidentId);
        assertThat(secondAction.id()).isNotEqualTo(firstAction.id())
                .isEqualTo(Action.idFor(incidentId, RESTART_RULE, second.id() + "#0"));
        assertThat(timeline.readValuesToList()).extracting(TimelineEntry::incidentId, TimelineEntry::kind)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(incidentId, TimelineKind.ALERT_RECEIVED),
                        org.assertj.core.groups.Tuple.tuple(incidentId, TimelineKind.RULE_FIRED));
        // Still REMEDIATING: the state did not change, so nothing new on reflex.incidents.
        assertThat(incidents.isEmpty()).isTrue();
    }

    @Test
    void badJsonIsSkippedAndTheNextAlertIsStillDecided() {
        startDemo();
        rawAlerts.pipeInput("service:demo-shop", "{\"id\": \"half a record");
        rawAlerts.pipeInput("service:demo-shop", "{\"id\": \"no name, status or resource\"}");

        send(Alerts.serviceDown("demo-shop", AlertStatus.FIRING, T0));

        assertThat(actions.readValuesToList()).extracting(a -> a.target().name()).containsExactly("demo-shop");
        assertThat(metrics.alerts("decided")).isEqualTo(1);
    }

    @Test
    void resolvedAlertWithoutAnOpenIncidentLeavesNoTrace() {
        startDemo();

        send(Alerts.serviceDown("demo-shop", AlertStatus.RESOLVED, T0));

        assertThat(incidents.isEmpty()).isTrue();
        assertThat(timeline.isEmpty()).isTrue();
        assertThat(actions.isEmpty()).isTrue();
    }

    @Test
    void alertWithoutMatchingRuleOpensAnIncidentWithoutAction() {
        startDemo();

        send(Alerts.alert("DiskFull", Resource.of("host", "web-1"), Map.of("host", "web-1"), AlertStatus.FIRING,
                T0));

        assertThat(incidents.readValuesToList()).extracting(Incident::status, Incident::title)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(IncidentStatus.OPEN, "DiskFull on host:web-1"));
        assertThat(timeline.readValuesToList()).extracting(TimelineEntry::kind)
                .containsExactly(TimelineKind.ALERT_RECEIVED);
        assertThat(actions.isEmpty()).isTrue();
    }

    @Test
    void timeBasedRuleFiresOnTheWallClockTickWithoutANewAlert() {
        start("""
                package io.reflex.rules.test;
                import io.reflex.model.AlertEvent;
                import io.reflex.model.AlertStatus;
                global io.reflex.rules.Remediate remediate;

                rule "restart when still down after a minute"
                when
                    $a : AlertEvent(name == "ServiceDown", status == AlertStatus.FIRING)
                    not AlertEvent(name == "ServiceDown", status == AlertStatus.RESOLVED,
                                   resource == $a.resource, this after[0s, 1m] $a)
                then
                    remediate.restartService($a, $a.label("service"));
                end
                """);
        send(Alerts.serviceDown("demo-shop", AlertStatus.FIRING, T0));
        assertThat(actions.isEmpty()).isTrue();

        passTime(Duration.ofSeconds(30));
        assertThat(actions.isEmpty()).isTrue();

        passTime(Duration.ofSeconds(31));
        assertThat(actions.readValuesToList()).extracting(Action::rule)
                .containsExactly(new RuleRef("restart when still down after a minute", 1));
        assertThat(timeline.readValuesToList()).extracting(TimelineEntry::kind)
                .containsExactly(TimelineKind.ALERT_RECEIVED, TimelineKind.RULE_FIRED);
    }

    @Test
    void failingRuleIsOnTheTimelineAndTheStreamGoesOn() {
        start("""
                package io.reflex.rules.test;
                import io.reflex.model.AlertEvent;
                global io.reflex.rules.Remediate remediate;

                rule "broken"
                when $a : AlertEvent(name == "ServiceDown", resource.name == "demo-shop")
                then throw new IllegalStateException("cannot decide");
                end

                rule "restart"
                when $a : AlertEvent(name == "ServiceDown", resource.name == "cart")
                then remediate.restartService($a, $a.label("service"));
                end
                """);
        AlertEvent shop = Alerts.serviceDown("demo-shop", AlertStatus.FIRING, T0);

        send(shop);

        assertThat(actions.isEmpty()).isTrue();
        assertThat(timeline.readValuesToList()).last().satisfies(entry -> {
            assertThat(entry.kind()).isEqualTo(TimelineKind.RULE_FIRED);
            assertThat(entry.summary())
                    .isEqualTo("rule \"broken\" v1 failed: IllegalStateException: cannot decide; no action taken");
            assertThat(entry.refs()).containsEntry("rule", "broken").containsEntry("alertId", shop.id());
        });
        assertThat(incidents.readValuesToList()).extracting(Incident::status).containsExactly(IncidentStatus.OPEN);

        send(Alerts.serviceDown("cart", AlertStatus.FIRING, T0.plusSeconds(1)));
        assertThat(actions.readValuesToList()).extracting(a -> a.target().name()).containsExactly("cart");
    }

    @Test
    void ruleWhoseConditionThrowsIsOnTheTimelineOfTheAlertBeingDecided() {
        start("""
                package io.reflex.rules.test;
                import io.reflex.model.AlertEvent;
                global io.reflex.rules.Remediate remediate;

                rule "needs a team label"
                when $a : AlertEvent(label("team").length() > 3)
                then remediate.restartService($a, $a.label("service"));
                end
                """);
        AlertEvent alert = Alerts.serviceDown("demo-shop", AlertStatus.FIRING, T0);

        send(alert);
        send(Alerts.serviceDown("cart", AlertStatus.FIRING, T0));

        List<TimelineEntry> steps = timeline.readValuesToList();
        assertThat(steps).filteredOn(e -> e.refs().containsKey("rule")).hasSize(2).first().satisfies(entry -> {
            assertThat(entry.kind()).isEqualTo(TimelineKind.RULE_FIRED);
            assertThat(entry.summary()).startsWith("rule \"needs a team label\" v1 failed: ")
                    .endsWith("; no action taken");
            assertThat(entry.refs()).containsEntry("alertId", alert.id());
        });
        assertThat(actions.isEmpty()).isTrue();
        assertThat(metrics.alerts("decided")).isEqualTo(2);
    }

    @Test
    void seenAlertIdsAreForgottenAfterTheRetention() {
        startDemo();
        send(Alerts.serviceDown("demo-shop", AlertStatus.FIRING, T0));
        send(Alerts.serviceDown("cart", AlertStatus.FIRING, T0));
        assertThat(count(DecisionTopology.SEEN_STORE)).isEqualTo(2);

        passTime(Duration.ofHours(23));
        assertThat(count(DecisionTopology.SEEN_STORE)).isEqualTo(2);

        passTime(Duration.ofHours(1).plus(DecisionProcessor.PURGE_INTERVAL));
        assertThat(count(DecisionTopology.SEEN_STORE)).isZero();
    }

    private long count(String storeName) {
        KeyValueStore<String, Object> store = driver.getKeyValueStore(storeName);
        long n = 0;
        try (var all = store.all()) {
            while (all.hasNext()) {
                all.next();
                n++;
            }
        }
        return n;
    }

    @Test
    void aDeadLetteredAlertOpensAnEscalatedIncidentWithoutTouchingTheRules() {
        startDemo();
        AlertEvent alert = Alerts.serviceDown("demo-shop", AlertStatus.FIRING, T0);
        TestInputTopic<String, DeadLetter> deadLetters = driver.createInputTopic(Topics.ALERTS_DLQ.name(),
                new StringSerializer(), Topics.ALERTS_DLQ.valueSerde().serializer());

        deadLetters.pipeInput(alert.resource().key(), new DeadLetter(alert, "record_too_large",
                "the alert is 2 MB; Kafka accepts 1 MB", T0.plusSeconds(1), Map.of()), T0.plusSeconds(1));

        List<Incident> states = incidents.readValuesToList();
        assertThat(states).singleElement().satisfies(incident -> {
            assertThat(incident.status()).isEqualTo(IncidentStatus.ESCALATED);
            assertThat(incident.title()).isEqualTo("ServiceDown on service:demo-shop could not be stored");
        });
        assertThat(timeline.readValuesToList()).extracting(TimelineEntry::kind)
                .containsExactly(TimelineKind.ALERT_RECEIVED, TimelineKind.ESCALATED);
        assertThat(actions.isEmpty()).isTrue();
    }

    private static final String ESCALATE_RULE = "escalate ServiceDown still firing 2m after a successful restart";

    /** The result of the action as the remediator writes it: keyed by its result key, at the clock's time. */
    private void result(Action action, ActionStatus status) {
        results.pipeInput(action.resultKey(), new ActionResult(action.id(), action.incidentId(), status, 1,
                status + " by the test", clock.instant(), clock.instant(), action.type()), clock.instant());
    }

    @Test
    void serviceStillDownTwoMinutesAfterASuccessfulRestartEscalatesTheIncidentOnce() {
        startDemo();
        AlertEvent alert = Alerts.serviceDown("demo-shop", AlertStatus.FIRING, T0);
        send(alert);
        Action restart = actions.readValuesToList().get(0);
        String incidentId = restart.incidentId();
        timeline.readValuesToList();
        incidents.readValuesToList();

        passTime(Duration.ofSeconds(28));
        result(restart, ActionStatus.STARTED);
        result(restart, ActionStatus.SUCCEEDED);
        result(restart, ActionStatus.SUCCEEDED);
        assertThat(metrics.results("not_terminal")).isEqualTo(1);
        assertThat(metrics.results("fact")).isEqualTo(1);
        assertThat(metrics.results("duplicate")).isEqualTo(1);
        KeyValueStore<String, SessionFact> facts = driver.getKeyValueStore(DecisionTopology.FACTS_STORE);
        assertThat(facts.get("outcome:" + restart.id())).isNotNull().satisfies(fact -> assertThat(fact.outcome())
                .isEqualTo(new ActionOutcome(restart.id(), incidentId, ActionType.RESTART_SERVICE,
                        ActionStatus.SUCCEEDED, "SUCCEEDED by the test", alert.resource(), "ServiceDown")));

        passTime(Duration.ofSeconds(90));
        assertThat(actions.isEmpty()).as("not before 2 minutes").isTrue();

        for (int i = 0; i < 40; i++) {
            passTime(Duration.ofSeconds(1));
        }
        List<Action> escalations = actions.readValuesToList();
        assertThat(escalations).singleElement().satisfies(action -> {
            assertThat(action.type()).isEqualTo(ActionType.ESCALATE);
            assertThat(action.mode()).isEqualTo(ActionMode.EXECUTE);
            assertThat(action.incidentId()).isEqualTo(incidentId);
            assertThat(action.rule()).isEqualTo(new RuleRef(ESCALATE_RULE, 1));
            assertThat(action.params()).containsEntry("reason",
                    "ServiceDown on service:demo-shop still firing 2m after a successful restart_service");
        });
        assertThat(incidents.readValuesToList()).singleElement().satisfies(incident -> {
            assertThat(incident.id()).isEqualTo(incidentId);
            assertThat(incident.status()).isEqualTo(IncidentStatus.ESCALATED);
        });
        assertThat(timeline.readValuesToList()).extracting(TimelineEntry::kind, TimelineEntry::summary)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(TimelineKind.RULE_FIRED, "rule \"" + ESCALATE_RULE
                                + "\" v1 fired: escalate service:demo-shop"),
                        org.assertj.core.groups.Tuple.tuple(TimelineKind.ESCALATED, "escalated by rule \""
                                + ESCALATE_RULE + "\" v1: ServiceDown on service:demo-shop still firing 2m after a"
                                + " successful restart_service"));

        passTime(Duration.ofMinutes(5));
        assertThat(actions.isEmpty()).as("escalated once").isTrue();
        assertThat(timeline.isEmpty()).as("the built-in verification does not escalate it again").isTrue();
        assertThat(metrics.verifications("already_escalated")).isEqualTo(1);

        send(Alerts.serviceDown("demo-shop", AlertStatus.RESOLVED, T0));
        assertThat(incidents.readValuesToList()).extracting(Incident::id, Incident::status)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(incidentId, IncidentStatus.RESOLVED));
    }

    @Test
    void serviceResolvedWithinTwoMinutesOfASuccessfulRestartIsNotEscalated() {
        startDemo();
        send(Alerts.serviceDown("demo-shop", AlertStatus.FIRING, T0));
        Action restart = actions.readValuesToList().get(0);
        passTime(Duration.ofSeconds(28));
        result(restart, ActionStatus.SUCCEEDED);

        passTime(Duration.ofSeconds(30));
        send(Alerts.serviceDown("demo-shop", AlertStatus.RESOLVED, T0));
        passTime(Duration.ofMinutes(3));

        assertThat(actions.isEmpty()).isTrue();
        assertThat(incidents.readValuesToList()).extracting(Incident::status)
                .containsExactly(IncidentStatus.OPEN, IncidentStatus.REMEDIATING, IncidentStatus.RESOLVED);
    }

    @Test
    void aResultOfAnIncidentThatIsNotOpenIsNotAFact() {
        startDemo();
        send(Alerts.serviceDown("demo-shop", AlertStatus.FIRING, T0));
        Action restart = actions.readValuesToList().get(0);
        send(Alerts.serviceDown("demo-shop", AlertStatus.RESOLVED, T0));

        result(restart, ActionStatus.SUCCEEDED);
        passTime(Duration.ofMinutes(3));

        assertThat(metrics.results("no_incident")).isEqualTo(1);
        assertThat(count(DecisionTopology.FACTS_STORE)).as("the two alerts only").isEqualTo(2);
        assertThat(actions.isEmpty()).isTrue();
    }
}
