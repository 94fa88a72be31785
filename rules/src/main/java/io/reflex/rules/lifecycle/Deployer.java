package io.reflex.rules.lifecycle;

import io.reflex.model.RulesetVersion;
import io.reflex.model.Topics;
import io.reflex.rules.RuleCompiler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deploys, lists and rolls back rule package versions through the compacted
 * {@code reflex.rulesets} topic: a version is written as {@code v<n>}, then {@code active}
 * points at it, both in one transaction, so no reader sees an active version that is not stored.
 *
 * <p>Deploys of one process are serialized; two processes deploying at the same instant may
 * pick the same number (the later write wins), as nothing coordinates them yet.
 */
public final class Deployer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Deployer.class);

    /** How long a deploy waits for this process's stage to run the new version before answering "accepted". */
    public static final Duration DEFAULT_ACTIVATION_BOUND = Duration.ofSeconds(15);
    static final Duration READ_BOUND = Duration.ofSeconds(30);
    static final String BASELINE_AUTHOR = "reflex (the configured rule package)";

    /** @param active whether this process's stage runs the version already */
    public record Deployed(long version, boolean active) {
    }

    public record Entry(long version, Instant deployedAt, String author) {
    }

    /** The answer of {@code GET /api/rules}; a record so the field order is the contract's. */
    public record Listing(long active, List<Entry> versions) {
    }

    private final Map<String, Object> kafkaProps;
    private final Rulesets rulesets;
    private final Clock clock;
    private final Duration activationBound;
    /** Version 1: the package the stage started with, written to the topic on the first deploy. */
    private final RulesetVersion baseline;
    private KafkaProducer<String, RulesetVersion> producer;

    /**
     * @param kafkaProps      Kafka client settings, at least {@code bootstrap.servers}
     * @param rulesets        the local stage's versions, to wait until it runs a deployed one
     * @param baselineDrl     the text of the package the stage started with (version 1)
     * @param activationBound how long a deploy waits for the local stage
     */
    public Deployer(Map<String, Object> kafkaProps, Rulesets rulesets, String baselineDrl, Clock clock,
            Duration activationBound) {
        this.kafkaProps = Map.copyOf(kafkaProps);
        this.rulesets = rulesets;
        this.clock = clock;
        this.activationBound = activationBound;
        this.baseline = new RulesetVersion(rulesets.initial().version(), baselineDrl, clock.instant(),
                BASELINE_AUTHOR, false);
    }

    /**
     * Validates the package, stores it as the next version and makes it active.
     *
     * @throws io.reflex.rules.RuleCompilationException when it does not compile; nothing is written
     */
    public synchronized Deployed deploy(String drl, String author, boolean shadow) {
        RuleCompiler.compile("the deployed package", drl);
        Map<String, RulesetVersion> stored = readAll();
        long next = stored.values().stream().mapToLong(RulesetVersion::version).max()
                .orElse(baseline.version()) + 1;
        RulesetVersion version = new RulesetVersion(next, drl, clock.instant(), author, shadow);
        write(stored.containsKey(RulesetVersion.key(baseline.version())) ? null : baseline, version);
        LOG.info("ruleset v{} by {} deployed{}", next, author, shadow ? " in shadow mode" : "");
        return new Deployed(next, awaitActive(next));
    }

    /** Makes a stored version active again; empty when there is no such version. */
    public synchronized Optional<Deployed> rollback(long version) {
        Map<String, RulesetVersion> stored = readAll();
        RulesetVersion target = stored.get(RulesetVersion.key(version));
        RulesetVersion extra = null;
        if (target == null && version == baseline.version()) {
            target = baseline;
            extra = baseline;
        }
        if (target == null) {
            return Optional.empty();
        }
        write(extra, target);
        LOG.info("ruleset rolled back to v{}", version);
        return Optional.of(new Deployed(version, awaitActive(version)));
    }

    /** The active version and every stored one, oldest first. */
    public synchronized Listing list() {
        Map<String, RulesetVersion> stored = readAll();
        Map<Long, RulesetVersion> versions = new HashMap<>();
        versions.put(baseline.version(), baseline);
        stored.forEach((key, value) -> {
            if (!key.equals(RulesetsUpdater.ACTIVE_KEY)) {
                versions.put(value.version(), value);
            }
        });
        RulesetVersion active = stored.get(RulesetsUpdater.ACTIVE_KEY);
        return new Listing(active == null ? baseline.version() : active.version(), versions.values().stream()
                .sorted(Comparator.comparingLong(RulesetVersion::version))
                .map(v -> new Entry(v.version(), v.deployedAt(), v.author()))
                .toList());
    }

    /** Writes {@code first} (when not null) and {@code active} under its own key and as {@code active}, atomically. */
    private void write(RulesetVersion first, RulesetVersion active) {
        KafkaProducer<String, RulesetVersion> p = producer();
        p.beginTransaction();
        try {
            if (first != null) {
                p.send(new ProducerRecord<>(Topics.RULESETS.name(), RulesetVersion.key(first.version()), first));
            }
            p.send(new ProducerRecord<>(Topics.RULESETS.name(), RulesetVersion.key(active.version()), active));
            p.send(new ProducerRecord<>(Topics.RULESETS.name(), RulesetsUpdater.ACTIVE_KEY, active));
            p.commitTransaction();
        } catch (RuntimeException e) {
            // A failed transaction leaves the producer unusable for the next deploy: start afresh.
            producer = null;
            p.close(Duration.ofSeconds(5));
            throw new IllegalStateException("writing ruleset v" + active.version() + " to " + Topics.RULESETS.name()
                    + " failed; nothing was deployed. Check that Kafka is reachable and retry.", e);
        }
    }

    private KafkaProducer<String, RulesetVersion> producer() {
        if (producer == null) {
            Map<String, Object> props = new HashMap<>(kafkaProps);
            props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "reflex-rules-deployer-" + UUID.randomUUID());
            props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            KafkaProducer<String, RulesetVersion> created = new KafkaProducer<>(props, new StringSerializer(),
                    Topics.RULESETS.valueSerde().serializer());
            created.initTransactions();
            producer = created;
        }
        return producer;
    }

    /** The topic's latest record of each key, read to its end (committed records only). */
    private Map<String, RulesetVersion> readAll() {
        Map<String, Object> props = new HashMap<>(kafkaProps);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        TopicPartition partition = new TopicPartition(Topics.RULESETS.name(), 0);
        Map<String, RulesetVersion> latest = new HashMap<>();
        try (KafkaConsumer<String, RulesetVersion> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                Topics.RULESETS.valueSerde().deserializer())) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition), READ_BOUND).get(partition);
            long deadline = System.nanoTime() + READ_BOUND.toNanos();
            while (consumer.position(partition, READ_BOUND) < end) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + Topics.RULESETS.name() + " to its end within "
                            + READ_BOUND + "; check that Kafka is reachable and retry");
                }
                for (ConsumerRecord<String, RulesetVersion> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.key() == null) {
                        continue;
                    }
                    if (record.value() == null) {
                        latest.remove(record.key());
                    } else {
                        latest.put(record.key(), record.value());
                    }
                }
            }
        }
        return latest;
    }

    /** Waits, bounded, until this process's stage runs the version on every task. */
    private boolean awaitActive(long version) {
        long deadline = System.nanoTime() + activationBound.toNanos();
        while (!rulesets.runs(version)) {
            if (System.nanoTime() > deadline) {
                LOG.warn("ruleset v{} is stored and active, but this process's rules stage did not run it within {};"
                        + " it swaps when it next reads reflex.rulesets", version, activationBound);
                return false;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    @Override
    public synchronized void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
            producer = null;
        }
    }
}
