package io.reflex.rules.replay;

import io.reflex.model.Action;
import io.reflex.model.AlertEvent;
import io.reflex.model.Topic;
import io.reflex.model.Topics;
import io.reflex.rules.ActionRequest;
import io.reflex.rules.RuleCompiler;
import io.reflex.rules.RuleSession;
import io.reflex.rules.replay.ReplayReport.AlertRef;
import io.reflex.rules.replay.ReplayReport.Decision;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.kie.api.KieBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluates a candidate ruleset over the alerts recorded on {@code reflex.alerts} in a time range
 * and reports the actions it would have taken next to those recorded on {@code reflex.actions}.
 *
 * <p>The candidate runs as the rules stage runs: one fresh session per alerts partition, alerts in
 * partition order, the pseudo clock at each record's timestamp, redelivered alert ids dropped. It
 * only reads: nothing is written to Kafka, nothing is executed. The incident bookkeeping of the
 * stage is not replayed, so a candidate request on an alert without an open incident, which the
 * stage would drop, still shows.
 */
public final class Replay {
    private static final Logger LOG = LoggerFactory.getLogger(Replay.class);

    private final Map<String, Object> clientProps;
    private final Duration timeout;

    /**
     * @param clientProps Kafka client properties (bootstrap servers, security); consumer settings are added
     * @param timeout     the longest one topic may take to read; a replay that needs longer fails saying so
     */
    public Replay(Map<String, Object> clientProps, Duration timeout) {
        this.clientProps = Map.copyOf(clientProps);
        this.timeout = timeout;
    }

    /** Compiles the candidate and replays it. */
    public ReplayReport run(Instant from, Instant to, String origin, String candidateDrl) {
        return run(from, to, origin, RuleCompiler.compile(origin, candidateDrl));
    }

    /** Replays a compiled candidate over {@code [from, to)}. */
    public ReplayReport run(Instant from, Instant to, String origin, KieBase candidate) {
        if (!from.isBefore(to)) {
            throw new IllegalArgumentException("replay range [" + from + ", " + to + ") is empty; give 'from'"
                    + " before 'to'");
        }
        Map<Integer, List<Timed<AlertEvent>>> alerts = read(Topics.ALERTS, from, to);
        Map<Integer, List<Timed<Action>>> actions = read(Topics.ACTIONS, from, to);

        Evaluation evaluation = evaluate(candidate, alerts, to);
        List<Action> taken = new ArrayList<>();
        actions.values().forEach(records -> records.forEach(r -> taken.add(r.value())));
        Attribution.Result actual = Attribution.attribute(taken, evaluation.alerts());
        ReplayReport report = ReplayReport.compare(from, to, origin,
                evaluation.alerts().stream()
                        .map(a -> new AlertRef(a.id(), a.name(), a.resource().key()))
                        .toList(),
                evaluation.duplicates(), actual.byAlert(), evaluation.byAlert(), actual.unattributed(),
                evaluation.failures());
        LOG.info("replay of {} over [{}, {}): {} alerts, {} actions read; {}", origin, from, to,
                evaluation.alerts().size(), taken.size(), report.summary());
        return report;
    }

    /** A record value with its timestamp. */
    record Timed<V>(long timestamp, V value) {
    }

    /** What the candidate decided, per trigger alert id, over the distinct alerts it saw. */
    record Evaluation(List<AlertEvent> alerts, int duplicates, Map<String, List<Decision>> byAlert,
            List<String> failures) {
    }

    /**
     * Runs the candidate over the alerts of each partition in a session of its own, then moves
     * each session to the end of the range so absence and once-after rules due by then fire.
     */
    static Evaluation evaluate(KieBase candidate, Map<Integer, List<Timed<AlertEvent>>> partitions, Instant to) {
        List<AlertEvent> distinct = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        int duplicates = 0;
        Map<String, List<Decision>> byAlert = new LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        for (List<Timed<AlertEvent>> records : new TreeMap<>(partitions).values()) {
            try (RuleSession session = new RuleSession(candidate)) {
                for (Timed<AlertEvent> record : records) {
                    AlertEvent alert = record.value();
                    if (!seen.add(alert.id())) {
                        duplicates++;
                        continue;
                    }
                    distinct.add(alert);
                    session.advanceTo(record.timestamp());
                    session.insert(alert);
                    collect(session.fire(), alert, byAlert, failures);
                }
                session.advanceTo(to.toEpochMilli());
                collect(session.fire(), null, byAlert, failures);
            }
        }
        return new Evaluation(distinct, duplicates, byAlert, failures);
    }

