package io.reflex.rules;

import io.reflex.model.Incident;
import io.reflex.model.JsonSerde;
import io.reflex.model.RulesetVersion;
import io.reflex.model.Topics;
import io.reflex.rules.lifecycle.Rulesets;
import io.reflex.rules.lifecycle.RulesetsUpdater;
import java.time.Clock;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The rules stage's topology: alerts and action results in, one decision processor per task, actions, timeline
 * entries and incident states out. Built here, apart from {@link RulesStage}, so that tests
 * drive the same topology with {@code TopologyTestDriver}.
 */
public final class DecisionTopology {
    public static final String SOURCE = "alerts";
    /**
     * Action results, read by the same processor as the alerts: keyed by the incident's resource
     * key on as many partitions, so the task holding an incident reads its actions' results.
     */
    public static final String RESULTS_SOURCE = "results";
    public static final String PROCESSOR = "decide";
    public static final String DEAD_LETTER_SOURCE = "dead-letters";
    public static final String DEAD_LETTER_PROCESSOR = "escalate-dead-letters";
    public static final String ACTIONS_SINK = "actions";
    public static final String TIMELINE_SINK = "timeline";
    public static final String INCIDENTS_SINK = "incidents";

    /**
     * Alert id (or {@code result:ACTION_ID/STATUS} for a result) -> when it was first seen
     * (epoch ms): drops redeliveries.
     */
    public static final String SEEN_STORE = "reflex-rules-seen-alerts";
    /** {@code resourceKey|alertName} -> the open incident alerts with that name on that resource join. */
    public static final String OPEN_INCIDENTS_STORE = "reflex-rules-open-incidents";

    /**
     * Alert id, {@code outcome:ACTION_ID} or {@code throttle:NAME|GROUP|TIME} -> the fact and
     * when the session got it: the session's facts, so a task that starts or moves rebuilds its
     * session and loses no half-filled window nor throttle. They leave the store when they leave
     * the session (expiry, or a rule retracting them).
     */
    public static final String FACTS_STORE = "reflex-rules-session-facts";

    /**
     * {@code INCIDENT_ID/ACTION_ID} -> a {@link Verification}: an executed action of an open
     * incident, waiting for its result, then (it succeeded) for the incident to recover before a
     * deadline. Logged, so a restart still verifies, and escalates, what it was watching.
     */
    public static final String VERIFICATIONS_STORE = "reflex-rules-verifications";

    /** {@code reflex.rulesets} as a global store: every task of every instance sees every version. */
    public static final String RULESETS_STORE = "reflex-rules-rulesets";
    public static final String RULESETS_SOURCE = "rulesets";
    public static final String RULESETS_PROCESSOR = "track-rulesets";

    private DecisionTopology() {
    }

    /** A topology that runs the ruleset as version 1 until another is deployed. */
    public static Topology build(Ruleset ruleset, RulesConfig config, Clock clock, RulesMetrics metrics) {
        return build(new Rulesets(ruleset), config, clock, metrics);
    }

    public static Topology build(Rulesets rulesets, RulesConfig config, Clock clock, RulesMetrics metrics) {
        // Persistent and logged: a restarted or moved task finds what it had seen and opened,
        // and with exactly_once_v2 the store writes commit together with the outputs.
        StoreBuilder<KeyValueStore<String, Long>> seen = Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(SEEN_STORE), Serdes.String(), Serdes.Long());
        StoreBuilder<KeyValueStore<String, Incident>> open = Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(OPEN_INCIDENTS_STORE), Serdes.String(), Topics.INCIDENTS.valueSerde());
        StoreBuilder<KeyValueStore<String, SessionFact>> facts = Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(FACTS_STORE), Serdes.String(), new JsonSerde<>(SessionFact.class));
        StoreBuilder<KeyValueStore<String, Verification>> verifications = Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(VERIFICATIONS_STORE), Serdes.String(),
                new JsonSerde<>(Verification.class));

        // In memory, no changelog: a global store is restored from its source topic anyway.
        StoreBuilder<KeyValueStore<String, RulesetVersion>> versions = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(RULESETS_STORE), Serdes.String(), Topics.RULESETS.valueSerde())
                .withLoggingDisabled();

        return new Topology()
                .addGlobalStore(versions, RULESETS_SOURCE, Topics.RULESETS.keySerde().deserializer(),
                        Topics.RULESETS.valueSerde().deserializer(), Topics.RULESETS.name(), RULESETS_PROCESSOR,
                        () -> new RulesetsUpdater(RULESETS_STORE, rulesets))
                .addSource(SOURCE, Topics.ALERTS.keySerde().deserializer(), Topics.ALERTS.valueSerde().deserializer(),
                        Topics.ALERTS.name())
                .addSource(RESULTS_SOURCE, Topics.RESULTS.keySerde().deserializer(),
                        Topics.RESULTS.valueSerde().deserializer(), Topics.RESULTS.name())
                .addProcessor(PROCESSOR, () -> new DecisionProcessor(rulesets, config, clock, metrics), SOURCE,
                        RESULTS_SOURCE)
                .addStateStore(seen, PROCESSOR)
                .addStateStore(open, PROCESSOR)
                .addStateStore(facts, PROCESSOR)
                .addStateStore(verifications, PROCESSOR)
                .addSource(DEAD_LETTER_SOURCE, Topics.ALERTS_DLQ.keySerde().deserializer(),
                        Topics.ALERTS_DLQ.valueSerde().deserializer(), Topics.ALERTS_DLQ.name())
                .addProcessor(DEAD_LETTER_PROCESSOR, DeadLetterProcessor::new, DEAD_LETTER_SOURCE)
                .addSink(ACTIONS_SINK, Topics.ACTIONS.name(), Topics.ACTIONS.keySerde().serializer(),
                        Topics.ACTIONS.valueSerde().serializer(), PROCESSOR)
                .addSink(TIMELINE_SINK, Topics.TIMELINE.name(), Topics.TIMELINE.keySerde().serializer(),
                        Topics.TIMELINE.valueSerde().serializer(), PROCESSOR, DEAD_LETTER_PROCESSOR)
                .addSink(INCIDENTS_SINK, Topics.INCIDENTS.name(), Topics.INCIDENTS.keySerde().serializer(),
                        Topics.INCIDENTS.valueSerde().serializer(), PROCESSOR, DEAD_LETTER_PROCESSOR);
    }
}
