package io.reflex.rules.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.reflex.model.Action;
import io.reflex.model.ActionMode;
import io.reflex.model.AlertEvent;
import io.reflex.model.AlertStatus;
import io.reflex.model.Incident;
import io.reflex.model.IncidentStatus;
import io.reflex.model.Resource;
import io.reflex.model.RulesetVersion;
import io.reflex.model.TimelineEntry;
import io.reflex.model.TimelineKind;
import io.reflex.model.Topics;
import io.reflex.rules.DecisionTopology;
import io.reflex.rules.RuleCompiler;
import io.reflex.rules.RulesConfig;
import io.reflex.rules.RulesMetrics;
import io.reflex.rules.RulesStage;
import io.reflex.rules.Ruleset;
import io.reflex.testkit.MutableClock;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A new ruleset version arriving on {@code reflex.rulesets} between two alerts, driven record by record. */
class HotDeployTest {
    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
    private static final String V1_RULE = "restart service on ServiceDown";
    private static final String V2_RULE = "restart on repeated ServiceDown";

    /** Fires only when an earlier ServiceDown of the service is in the session: it needs the facts kept over the swap. */
    private static final String V2 = """
            package io.reflex.rules.v2;

            import io.reflex.model.AlertEvent;
            import io.reflex.model.AlertStatus;
import io.reflex.model.Incident;
import io.reflex.model.IncidentStatus;

            global io.reflex.rules.Remediate remediate;

            rule "restart on repeated ServiceDown"
            when
                $a : AlertEvent(name == "ServiceDown", status == AlertStatus.FIRING, $s : label("service") != null)
                exists AlertEvent(this != $a, name == "ServiceDown", label("service") == $s, this before $a)
            then
                remediate.restartService($a, $s);
            end
            """;

    @TempDir
    Path stateDir;

    private final MutableClock clock = new MutableClock(T0.plusSeconds(2));
    private final RulesConfig config = RulesConfig.defaults();
    private Rulesets rulesets;
    private TopologyTestDriver driver;
    private TestInputTopic<String, AlertEvent> alerts;
    private TestInputTopic<String, RulesetVersion> versions;
    private TestOutputTopic<String, Action> actions;
    private TestOutputTopic<String, TimelineEntry> timeline;
    private TestOutputTopic<String, Incident> incidents;

