package io.reflex.console;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.reflex.model.Json;
import io.reflex.model.Topic;
import io.reflex.model.Topics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code GET /api/status} shows about Kafka: whether the cluster answers, each topic's end
 * offset and write rate, and the lag of each role's consumer group. Sampled on a timer so the
 * rates have a history, and on demand when the last sample is stale. Every Kafka call is
 * bounded by a short timeout, so an unreachable cluster gives a quick "down", never a hung page.
 */
final class KafkaStatus implements AutoCloseable {
    static final Duration SAMPLE_EVERY = Duration.ofSeconds(5);
    static final Duration RATE_WINDOW = Duration.ofMinutes(1);
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(3);
    private static final Logger log = LoggerFactory.getLogger(KafkaStatus.class);

    private final Map<String, Object> kafkaProps;
    private final List<ConsumerGroupRole> groups;
    private final Clock clock;
    private final Map<String, OffsetHistory> histories = new HashMap<>();
    private volatile Admin admin;
    private volatile ScheduledExecutorService timer;
    private ObjectNode latest;
    private Instant latestAt;
    private boolean wasUp = true;

    KafkaStatus(Map<String, Object> kafkaProps, List<ConsumerGroupRole> groups, Clock clock) {
        this.kafkaProps = Map.copyOf(kafkaProps);
        this.groups = List.copyOf(groups);
        this.clock = clock;
    }

