package io.reflex.app.kafka;

import io.reflex.model.Topic;
import io.reflex.model.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the Reflex topics that are missing, with the partitions of their {@link Topic}
 * descriptor and compaction where the descriptor asks for it. Topics that exist are left as they
 * are, whatever their settings: an operator may have sized them on purpose.
 */
public final class TopicSetup {
    private static final Logger log = LoggerFactory.getLogger(TopicSetup.class);

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private TopicSetup() {
    }

    /**
     * Ensures every topic of {@link Topics#all()} exists.
     *
     * @param replicationFactor replicas per partition; 0 or less uses the cluster's
     *                          {@code default.replication.factor}
     * @return the names of the topics created now (empty when all existed)
     */
    public static List<String> ensure(Admin admin, short replicationFactor) {
        return ensure(admin, replicationFactor, Topics.all());
    }

    /** Ensures the given topics exist; see {@link #ensure(Admin, short)}. */
    public static List<String> ensure(Admin admin, short replicationFactor, Collection<Topic<?>> topics) {
        try {
            Set<String> existing = admin.listTopics().names().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (Topic<?> topic : topics) {
                if (!existing.contains(topic.name())) {
                    missing.add(newTopic(topic, replicationFactor));
                }
            }
            List<String> created = create(admin, missing);
            awaitLeaders(admin, topics.stream().map(Topic::name).toList());
            if (created.isEmpty()) {
                log.info("Kafka topics ready: all {} Reflex topics exist", topics.size());
            } else {
                log.info("Created Kafka topics {} (replication {})", created,
                        replicationFactor > 0 ? replicationFactor : "cluster default");
            }
            return created;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating the Reflex topics", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka did not answer within " + TIMEOUT + " while creating the Reflex "
                    + "topics; check that the cluster is reachable", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create the Reflex topics: " + e.getCause().getMessage()
                    + "; create them by hand (names, partitions and compaction in io.reflex.model.Topics) or grant this "
                    + "client CREATE on the cluster",
                    e.getCause());
        }
    }

    static NewTopic newTopic(Topic<?> topic, short replicationFactor) {
        NewTopic newTopic = new NewTopic(topic.name(), Optional.of(topic.partitions()),
                replicationFactor > 0 ? Optional.of(replicationFactor) : Optional.empty());
        if (topic.compacted()) {
            newTopic.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
        }
        return newTopic;
    }

    private static List<String> create(Admin admin, List<NewTopic> missing)
            throws InterruptedException, ExecutionException, TimeoutException {
        List<String> created = new ArrayList<>();
        if (missing.isEmpty()) {
            return created;
        }
        for (Map.Entry<String, KafkaFuture<Void>> result : admin.createTopics(missing).values().entrySet()) {
            try {
                result.getValue().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                created.add(result.getKey());
            } catch (ExecutionException e) {
                // Another Reflex process created it between our list and our create: that is fine.
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        }
        return created;
    }

    /**
     * The controller acknowledges a new topic before the brokers' metadata has it; a client that
     * starts right away would find no partitions. Wait until every partition has a leader.
     */
    private static void awaitLeaders(Admin admin, List<String> names)
            throws InterruptedException, ExecutionException, TimeoutException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            try {
                Map<String, TopicDescription> descriptions =
                        admin.describeTopics(names).allTopicNames().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                boolean ready = descriptions.values().stream()
                        .flatMap(d -> d.partitions().stream())
                        .allMatch(p -> p.leader() != null && !p.leader().isEmpty());
                if (ready) {
                    return;
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("partitions of " + names + " have no leader after " + TIMEOUT);
            }
            Thread.sleep(50);
        }
    }
}
