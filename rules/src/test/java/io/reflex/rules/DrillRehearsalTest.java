package io.reflex.rules;

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
import io.reflex.model.Incident;
import io.reflex.model.Resource;
import io.reflex.model.TimelineEntry;
import io.reflex.model.TimelineKind;
import io.reflex.model.Topic;
import io.reflex.model.Topics;
import io.reflex.testkit.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Alerts with a drillId are rehearsals: incidents, lanes and dry-run actions of their own. */
class DrillRehearsalTest {
    private static final String DRILL = "drill-kill-demo-shop-20261126T100000Z";
    private static final String OTHER_DRILL = "drill-storm-20261126T100500Z";
    private static final String WINDOW_RULE = "restart after 3 Flapping within 5m";
    private static final String RULES = """
            package io.reflex.rules.test;
            import io.reflex.model.AlertEvent;
            import io.reflex.rules.vocabulary.Throttle;
            global io.reflex.rules.Remediate remediate;

            rule "restart on ServiceDown"
            when $a : AlertEvent(name == "ServiceDown", firing)
            then remediate.restartService($a, $a.label("service"));
            end

            rule "restart after 3 Flapping within 5m"
            when
                $a : AlertEvent(name == "Flapping", firing)
                not Throttle(name == "flapping", group == $a.label("service"), this coincides[5m] $a)
                Number(intValue >= 3) from accumulate(
                    AlertEvent(name == "Flapping", firing, label("service") == $a.label("service"), this before[0s, 5m] $a),
                    count(1))
            then
                remediate.restartService($a, $a.label("service"));
                insert(new Throttle("flapping", $a.label("service")));
            end
            """;

    @TempDir
    Path stateDir;

    private final MutableClock clock = new MutableClock(T0.plusSeconds(2));
    private RulesMetrics metrics;
    private TopologyTestDriver driver;
    private TestInputTopic<String, AlertEvent> alerts;
    private TestInputTopic<String, ActionResult> results;
    private TestOutputTopic<String, Action> actions;
    private TestOutputTopic<String, TimelineEntry> timeline;
    private TestOutputTopic<String, Incident> incidents;

