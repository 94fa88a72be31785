package io.reflex.rules.vocabulary;

import static io.reflex.rules.RuleHarness.firing;
import static java.time.Duration.ofMinutes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.reflex.model.Action;
import io.reflex.model.ActionType;
import io.reflex.model.AlertEvent;
import io.reflex.model.Target;
import io.reflex.model.Topics;
import io.reflex.rules.DecisionTopology;
import io.reflex.rules.RuleCompiler;
import io.reflex.rules.RuleHarness;
import io.reflex.rules.Ruleset;
import io.reflex.rules.RulesConfig;
import io.reflex.rules.RulesMetrics;
import io.reflex.rules.RulesStage;
import io.reflex.testkit.MutableClock;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rules stage turns each request into an action with its target, params and approval flag. */
class ActionMappingTest {
    private static final String RULE = """
            rule "contain a compromised host"
            when
                $a : AlertEvent(name == "HostCompromised", firing)
            then
                remediate.isolateHost($a, $a.label("instance"));
                remediate.scale($a, "deployment", "web", 4);
                remediate.runPlaybook($a, "forensics", java.util.Map.of("host", $a.label("instance")));
            end
            """;

    @TempDir
    Path stateDir;

    @Test
    void requestsBecomeActionsOnTheDefaultConnectorWithParamsAndApproval() {
        MutableClock clock = new MutableClock(RuleHarness.T0.plusSeconds(2));
        RulesConfig config = RulesConfig.defaults();
        Ruleset ruleset = new Ruleset(1, "test", RuleCompiler.compile("test", Drl.HEADER + RULE));
        try (TopologyTestDriver driver = new TopologyTestDriver(
                DecisionTopology.build(ruleset, config, clock, new RulesMetrics(new PrometheusRegistry())),
                RulesStage.streamsProperties(config, Map.of("bootstrap.servers", "unused:9092"), stateDir),
                clock.instant())) {
            TestInputTopic<String, AlertEvent> alerts = driver.createInputTopic(Topics.ALERTS.name(),
                    new StringSerializer(), Topics.ALERTS.valueSerde().serializer());
            TestOutputTopic<String, Action> actions = driver.createOutputTopic(Topics.ACTIONS.name(),
                    new StringDeserializer(), Topics.ACTIONS.valueSerde().deserializer());
            AlertEvent alert = RuleHarness.alertOf(firing(ofMinutes(0), "HostCompromised", Map.of("instance", "web-7")));

            alerts.pipeInput(alert.resource().key(), alert, alert.receivedAt());

            assertThat(actions.readValuesToList())
                    .extracting(Action::type, Action::target, Action::params, Action::requiresApproval)
                    .containsExactly(
                            tuple(ActionType.ISOLATE_HOST, new Target(RulesConfig.DEFAULT_CONNECTOR, "host", "web-7"),
                                    Map.of(), true),
                            tuple(ActionType.SCALE, new Target(RulesConfig.DEFAULT_CONNECTOR, "deployment", "web"),
                                    Map.of("replicas", "4"), false),
                            tuple(ActionType.RUN_PLAYBOOK,
                                    new Target(RulesConfig.DEFAULT_CONNECTOR, "playbook", "forensics"),
                                    Map.of("host", "web-7"), false));
        }
    }
}
