package io.reflex.rules;

import io.reflex.testkit.MutableClock;
import static io.reflex.rules.Alerts.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.reflex.model.Action;
import io.reflex.model.ActionResult;
import io.reflex.model.ActionStatus;
import io.reflex.model.ActionType;
import io.reflex.model.AlertEvent;
import io.reflex.model.AlertStatus;
import io.reflex.model.Incident;
import io.reflex.model.IncidentStatus;
import io.reflex.model.TimelineEntry;
import io.reflex.model.TimelineKind;
import io.reflex.model.JsonSerde;
import io.reflex.model.Topics;
import io.reflex.rules.vocabulary.Throttle;
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
    private KeyValueStore<String, Verification> verifications;
    private MockProcessorContext<String, Object> context;
    private DecisionProcessor processor;

    @BeforeEach
    void createStores() {
        seen = store(DecisionTopology.SEEN_STORE, Serdes.Long());
        open = store(DecisionTopology.OPEN_INCIDENTS_STORE, Topics.INCIDENTS.valueSerde());
        facts = store(DecisionTopology.FACTS_STORE, new JsonSerde<>(SessionFact.class));
        verifications = store(DecisionTopology.VERIFICATIONS_STORE, new JsonSerde<>(Verification.class));
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
        startTask(RULESET);
    }

    private void startTask(Ruleset ruleset) {
        if (processor != null) {
            processor.close();
        }
        context = new MockProcessorContext<>();
        for (KeyValueStore<String, ?> store : List.of(seen, open, facts, verifications)) {
            if (!store.isOpen()) {
                store.init(context.getStateStoreContext(), store);
            }
            context.addStateStore(store);
        }
        processor = new DecisionProcessor(ruleset, RulesConfig.defaults(), clock, metrics);
        processor.init(context);
    }

    private void process(AlertEvent alert) {
        processor.process(new Record<>(alert.resource().key(), alert, alert.receivedAt().toEpochMilli()));
    }

    private void process(ActionResult result) {
        processor.process(new Record<>("service:demo-shop", result, clock.millis()));
    }

    private long storedThrottles() {
        long n = 0;
        try (var all = facts.all()) {
            while (all.hasNext()) {
                if (all.next().value.throttle() != null) {
                    n++;
                }
            }
        }
        return n;
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

    /** Once per 45 minutes per service: the throttle outlives the alert that made the rule act (30 minutes). */
    private static final Ruleset THROTTLED = new Ruleset(1, "test", RuleCompiler.compile("test", """
            package io.reflex.rules.test;
            import io.reflex.model.AlertEvent;
            import io.reflex.rules.vocabulary.Throttle;
            global io.reflex.rules.Remediate remediate;

            rule "restart at most once per 45m"
            when
                $a : AlertEvent(name == "ServiceDown", firing)
                not Throttle(name == "restart", group == $a.label("service"), this coincides[45m] $a)
            then
                remediate.restartService($a, $a.label("service"));
                insert(new Throttle("restart", $a.label("service")));
            end
            """));

    @Test
    void aThrottleWhoseAlertExpiredStillHoldsTheGroupBackAfterARestart() {
        startTask(THROTTLED);
        AlertEvent first = Alerts.serviceDown("demo-shop", AlertStatus.FIRING, T0);
        process(first);
        assertThat(forwardedActions()).hasSize(1);
        assertThat(storedThrottles()).isEqualTo(1);

        passTime(Duration.ofMinutes(31));
        assertThat(facts.get(first.id())).as("the alert has expired and left the store").isNull();
        assertThat(storedThrottles()).isEqualTo(1);

        passTime(Duration.ofMinutes(9));
        startTask(THROTTLED);
        clock.advance(Duration.ofMinutes(1));
        AlertEvent again = Alerts.serviceDown("demo-shop", AlertStatus.FIRING, T0.plus(Duration.ofMinutes(41)));
        process(again);

        assertThat(forwardedActions()).as("within 45 minutes of the first restart").isEmpty();
    }

    @Test
    void aStoredThrottleLeavesTheStoreWhenItExpiresFromTheSession() {
        startTask(THROTTLED);
        process(Alerts.serviceDown("demo-shop", AlertStatus.FIRING, T0));
        try (var all = facts.all()) {
            all.forEachRemaining(entry -> {
                if (entry.value.throttle() != null) {
                    assertThat(entry.key).startsWith("throttle:restart|demo-shop|");
                    assertThat(entry.value.insertedAt()).isEqualTo(T0.plusSeconds(1).toEpochMilli());
                }
            });
        }

        passTime(RuleCompiler.THROTTLE_EXPIRY.minusMinutes(1));
        assertThat(storedThrottles()).isEqualTo(1);
        passTime(Duration.ofMinutes(2));
        assertThat(storedThrottles()).isZero();
    }

    @Test
    void aThrottleReinsertedOnRebuildIsNotStoredTwice() {
        startTask(THROTTLED);
        process(Alerts.serviceDown("demo-shop", AlertStatus.FIRING, T0));

        startTask(THROTTLED);
        startTask(THROTTLED);

        assertThat(storedThrottles()).isEqualTo(1);
        assertThat(count()).as("the alert and its throttle").isEqualTo(2);
    }

    @Test
    void anActionOutcomeIsReinsertedAfterARestartSoTheLoopStillCloses() {
        startTask(new Ruleset(1, "demo", RuleCompiler.compile("demo", RuleCompiler.demoPackage())));
        AlertEvent alert = Alerts.serviceDown("demo-shop", AlertStatus.FIRING, T0);
        process(alert);
        Action restart = forwardedActions().get(0);
        clock.advance(Duration.ofSeconds(30));
        process(new ActionResult(restart.id(), restart.incidentId(), ActionStatus.SUCCEEDED, 1, "ok", T0, T0,
                ActionType.RESTART_SERVICE));

        clock.advance(Duration.ofSeconds(30));
        startTask(new Ruleset(1, "demo", RuleCompiler.compile("demo", RuleCompiler.demoPackage())));
        passTime(Duration.ofMinutes(2));

        assertThat(forwardedActions()).extracting(Action::type, a -> a.rule().name())
                .containsExactly(org.assertj.core.groups.Tuple.tuple(ActionType.ESCALATE,
                        "escalate ServiceDown still firing 2m after a successful restart"));
    }

    private List<TimelineEntry> forwardedTimeline() {
        return context.forwarded(DecisionTopology.TIMELINE_SINK).stream()
                .map(forward -> (TimelineEntry) forward.record().value())
                .toList();
    }

    private Action restartThatSucceeded() {
        process(Alerts.serviceDown("demo-shop", AlertStatus.FIRING, T0));
        Action restart = forwardedActions().get(0);
        clock.advance(Duration.ofSeconds(20));
        process(new ActionResult(restart.id(), restart.incidentId(), ActionStatus.SUCCEEDED, 1, "ok",
                clock.instant(), clock.instant(), ActionType.RESTART_SERVICE));
        return restart;
    }

    @Test
    void aVerificationWatchedBeforeARestartStillEscalatesAfterIt() {
        startTask();
        Action restart = restartThatSucceeded();

        startTask();
        passTime(Duration.ofMinutes(4));
        assertThat(context.forwarded()).as("not before the deadline").isEmpty();
        passTime(Duration.ofMinutes(1));

        assertThat(context.forwarded(DecisionTopology.INCIDENTS_SINK)).singleElement()
                .satisfies(forward -> assertThat(((Incident) forward.record().value()).status())
                        .isEqualTo(IncidentStatus.ESCALATED));
        assertThat(forwardedTimeline()).singleElement().satisfies(entry -> {
            assertThat(entry.kind()).isEqualTo(TimelineKind.ESCALATED);
            assertThat(entry.refs()).containsEntry("actionId", restart.id());
        });
        assertThat(verifications.approximateNumEntries()).isZero();
    }

    @Test
    void aVerificationWatchedBeforeARestartIsVerifiedAfterIt() {
        startTask();
        Action restart = restartThatSucceeded();

        startTask();
        process(Alerts.serviceDown("demo-shop", AlertStatus.RESOLVED, T0));

        assertThat(forwardedTimeline()).extracting(TimelineEntry::kind).containsExactly(
                TimelineKind.ALERT_RECEIVED, TimelineKind.VERIFIED, TimelineKind.RESOLVED);
        assertThat(forwardedTimeline().get(1).refs()).containsEntry("actionId", restart.id());
        passTime(Duration.ofMinutes(10));
        assertThat(context.forwarded(DecisionTopology.INCIDENTS_SINK)).extracting(f -> f.record().value())
                .extracting(value -> ((Incident) value).status()).containsExactly(IncidentStatus.RESOLVED);
    }

    @Test
    void factsStoredInTheFormatBeforeOutcomesAndThrottlesStillLoad() {
        AlertEvent alert = Alerts.serviceDown("demo-shop", AlertStatus.FIRING, T0);
        String old = "{\"insertedAt\":" + T0.toEpochMilli() + ",\"alert\":"
                + new String(Topics.ALERTS.valueSerde().serializer().serialize("t", alert)) + "}";

        SessionFact read = new JsonSerde<>(SessionFact.class).deserializer().deserialize("t", old.getBytes());

        assertThat(read).isEqualTo(new SessionFact(T0.toEpochMilli(), alert));
        assertThat(new String(new JsonSerde<>(SessionFact.class).serializer().serialize("t", read)))
                .as("written as before").isEqualTo(old);
        SessionFact throttle = new SessionFact(5, new Throttle("restart", "shop"));
        assertThat(new String(new JsonSerde<>(SessionFact.class).serializer().serialize("t", throttle)))
                .isEqualTo("{\"insertedAt\":5,\"throttle\":{\"name\":\"restart\",\"group\":\"shop\"}}");
    }

    private long count() {
        long n = 0;
        try (var all = facts.all()) {
            while (all.hasNext()) {
                all.next();
                n++;
            }
        }
        return n;
    }
}