    private void start() {
        metrics = new RulesMetrics(new PrometheusRegistry());
        RulesConfig config = RulesConfig.defaults();
        Ruleset ruleset = new Ruleset(1, "test", RuleCompiler.compile("test", RULES));
        driver = new TopologyTestDriver(DecisionTopology.build(ruleset, config, clock, metrics),
                RulesStage.streamsProperties(config, Map.of("bootstrap.servers", "unused:9092"), stateDir),
                clock.instant());
        alerts = driver.createInputTopic(Topics.ALERTS.name(), new StringSerializer(),
                Topics.ALERTS.valueSerde().serializer());
        results = driver.createInputTopic(Topics.RESULTS.name(), new StringSerializer(),
                Topics.RESULTS.valueSerde().serializer());
        actions = output(Topics.ACTIONS);
        timeline = output(Topics.TIMELINE);
        incidents = output(Topics.INCIDENTS);
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

    private void passTime(Duration duration) {
        clock.advance(duration);
        driver.advanceWallClockTime(duration);
    }

    /** The alert as a drill sends it: source drill, the drill id set, an id of its own. */
    private static AlertEvent drill(AlertEvent real, String drillId) {
        String fingerprint = real.fingerprint() + "-" + drillId;
        return new AlertEvent(AlertEvent.idFor("drill", fingerprint, real.startsAt(), real.status()), "drill",
                real.name(), real.status(), real.severity(), real.resource(), real.labels(), real.annotations(),
                real.startsAt(), real.endsAt(), real.receivedAt(), fingerprint, drillId);
    }

    private static AlertEvent flapping(Instant at) {
        return Alerts.alert("Flapping", Resource.of("service", "demo-shop"), Map.of("service", "demo-shop"),
                AlertStatus.FIRING, at);
    }

    @Test
    void aDrillAlertAndARealOneOnTheSameResourceOpenTwoIncidentsAndOnlyTheRealActionExecutes() {
        start();
        AlertEvent real = Alerts.serviceDown("demo-shop", AlertStatus.FIRING, T0);
        AlertEvent rehearsal = drill(Alerts.serviceDown("demo-shop", AlertStatus.FIRING, T0.plusSeconds(5)), DRILL);

        send(real);
        send(rehearsal);

        List<Incident> opened = incidents.readValuesToList();
        String realId = Incident.idFor(real.resource(), "ServiceDown", real.id());
        assertThat(opened).extracting(Incident::id).containsOnly(realId, opened.get(opened.size() - 1).id());
        String drillIncident = opened.get(opened.size() - 1).id();
        assertThat(drillIncident).isNotEqualTo(realId);
        assertThat(opened).filteredOn(i -> i.id().equals(drillIncident)).first()
                .satisfies(i -> assertThat(i.title()).isEqualTo("ServiceDown on service:demo-shop (drill " + DRILL + ")"));

        List<Action> decided = actions.readValuesToList();
        assertThat(decided).hasSize(2);
        Action executed = decided.get(0);
        Action dryRun = decided.get(1);
        assertThat(executed.incidentId()).isEqualTo(realId);
        assertThat(executed.mode()).isEqualTo(ActionMode.EXECUTE);
        assertThat(executed.labels()).doesNotContainKey("drillId");
        assertThat(dryRun.incidentId()).isEqualTo(drillIncident);
        assertThat(dryRun.mode()).isEqualTo(ActionMode.DRY_RUN);
        assertThat(dryRun.type()).isEqualTo(ActionType.RESTART_SERVICE);
        assertThat(dryRun.labels()).containsEntry("drillId", DRILL).containsEntry("service", "demo-shop");
        assertThat(dryRun.id()).isNotEqualTo(executed.id());

        List<TimelineEntry> steps = timeline.readValuesToList();
        assertThat(steps).filteredOn(e -> e.incidentId().equals(drillIncident))
                .extracting(TimelineEntry::kind)
                .containsExactly(TimelineKind.ALERT_RECEIVED, TimelineKind.RULE_FIRED);
        assertThat(steps).filteredOn(e -> e.incidentId().equals(drillIncident))
                .allSatisfy(e -> assertThat(e.refs()).containsEntry("drillId", DRILL));
        assertThat(steps).filteredOn(e -> e.incidentId().equals(drillIncident) && e.kind() == TimelineKind.RULE_FIRED)
                .singleElement().satisfies(e -> {
                    assertThat(e.refs()).containsEntry("mode", "dry_run").containsEntry("actionId", dryRun.id());
                    assertThat(e.summary()).isEqualTo("drill " + DRILL + ": rule \"restart on ServiceDown\" v1 fired:"
                            + " restart_service service:demo-shop (dry run)");
                });
        assertThat(steps).filteredOn(e -> e.incidentId().equals(realId))
                .hasSize(2)
                .allSatisfy(e -> assertThat(e.refs()).doesNotContainKey("drillId"));

        assertThat(metrics.actions(ActionType.RESTART_SERVICE)).isEqualTo(1);
        assertThat(metrics.drillActions(ActionType.RESTART_SERVICE)).isEqualTo(1);
        assertThat(metrics.alerts("decided")).isEqualTo(1);
        assertThat(metrics.drillAlerts()).isEqualTo(1);
    }

    @Test
    void aDrillActionThatSucceededIsNeverVerifiedAndItsResolutionCarriesTheDrillId() {
        start();
        AlertEvent firing = drill(Alerts.serviceDown("demo-shop", AlertStatus.FIRING, T0), DRILL);
        send(firing);
        Action dryRun = actions.readValuesToList().get(0);
        String incidentId = dryRun.incidentId();
        timeline.readValuesToList();
        incidents.readValuesToList();

        results.pipeInput(dryRun.resultKey(), new ActionResult(dryRun.id(), incidentId, ActionStatus.SUCCEEDED, 1,
                "by the test", clock.instant(), clock.instant(), dryRun.type()), clock.instant());
        passTime(RulesConfig.defaults().verifyWithin().plusMinutes(1));

        assertThat(timeline.readValuesToList()).noneMatch(e -> e.kind() == TimelineKind.ESCALATED);
        assertThat(incidents.isEmpty()).as("nothing escalates a rehearsal").isTrue();
        assertThat(metrics.verifications("escalated")).isZero();
        assertThat(metrics.results("drill_fact")).isEqualTo(1);

        AlertEvent resolved = drill(Alerts.serviceDown("demo-shop", AlertStatus.RESOLVED, T0), DRILL);
        send(resolved);
        assertThat(incidents.readValuesToList()).singleElement()
                .satisfies(i -> assertThat(i.id()).isEqualTo(incidentId));
        assertThat(timeline.readValuesToList())
                .extracting(TimelineEntry::kind)
                .containsExactly(TimelineKind.ALERT_RECEIVED, TimelineKind.RESOLVED);
        assertThat(metrics.verifications("verified")).isZero();
    }

    @Test
    void twoRealAndTwoDrillAlertsInAWindowDoNotMakeThreeForEither() {
        start();
        send(flapping(T0));
        send(drill(flapping(T0.plusSeconds(30)), DRILL));
        send(flapping(T0.plusSeconds(60)));
        send(drill(flapping(T0.plusSeconds(90)), DRILL));
        passTime(Duration.ofMinutes(1));

        assertThat(actions.readValuesToList()).isEmpty();
    }

    @Test
    void threeDrillAlertsOfOneDrillInAWindowFireOnceInDryRun() {
        start();
        send(drill(flapping(T0), DRILL));
        send(drill(flapping(T0.plusSeconds(30)), DRILL));
        send(drill(flapping(T0.plusSeconds(60)), DRILL));
        send(drill(flapping(T0.plusSeconds(90)), DRILL));
        passTime(Duration.ofMinutes(1));

        assertThat(actions.readValuesToList()).singleElement().satisfies(action -> {
            assertThat(action.rule().name()).isEqualTo(WINDOW_RULE);
            assertThat(action.mode()).isEqualTo(ActionMode.DRY_RUN);
            assertThat(action.label("drillId")).isEqualTo(DRILL);
        });
        assertThat(metrics.actions(ActionType.RESTART_SERVICE)).isZero();
    }

    @Test
    void drillsDoNotCountForEachOther() {
        start();
        send(drill(flapping(T0), DRILL));
        send(drill(flapping(T0.plusSeconds(30)), OTHER_DRILL));
        send(drill(flapping(T0.plusSeconds(60)), DRILL));
        send(drill(flapping(T0.plusSeconds(90)), OTHER_DRILL));

        assertThat(actions.readValuesToList()).isEmpty();
        assertThat(incidents.readValuesToList()).extracting(Incident::id).doesNotHaveDuplicates().hasSize(2);
    }

    @Test
    void aLaneIdleForTenMinutesIsClosedAndForgetsItsFacts() {
        start();
        send(drill(flapping(T0), DRILL));
        send(drill(flapping(T0.plusSeconds(30)), DRILL));
        passTime(DecisionProcessor.DRILL_LANE_IDLE.plusSeconds(1));

        // Within five minutes of the first two by their own times, but the lane that counted them is gone.
        send(drill(flapping(T0.plusSeconds(60)), DRILL));

        assertThat(actions.readValuesToList()).isEmpty();
    }

    @Test
    void aNewDrillBeyondTheBoundClosesTheLaneUsedLeastRecently() {
        start();
        send(drill(flapping(T0), DRILL));
        send(drill(flapping(T0.plusSeconds(1)), DRILL));
        for (int i = 0; i < DecisionProcessor.MAX_DRILL_LANES; i++) {
            send(drill(flapping(T0.plusSeconds(2 + i)), "drill-other-" + i));
        }
        send(drill(flapping(T0.plusSeconds(20)), DRILL));
        assertThat(actions.readValuesToList()).as("the first two were in the closed lane").isEmpty();

        send(drill(flapping(T0.plusSeconds(21)), DRILL));
        send(drill(flapping(T0.plusSeconds(22)), DRILL));
        assertThat(actions.readValuesToList()).singleElement()
                .satisfies(action -> assertThat(action.label("drillId")).isEqualTo(DRILL));
    }
}
