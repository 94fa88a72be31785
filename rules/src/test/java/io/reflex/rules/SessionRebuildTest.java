package io.reflex.rules;

import io.reflex.testkit.MutableClock;
import static io.reflex.rules.Alerts.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.reflex.model.Action;
import io.reflex.model.AlertEvent;
import io.reflex.model.AlertStatus;
import io.reflex.model.Incident;
import io.reflex.model.JsonSerde;
import io.reflex.model.Topics;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A task that restarts or moves rebuilds its session from the facts store: a window that was
 * half full before is still half full after. The stores outlive the processor here as they
 * outlive a task through their changelogs.
 */
class SessionRebuildTest {
    private static final String WINDOW_RULE = "restart after two ServiceDown within 10m";
    private static final String RULES = """
            package io.reflex.rules.test;
            import io.reflex.model.AlertEvent;
            import io.reflex.model.AlertStatus;
            global io.reflex.rules.Remediate remediate;

            rule "restart after two ServiceDown within 10m"
            when
                $first : AlertEvent(name == "ServiceDown", status == AlertStatus.FIRING)
                $second : AlertEvent(this != $first, name == "ServiceDown", status == AlertStatus.FIRING,
                                     resource == $first.resource, this after[0s, 10m] $first)
            then
                remediate.restartService($second, $second.label("service"));
            end

            rule "restart at once"
            when $a : AlertEvent(name == "ServiceDown", status == AlertStatus.FIRING)
            then remediate.restartService($a, $a.label("service"));
            end
            """;
    private static final Ruleset RULESET = new Ruleset(1, "test", RuleCompiler.compile("test", RULES));

    private final MutableClock clock = new MutableClock(T0);
    private final RulesMetrics metrics = new RulesMetrics(new PrometheusRegistry());
    private KeyValueStore<String, Long> seen;
    private KeyValueStore<String, Incident> open;
    private KeyValueStore<String, SessionFact> facts;
    private MockProcessorContext<String, Object> context;
    private DecisionProcessor processor;

    @BeforeEach
    void createStores() {
        seen = store(DecisionTopology.SEEN_STORE, Serdes.Long());
        open = store(DecisionTopology.OPEN_INCIDENTS_STORE, Topics.INCIDENTS.valueSerde());
        facts = store(DecisionTopology.FACTS_STORE, new JsonSerde<>(SessionFact.class));
    }

    @AfterEach
    void closeProcessor() {
        if (processor != null) {
            processor.close();
        }
    }

    private static <V> KeyValueStore<String, V> store(String name, Serde<V> valueSerde) {
        return Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.String(), valueSerde)
                .withLoggingDisabled()
                .build();
    }

    /** A new task on the same stores: a new context, a new processor, a new session. */
    private void startTask() {
        if (processor != null) {
            processor.close();
        }
        context = new MockProcessorContext<>();
        for (KeyValueStore<String, ?> store : List.of(seen, open, facts)) {
            if (!store.isOpen()) {
                store.init(context.getStateStoreContext(), store);
            }
            context.addStateStore(store);
        }
        processor = new DecisionProcessor(RULESET, RulesConfig.defaults(), clock, metrics);
        processor.init(context);
    }

    private void process(AlertEvent alert) {
        processor.process(new Record<>(alert.resource().key(), alert, alert.receivedAt().toEpochMilli()));
    }

    private List<Action> forwardedActions() {
        return context.forwarded(DecisionTopology.ACTIONS_SINK).stream()
                .map(forward -> (Action) forward.record().value())
                .toList();
    }

    /** Runs the wall-clock punctuators as Streams would after the given time. */
    private void passTime(Duration duration) {
        clock.advance(duration);
        context.scheduledPunctuators().stream()
                .filter(p -> p.getType() == PunctuationType.WALL_CLOCK_TIME)
                .forEach(p -> p.getPunctuator().punctuate(clock.millis()));
    }

    @Test
    void windowHalfFilledBeforeARestartCompletesAfterIt() {
        startTask();
        process(Alerts.serviceDown("demo-shop", AlertStatus.FIRING, T0));
        assertThat(forwardedActions()).extracting(a -> a.rule().name()).containsExactly("restart at once");

        startTask();
        assertThat(context.forwarded()).as("what was decided before the restart is not decided again").isEmpty();
        AlertEvent second = Alerts.serviceDown("demo-shop", AlertStatus.FIRING, T0.plusSeconds(300));
        process(second);

        assertThat(forwardedActions()).extracting(a -> a.rule().name())
                .containsExactlyInAnyOrder("restart at once", WINDOW_RULE);
    }

    @Test
    void withoutTheStoredFactsTheWindowStartsEmpty() {
        startTask();
        process(Alerts.serviceDown("demo-shop", AlertStatus.FIRING, T0));
        try (var all = facts.all()) {
            all.forEachRemaining(entry -> facts.delete(entry.key));
        }

        startTask();
        process(Alerts.serviceDown("demo-shop", AlertStatus.FIRING, T0.plusSeconds(300)));

        assertThat(forwardedActions()).extracting(a -> a.rule().name()).containsExactly("restart at once");
    }

    @Test
    void factsLeaveTheStoreWhenTheyExpireFromTheSession() {
        startTask();
        AlertEvent alert = Alerts.serviceDown("demo-shop", AlertStatus.FIRING, T0);
        process(alert);
        assertThat(facts.get(alert.id())).isEqualTo(new SessionFact(alert.receivedAt().toEpochMilli(), alert));

        passTime(RuleCompiler.ALERT_EXPIRY.minusMinutes(1));
        assertThat(facts.get(alert.id())).isNotNull();

        passTime(Duration.ofMinutes(2));
        assertThat(facts.get(alert.id())).isNull();
    }
}