    synchronized void start() {
        admin = Admin.create(kafkaProps);
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "reflex-console-status");
            thread.setDaemon(true);
            return thread;
        });
        timer.scheduleWithFixedDelay(() -> {
            try {
                sample();
            } catch (RuntimeException e) {
                log.warn("Sampling Kafka status failed: {}", e.toString(), e);
            }
        }, 0, SAMPLE_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The last sample if younger than {@code maxAge}, else a new one. Blocks: call off the event loop. */
    synchronized ObjectNode current(Duration maxAge) {
        if (latest == null || latestAt.plus(maxAge).isBefore(clock.instant())) {
            sample();
        }
        return latest.deepCopy();
    }

    /** Takes one sample now. Blocks for at most a few call timeouts. */
    synchronized ObjectNode sample() {
        if (admin == null) {
            throw new IllegalStateException("the console's Kafka status is not started; call Console.start() first");
        }
        Instant at = clock.instant();
        ObjectNode status = Json.MAPPER.createObjectNode();
        ObjectNode kafka = status.putObject("kafka");
        ArrayNode topics = status.putArray("topics");
        ArrayNode roles = status.putArray("roles");
        boolean up = false;
        try {
            DescribeClusterResult cluster = admin.describeCluster(
                    new DescribeClusterOptions().timeoutMs((int) CALL_TIMEOUT.toMillis()));
            int brokers = get(cluster.nodes()).size();
            kafka.put("up", true).put("brokers", brokers).put("clusterId", get(cluster.clusterId()));
            up = true;
        } catch (KafkaCallException e) {
            kafka.put("up", false).put("error", "Kafka does not answer (" + e.getMessage()
                    + "); check that the brokers run and that kafka.bootstrap.servers points at them");
        }
        if (up != wasUp) {
            if (up) {
                log.info("Console sees Kafka again");
            } else {
                log.warn("Console cannot reach Kafka: {}", kafka.get("error").asText());
            }
            wasUp = up;
        }
        if (up) {
            sampleTopics(at, topics);
            sampleGroups(roles);
        } else {
            for (ConsumerGroupRole group : groups) {
                roles.addObject().put("role", group.role()).put("group", group.groupId()).putNull("lag");
            }
        }
        status.put("at", at.toString());
        latest = status;
        latestAt = at;
        return status.deepCopy();
    }

    private void sampleTopics(Instant at, ArrayNode out) {
        List<String> names = Topics.all().stream().map(Topic::name).toList();
        Map<String, TopicDescription> described = new HashMap<>();
        try {
            admin.describeTopics(names, new DescribeTopicsOptions().timeoutMs((int) CALL_TIMEOUT.toMillis()))
                    .topicNameValues().forEach((name, future) -> {
                        try {
                            described.put(name, get(future));
                        } catch (KafkaCallException e) {
                            log.debug("Topic {} not described: {}", name, e.getMessage());
                        }
                    });
            Set<TopicPartition> partitions = new HashSet<>();
            described.values().forEach(d -> d.partitions()
                    .forEach(p -> partitions.add(new TopicPartition(d.name(), p.partition()))));
            Map<TopicPartition, Long> ends = endOffsets(partitions);
            Map<String, Long> perTopic = new HashMap<>();
            ends.forEach((tp, end) -> perTopic.merge(tp.topic(), end, Long::sum));
            perTopic.forEach((name, end) ->
                    histories.computeIfAbsent(name, n -> new OffsetHistory(RATE_WINDOW)).add(at, end));
        } catch (KafkaCallException e) {
            log.debug("Topic end offsets not sampled: {}", e.getMessage());
        }
        for (String name : names) {
            OffsetHistory history = histories.get(name);
            ObjectNode topic = out.addObject().put("name", name);
            if (history == null || !described.containsKey(name)) {
                topic.putNull("endOffset").putNull("ratePerSecond");
                topic.put("error", described.containsKey(name) ? "end offsets unavailable" : "topic not found");
            } else {
                topic.put("endOffset", history.endOffset());
                Double rate = history.ratePerSecond();
                if (rate == null) {
                    topic.putNull("ratePerSecond");
                } else {
                    topic.put("ratePerSecond", Math.round(rate * 100) / 100.0);
                }
            }
        }
    }

    /** Lag = sum over the group's committed partitions of (end offset - committed offset). */
    private void sampleGroups(ArrayNode out) {
        for (ConsumerGroupRole group : groups) {
            ObjectNode role = out.addObject().put("role", group.role()).put("group", group.groupId());
            try {
                Map<TopicPartition, OffsetAndMetadata> committed = get(admin.listConsumerGroupOffsets(group.groupId(),
                                new ListConsumerGroupOffsetsOptions().timeoutMs((int) CALL_TIMEOUT.toMillis()))
                        .partitionsToOffsetAndMetadata());
                Map<TopicPartition, OffsetAndMetadata> known = new HashMap<>();
                committed.forEach((tp, offset) -> {
                    if (offset != null) {
                        known.put(tp, offset);
                    }
                });
                if (known.isEmpty()) {
                    role.putNull("lag");
                    role.put("note", "the group has committed no offsets yet (not started, or nothing consumed)");
                    continue;
                }
                Map<TopicPartition, Long> ends = endOffsets(known.keySet());
                long lag = 0;
                for (Map.Entry<TopicPartition, OffsetAndMetadata> e : known.entrySet()) {
                    Long end = ends.get(e.getKey());
                    if (end != null) {
                        lag += Math.max(0, end - e.getValue().offset());
                    }
                }
                role.put("lag", lag).put("partitions", known.size());
            } catch (KafkaCallException e) {
                role.putNull("lag");
                role.put("error", "lag unavailable: " + e.getMessage());
            }
        }
    }

    private Map<TopicPartition, Long> endOffsets(Set<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return Map.of();
        }
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(tp -> request.put(tp, OffsetSpec.latest()));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> infos =
                get(admin.listOffsets(request, new ListOffsetsOptions().timeoutMs((int) CALL_TIMEOUT.toMillis())).all());
        Map<TopicPartition, Long> ends = new HashMap<>();
        infos.forEach((tp, info) -> ends.put(tp, info.offset()));
        return ends;
    }

    private static <T> T get(KafkaFuture<T> future) {
        try {
            return future.get(CALL_TIMEOUT.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaCallException("interrupted");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new KafkaCallException(cause.getClass().getSimpleName() + ": " + cause.getMessage());
        } catch (TimeoutException e) {
            throw new KafkaCallException("no answer within " + CALL_TIMEOUT.toSeconds() + " s");
        }
    }

    private static final class KafkaCallException extends RuntimeException {
        KafkaCallException(String message) {
            super(message);
        }
    }

    /* Not synchronized: a sample waiting on an unreachable cluster must not hold up shutdown. */
    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
    }
}
