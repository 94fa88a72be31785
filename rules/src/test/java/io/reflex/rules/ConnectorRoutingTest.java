package io.reflex.rules;

import static io.reflex.rules.Alerts.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.reflex.model.Action;
import io.reflex.model.ActionType;
import io.reflex.model.AlertEvent;
import io.reflex.model.AlertStatus;
import io.reflex.model.Topics;
import io.reflex.testkit.MutableClock;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each action goes through the connector configured for its type, else the default one. */
class ConnectorRoutingTest {
    private static final String FOUR_ACTIONS = """
            package io.reflex.rules.test;
            import io.reflex.model.AlertEvent;
            global io.reflex.rules.Remediate remediate;

            rule "four actions on ServiceDown"
            when $a : AlertEvent(name == "ServiceDown", firing)
            then
                remediate.restartService($a, $a.label("service"));
                remediate.scale($a, "deployment", $a.label("service"), 3);
                remediate.notify($a, "ops", "ServiceDown");
                remediate.escalate($a, "still down");
            end
            """;

    @TempDir
    Path stateDir;

    private final MutableClock clock = new MutableClock(T0.plusSeconds(2));

    private List<Action> decide(RulesConfig config) {
        Ruleset ruleset = new Ruleset(1, "test", RuleCompiler.compile("test", FOUR_ACTIONS));
        try (TopologyTestDriver driver = new TopologyTestDriver(
                DecisionTopology.build(ruleset, config, clock, new RulesMetrics(new PrometheusRegistry())),
                RulesStage.streamsProperties(config, Map.of("bootstrap.servers", "unused:9092"), stateDir),
                clock.instant())) {
            AlertEvent alert = Alerts.serviceDown("demo-shop", AlertStatus.FIRING, T0);
            driver.createInputTopic(Topics.ALERTS.name(), new StringSerializer(),
                    Topics.ALERTS.valueSerde().serializer()).pipeInput(alert.resource().key(), alert);
            return driver.createOutputTopic(Topics.ACTIONS.name(), new StringDeserializer(),
                    Topics.ACTIONS.valueSerde().deserializer()).readValuesToList();
        }
    }

    @Test
    void byDefaultNotificationsAndEscalationsGoThroughHttpAndTheRestThroughTheDefaultConnector() {
        assertThat(decide(RulesConfig.defaults())).extracting(Action::type, a -> a.target().connector())
                .containsExactly(
                        tuple(ActionType.RESTART_SERVICE, "process"),
                        tuple(ActionType.SCALE, "process"),
                        tuple(ActionType.NOTIFY, "http"),
                        tuple(ActionType.ESCALATE, "http"));
    }

    @Test
    void theConfiguredConnectorOfATypeIsUsedAndTheOthersFallBackToTheDefault() {
        RulesConfig config = new RulesConfig(null, null, "ssh", null, null, null,
                Map.of("scale", "kubernetes", "escalate", "pager"), null);

        assertThat(decide(config)).extracting(Action::type, a -> a.target().connector())
                .containsExactly(
                        tuple(ActionType.RESTART_SERVICE, "ssh"),
                        tuple(ActionType.SCALE, "kubernetes"),
                        tuple(ActionType.NOTIFY, "ssh"),
                        tuple(ActionType.ESCALATE, "pager"));
    }
}