    private static void collect(RuleSession.Outcome outcome, AlertEvent current, Map<String, List<Decision>> byAlert,
            List<String> failures) {
        for (ActionRequest request : outcome.requests()) {
            byAlert.computeIfAbsent(request.trigger().id(), k -> new ArrayList<>()).add(new Decision(request.type(),
                    request.targetKind() + ":" + request.targetName(), request.rule()));
        }
        for (RuleSession.Failure failure : outcome.failures()) {
            AlertEvent trigger = failure.trigger() != null ? failure.trigger() : current;
            failures.add("rule \"" + failure.rule() + "\" on alert " + (trigger == null ? "unknown" : trigger.id())
                    + ": " + failure.error());
        }
    }

    /**
     * Reads the committed records of a topic whose timestamps fall in {@code [from, to)}, per partition
     * in offset order: from the first offset at or after {@code from}, up to the first record at or
     * after {@code to} or the end of the partition as it was when the read started. Records that do
     * not parse are skipped with a warning, as the stage skips them.
     */
    <V> Map<Integer, List<Timed<V>>> read(Topic<V> topic, Instant from, Instant to) {
        Map<String, Object> props = new HashMap<>(clientProps);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        Map<Integer, List<Timed<V>>> out = new TreeMap<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic.name(), timeout).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            if (partitions.isEmpty()) {
                throw new IllegalStateException("topic " + topic.name() + " does not exist; is this the Reflex"
                        + " cluster (check bootstrap.servers)?");
            }
            Map<TopicPartition, Long> query = new HashMap<>();
            partitions.forEach(p -> query.put(p, from.toEpochMilli()));
            Map<TopicPartition, OffsetAndTimestamp> starts = consumer.offsetsForTimes(query, timeout);
            // With read_committed, the end is the last stable offset: no open transaction is waited for.
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
            Map<TopicPartition, Long> remaining = new HashMap<>();
            for (TopicPartition p : partitions) {
                OffsetAndTimestamp start = starts.get(p);
                if (start != null && start.offset() < ends.get(p)) {
                    remaining.put(p, ends.get(p));
                    out.put(p.partition(), new ArrayList<>());
                }
            }
            consumer.assign(remaining.keySet());
            remaining.keySet().forEach(p -> consumer.seek(p, starts.get(p).offset()));
            while (!remaining.isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("reading " + topic.name() + " for [" + from + ", " + to
                            + ") took longer than " + timeout + "; partitions " + remaining.keySet()
                            + " not finished. Replay a shorter range or give it more time.");
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    TopicPartition p = new TopicPartition(record.topic(), record.partition());
                    if (!remaining.containsKey(p)) {
                        continue;
                    }
                    if (record.timestamp() >= to.toEpochMilli()) {
                        finish(consumer, remaining, p);
                        continue;
                    }
                    V value = parse(topic, record);
                    if (value != null) {
                        out.get(p.partition()).add(new Timed<>(record.timestamp(), value));
                    }
                    if (record.offset() + 1 >= remaining.get(p)) {
                        finish(consumer, remaining, p);
                    }
                }
                // Aborted transactions and markers leave no record at the end: the position tells.
                for (TopicPartition p : List.copyOf(remaining.keySet())) {
                    if (consumer.position(p) >= remaining.get(p)) {
                        finish(consumer, remaining, p);
                    }
                }
            }
        }
        return out;
    }

    private static void finish(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> remaining, TopicPartition p) {
        remaining.remove(p);
        consumer.pause(List.of(p));
    }

    private static <V> V parse(Topic<V> topic, ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            return null;
        }
        try {
            return topic.valueSerde().deserializer().deserialize(topic.name(), record.value());
        } catch (RuntimeException e) {
            LOG.warn("{} partition {} offset {}: not a record of this topic, skipped in the replay: {}",
                    topic.name(), record.partition(), record.offset(), e.toString());
            return null;
        }
    }
}