    @BeforeEach
    void start() {
        rulesets = new Rulesets(new Ruleset(1, "demo", RuleCompiler.compile("demo", RuleCompiler.demoPackage())));
        driver = new TopologyTestDriver(DecisionTopology.build(rulesets, config, clock,
                new RulesMetrics(new PrometheusRegistry())),
                RulesStage.streamsProperties(config, Map.of("bootstrap.servers", "unused:9092"), stateDir),
                clock.instant());
        alerts = driver.createInputTopic(Topics.ALERTS.name(), new StringSerializer(),
                Topics.ALERTS.valueSerde().serializer());
        versions = driver.createInputTopic(Topics.RULESETS.name(), new StringSerializer(),
                Topics.RULESETS.valueSerde().serializer());
        actions = driver.createOutputTopic(Topics.ACTIONS.name(), new StringDeserializer(),
                Topics.ACTIONS.valueSerde().deserializer());
        timeline = driver.createOutputTopic(Topics.TIMELINE.name(), new StringDeserializer(),
                Topics.TIMELINE.valueSerde().deserializer());
        incidents = driver.createOutputTopic(Topics.INCIDENTS.name(), new StringDeserializer(),
                Topics.INCIDENTS.valueSerde().deserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private static AlertEvent serviceDown(String service, Instant startsAt) {
        String fingerprint = "fp-ServiceDown-" + service;
        return new AlertEvent(AlertEvent.idFor("alertmanager", fingerprint, startsAt, AlertStatus.FIRING),
                "alertmanager", "ServiceDown", AlertStatus.FIRING, "critical", Resource.of("service", service),
                Map.of("alertname", "ServiceDown", "service", service), Map.of(), startsAt, null,
                startsAt.plusSeconds(1), fingerprint, null);
    }

    private void send(AlertEvent alert) {
        alerts.pipeInput(alert.resource().key(), alert, alert.receivedAt());
    }

    private void deploy(RulesetVersion version) {
        versions.pipeInput(RulesetVersion.key(version.version()), version);
        versions.pipeInput(RulesetsUpdater.ACTIVE_KEY, version);
    }

    @Test
    void alertsBeforeTheSwapAreDecidedByV1AndAfterByV2WithTheStoredFactsKept() {
        send(serviceDown("demo-shop", T0));
        List<Action> before = actions.readValuesToList();
        assertThat(before).extracting(a -> a.rule().name(), a -> a.rule().version())
                .containsExactly(tuple(V1_RULE, 1L));

        deploy(new RulesetVersion(2, V2, T0, "alice", false));
        send(serviceDown("demo-shop", T0.plusSeconds(60)));

        List<Action> after = actions.readValuesToList();
        // v1 would have restarted again under its own rule; v2 fires only because the first alert survived the swap.
        assertThat(after).extracting(a -> a.rule().name(), a -> a.rule().version(), Action::mode)
                .containsExactly(tuple(V2_RULE, 2L, ActionMode.EXECUTE));
        assertThat(rulesets.runs(2)).isTrue();
    }

    @Test
    void rollingBackToV1DecidesWithTheStartingPackageAgain() {
        deploy(new RulesetVersion(2, V2, T0, "alice", false));
        send(serviceDown("demo-shop", T0));
        assertThat(actions.readValuesToList()).isEmpty();

        versions.pipeInput(RulesetsUpdater.ACTIVE_KEY,
                new RulesetVersion(1, RuleCompiler.demoPackage(), T0, "reflex", false));
        send(serviceDown("web", T0.plusSeconds(60)));

        assertThat(actions.readValuesToList()).extracting(a -> a.rule().name(), a -> a.rule().version())
                .containsExactly(tuple(V1_RULE, 1L));
    }

    private void deployShadow(RulesetVersion version) {
        versions.pipeInput(RulesetVersion.key(version.version()), version);
        versions.pipeInput(RulesetsUpdater.SHADOW_KEY, version);
    }

    @Test
    void aShadowVersionDecidesBesideTheActiveOneAndOnlyRecordsItsActions() {
        deployShadow(new RulesetVersion(2, RuleCompiler.demoPackage(), T0, "bob", true));
        AlertEvent alert = serviceDown("demo-shop", T0);
        send(alert);

        List<Action> decided = actions.readValuesToList();
        assertThat(decided).extracting(a -> a.rule().name(), a -> a.rule().version(), Action::mode)
                .containsExactly(tuple(V1_RULE, 1L, ActionMode.EXECUTE), tuple(V1_RULE, 2L, ActionMode.SHADOW));
        Action executed = decided.get(0);
        Action shadow = decided.get(1);
        assertThat(shadow.id()).isNotEqualTo(executed.id())
                .isEqualTo(Action.idFor(executed.incidentId(), V1_RULE, "shadow-v2/" + alert.id() + "#0"));
        assertThat(shadow.incidentId()).isEqualTo(executed.incidentId());
        assertThat(shadow.target()).isEqualTo(executed.target());

        List<TimelineEntry> fired = timeline.readValuesToList().stream()
                .filter(e -> e.kind() == TimelineKind.RULE_FIRED).toList();
        assertThat(fired).extracting(TimelineEntry::summary).containsExactly(
                "rule \"" + V1_RULE + "\" v1 fired: restart_service service:demo-shop",
                "shadow rule \"" + V1_RULE + "\" v2 would restart_service service:demo-shop (not executed)");
        String matched = alert.id() + " (ServiceDown FIRING on service:demo-shop)";
        assertThat(fired).extracting(TimelineEntry::refs).containsExactly(
                Map.of("rule", V1_RULE, "actionId", executed.id(), "alertId", alert.id(),
                        "matched", matched, "matchedIds", alert.id()),
                Map.of("rule", V1_RULE, "actionId", shadow.id(), "alertId", alert.id(), "mode", "shadow",
                        "matched", matched, "matchedIds", alert.id()));
        assertThat(rulesets.active()).as("the shadow did not become the active version").isNull();
    }

    @Test
    void shadowActionsNeverChangeTheIncident() {
        deployShadow(new RulesetVersion(2, RuleCompiler.demoPackage(), T0, "bob", true));
        versions.pipeInput(RulesetsUpdater.ACTIVE_KEY, new RulesetVersion(3, """
                package io.reflex.rules.quiet;
                import io.reflex.model.AlertEvent;
                rule "nothing" when AlertEvent(name == "Never") then end
                """, T0, "carol", false));
        send(serviceDown("demo-shop", T0));

        assertThat(actions.readValuesToList()).extracting(a -> a.rule().version(), Action::mode)
                .containsExactly(tuple(2L, ActionMode.SHADOW));
        assertThat(incidents.readValuesToList()).extracting(Incident::status).containsExactly(IncidentStatus.OPEN);
    }

    @Test
    void aShadowStartedLaterSeesTheStoredAlertsAndStopsWhenRemoved() {
        send(serviceDown("demo-shop", T0));
        assertThat(actions.readValuesToList()).extracting(a -> a.rule().version()).containsExactly(1L);

        deployShadow(new RulesetVersion(2, V2, T0, "alice", true));
        send(serviceDown("demo-shop", T0.plusSeconds(60)));
        // v2 acts only on a repeated alert: the first one reached the shadow session from the store.
        assertThat(actions.readValuesToList()).extracting(a -> a.rule().name(), a -> a.rule().version(),
                Action::mode).containsExactly(tuple(V1_RULE, 1L, ActionMode.EXECUTE),
                tuple(V2_RULE, 2L, ActionMode.SHADOW));

        versions.pipeInput(RulesetsUpdater.SHADOW_KEY, null);
        send(serviceDown("demo-shop", T0.plusSeconds(120)));
        assertThat(actions.readValuesToList()).extracting(a -> a.rule().version(), Action::mode)
                .containsExactly(tuple(1L, ActionMode.EXECUTE));
    }

    @Test
    void aFailingShadowRuleIsOnTheTimelineMarkedShadowAndTheActiveOneStillActs() {
        deployShadow(new RulesetVersion(2, """
                package io.reflex.rules.broken;
                import io.reflex.model.AlertEvent;
                rule "broken" when $a : AlertEvent() then throw new IllegalStateException("cannot decide"); end
                """, T0, "dave", true));
        send(serviceDown("demo-shop", T0));

        assertThat(actions.readValuesToList()).extracting(a -> a.rule().version(), Action::mode)
                .containsExactly(tuple(1L, ActionMode.EXECUTE));
        assertThat(timeline.readValuesToList()).filteredOn(e -> "failed".equals(e.refs().get("outcome")))
                .singleElement().satisfies(entry -> {
                    assertThat(entry.summary()).isEqualTo(
                            "shadow rule \"broken\" v2 failed: IllegalStateException: cannot decide; no action taken");
                    assertThat(entry.refs()).containsEntry("mode", "shadow").containsEntry("rule", "broken");
                });
    }

    @Test
    void aVersionThatDoesNotCompileLeavesTheCurrentOneDeciding() {
        deploy(new RulesetVersion(2, "rule \"broken\" when then nonsense(", T0, "mallory", false));
        send(serviceDown("demo-shop", T0));

        assertThat(actions.readValuesToList()).extracting(a -> a.rule().version()).containsExactly(1L);
        assertThat(rulesets.runs(2)).isFalse();
    }
}
