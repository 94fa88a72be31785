package io.reflex.testkit;

import io.reflex.model.Topic;
import io.reflex.model.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.BrokerServer;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-broker KRaft Kafka for tests, in this JVM.
 *
 * <p>This is the only class that touches Kafka's test kit ({@code KafkaClusterTestKit}), so a Kafka
 * upgrade that changes the kit changes this file only. Start one per test class:
 *
 * <pre>{@code
 * try (KafkaCluster kafka = KafkaCluster.start()) {
 *     kafka.createAllTopics();
 *     kafka.send(Topics.ALERTS, "host:web-1", alert);
 *     List<ConsumerRecord<String, AlertEvent>> read = kafka.readAll(Topics.ALERTS, Duration.ofMillis(500));
 * }
 * }</pre>
 */
public final class KafkaCluster implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KafkaCluster.class);

    /** Bounds every blocking call, so a broken broker fails the test instead of hanging the build. */
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final KafkaClusterTestKit kit;
    private final int brokerId;
    /** Captured once: the kit rebinds the same port on restart, but cannot tell it while the broker is down. */
    private final String bootstrapServers;
    private Producer<String, byte[]> producer;

    private KafkaCluster(KafkaClusterTestKit kit) {
        this.kit = kit;
        this.brokerId = kit.brokers().keySet().iterator().next();
        this.bootstrapServers = kit.bootstrapServers();
    }

    /**
     * Starts one broker and one controller with single-broker settings (replication factor 1 for
     * every internal topic, no initial rebalance delay) and waits until the broker is ready.
     */
    public static KafkaCluster start() {
        long began = System.nanoTime();
        KafkaClusterTestKit kit = null;
        try {
            // A separate controller node (not a combined one): the broker can then be stopped and
            // restarted on its own, with the controller and its metadata log staying up.
            TestKitNodes nodes = new TestKitNodes.Builder()
                    .setCombined(false)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .build();
            KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
            singleBrokerSettings().forEach(builder::setConfigProp);
            kit = builder.build();
            kit.format();
            kit.startup();
            kit.waitForReadyBrokers();
            KafkaCluster cluster = new KafkaCluster(kit);
            log.info("Test Kafka cluster started at {} in {} ms", cluster.bootstrapServers,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
            return cluster;
        } catch (Exception e) {
            if (kit != null) {
                closeQuietly(kit, e);
            }
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("cannot start the test Kafka cluster: " + e.getMessage(), e);
        }
    }

    /** The broker settings a single node needs; the same as the embedded broker of the app. */
    private static Map<String, Object> singleBrokerSettings() {
        Map<String, Object> settings = new HashMap<>();
        settings.put("offsets.topic.replication.factor", "1");
        settings.put("transaction.state.log.replication.factor", "1");
        settings.put("transaction.state.log.min.isr", "1");
        settings.put("share.coordinator.state.topic.replication.factor", "1");
        settings.put("share.coordinator.state.topic.min.isr", "1");
        settings.put("group.initial.rebalance.delay.ms", "0");
        settings.put("log.cleaner.dedupe.buffer.size", "2097152");
        // A restarted broker can register again only when the controller has expired its old
        // session (default 9 s): keep the session short so restartBroker() takes seconds, not ten.
        settings.put("broker.heartbeat.interval.ms", "500");
        settings.put("broker.session.timeout.ms", "3000");
        // A test that forgets to create a topic should fail, not get a one-partition stand-in.
        settings.put("auto.create.topics.enable", "false");
        // 50 partitions each (the defaults) make the first consumer group and the first
        // transaction wait for 50 partitions to be created; tests need only a few.
        settings.put("offsets.topic.num.partitions", "3");
        settings.put("transaction.state.log.num.partitions", "3");
        return settings;
    }

    /** {@code host:port} of the broker; stays the same across {@link #stopBroker()} and {@link #restartBroker()}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** A fresh, mutable map with what any client needs to reach this cluster; add your own settings to it. */
    public Map<String, Object> clientProps() {
        Map<String, Object> props = new HashMap<>();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return props;
    }

    /** An admin client for this cluster; the caller closes it. */
    public Admin admin() {
        return Admin.create(clientProps());
    }

    /** Creates the given topics with their partitions (replication 1); topics that exist are left alone. */
    public void createTopics(Topic<?>... topics) {
        List<NewTopic> newTopics = new ArrayList<>();
        for (Topic<?> topic : topics) {
            NewTopic newTopic = new NewTopic(topic.name(), topic.partitions(), (short) 1);
            if (topic.compacted()) {
                newTopic.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            }
            newTopics.add(newTopic);
        }
        try (Admin admin = admin()) {
            for (var entry : admin.createTopics(newTopics).values().entrySet()) {
                try {
                    entry.getValue().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + entry.getKey() + ": "
                                + e.getCause().getMessage(), e.getCause());
                    }
                }
            }
            awaitLeaders(admin, newTopics.stream().map(NewTopic::name).toList());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics " + Arrays.toString(topics), e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("topics " + Arrays.toString(topics) + " were not created within "
                    + TIMEOUT + "; is the broker stopped?", e);
        }
    }

    /**
     * The controller acknowledges a new topic before the broker's metadata has it; a client that
     * asks right away would see no partitions. Wait until every partition has a leader.
     */
    private static void awaitLeaders(Admin admin, List<String> names)
            throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            try {
                boolean ready = admin.describeTopics(names).allTopicNames().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                        .values().stream()
                        .flatMap(d -> d.partitions().stream())
                        .allMatch(p -> p.leader() != null && !p.leader().isEmpty());
                if (ready) {
                    return;
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw new IllegalStateException("cannot describe topics " + names + ": " + e.getCause(), e.getCause());
                }
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("partitions of " + names + " have no leader after " + TIMEOUT);
            }
            Thread.sleep(50);
        }
    }

    /** Creates every Reflex topic ({@link Topics#all()}). */
    public void createAllTopics() {
        createTopics(Topics.all().toArray(Topic<?>[]::new));
    }

    /** Writes one record with acks=all and waits until the broker has it. */
    public <V> void send(Topic<V> topic, String key, V value) {
        byte[] bytes = topic.valueSerde().serializer().serialize(topic.name(), value);
        try {
            producer().send(new ProducerRecord<>(topic.name(), key, bytes)).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending to " + topic.name(), e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException("cannot send key " + key + " to " + topic.name() + ": " + cause, cause);
        }
    }

    /**
     * Reads a topic from the beginning, committed records only (isolation.level=read_committed),
     * until no new record arrives for {@code quiet}. Gives up after one minute of records that keep coming.
     */
    public <V> List<ConsumerRecord<String, V>> readAll(Topic<V> topic, Duration quiet) {
        Map<String, Object> props = clientProps();
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<String, V>> records = new ArrayList<>();
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(props,
                topic.keySerde().deserializer(), topic.valueSerde().deserializer())) {
            // Assigned, not subscribed: no consumer group, so no rebalance to wait for.
            List<TopicPartition> partitions = consumer.partitionsFor(topic.name(), TIMEOUT).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            if (partitions.isEmpty()) {
                throw new IllegalStateException("topic " + topic.name() + " does not exist; create it first");
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            // First everything committed by now, partition by partition: right after a broker restart a
            // partition may answer late, and a quiet spell alone would end the read before it did.
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, TIMEOUT);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp, TIMEOUT) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(topic.name() + " was not read to its end " + end + " within "
                            + TIMEOUT + "; " + records.size() + " records read so far");
                }
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
            }
            long quietUntil = System.nanoTime() + quiet.toNanos();
            while (System.nanoTime() < quietUntil) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(topic.name() + " did not go quiet for " + quiet + " within "
                            + TIMEOUT + "; " + records.size() + " records read so far");
                }
                ConsumerRecords<String, V> batch = consumer.poll(Duration.ofMillis(100));
                if (!batch.isEmpty()) {
                    batch.forEach(records::add);
                    quietUntil = System.nanoTime() + quiet.toNanos();
                }
            }
        }
        return records;
    }

    /**
     * Stops the broker (the controller stays up) and keeps its data. Clients see it as down until
     * {@link #restartBroker()}.
     */
    public void stopBroker() {
        BrokerServer broker = kit.brokers().get(brokerId);
        broker.shutdown();
        broker.awaitShutdown();
    }

    /**
     * Starts the broker again on the same port with the data it had, and waits until it is ready.
     * Without {@link #stopBroker()} before, it stops and starts the broker in one go.
     */
    public void restartBroker() {
        long began = System.nanoTime();
        // The kit lets a broker take 10 minutes to start; a test should fail sooner.
        kit.restartBroker(brokerId, Map.of("server.max.startup.time.ms", String.valueOf(TIMEOUT.toMillis())));
        try {
            kit.waitForReadyBrokers();
            log.info("Test Kafka broker restarted at {} in {} ms", bootstrapServers,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
        } catch (ExecutionException e) {
            throw new IllegalStateException("the restarted broker did not become ready: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the restarted broker", e);
        }
    }

    private synchronized Producer<String, byte[]> producer() {
        if (producer == null) {
            Map<String, Object> props = clientProps();
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        }
        return producer;
    }

    /** Stops everything and deletes the cluster's files. */
    @Override
    public void close() {
        synchronized (this) {
            if (producer != null) {
                producer.close(Duration.ofSeconds(5));
                producer = null;
            }
        }
        try {
            kit.close();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("the test Kafka cluster did not shut down cleanly: " + e.getMessage(), e);
        }
    }

    private static void closeQuietly(KafkaClusterTestKit kit, Exception failure) {
        try {
            kit.close();
        } catch (Exception e) {
            failure.addSuppressed(e);
        }
    }
}
