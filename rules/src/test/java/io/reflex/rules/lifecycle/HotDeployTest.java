package io.reflex.rules.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.reflex.model.Action;
import io.reflex.model.ActionMode;
import io.reflex.model.AlertEvent;
import io.reflex.model.AlertStatus;
import io.reflex.model.Resource;
import io.reflex.model.RulesetVersion;
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

    @Test
    void aShadowVersionRecordsItsActionsInShadowMode() {
        deploy(new RulesetVersion(2, RuleCompiler.demoPackage(), T0, "bob", true));
        send(serviceDown("demo-shop", T0));

        assertThat(actions.readValuesToList()).extracting(a -> a.rule().version(), Action::mode)
                .containsExactly(tuple(2L, ActionMode.SHADOW));
    }

    @Test
    void aVersionThatDoesNotCompileLeavesTheCurrentOneDeciding() {
        deploy(new RulesetVersion(2, "rule \"broken\" when then nonsense(", T0, "mallory", false));
        send(serviceDown("demo-shop", T0));

        assertThat(actions.readValuesToList()).extracting(a -> a.rule().version()).containsExactly(1L);
        assertThat(rulesets.runs(2)).isFalse();
    }
}
