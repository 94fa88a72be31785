package io.reflex.rules.lifecycle;

import io.reflex.model.RulesetVersion;
import io.reflex.model.Topics;
import io.reflex.rules.RuleCompiler;
import io.reflex.rules.Ruleset;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deploys, lists, rolls back, runs in shadow and promotes rule package versions through the
 * compacted {@code reflex.rulesets} topic: a version is written as {@code v<n>}, and {@code active}
 * (or {@code shadow}) points at it, in one transaction, so no reader sees a version pointed at
 * that is not stored.
 *
 * <p>Version numbers are unique across processes. Every deployer of every process writes with the
 * one transactional id {@link #TRANSACTIONAL_ID}, and each change is: a new producer's
 * {@code initTransactions} (which fences any other deployer and waits until its transactions are
 * complete), a {@code read_committed} read of the topic to its end, the next number, the write,
 * the commit. A deployer that another one fenced in between fails on its send or commit, having
 * written nothing, and starts again from a fresh producer and a fresh read, after a random pause
 * so two deployers do not keep fencing each other.
 */
public final class Deployer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Deployer.class);

    /** How long a deploy waits for this process's stage to run the new version before answering "accepted". */
    public static final Duration DEFAULT_ACTIVATION_BOUND = Duration.ofSeconds(15);
    /** Shared by the deployers of every process: initialising it fences the others. */
    public static final String TRANSACTIONAL_ID = "reflex-rulesets-deployer";
    static final Duration READ_BOUND = Duration.ofSeconds(30);
    static final String BASELINE_AUTHOR = "reflex (the configured rule package)";
    /** Attempts of one change when other deployers keep fencing it. */
    static final int MAX_ATTEMPTS = 12;
    private static final long FIRST_PAUSE_MS = 50;
    private static final long LONGEST_PAUSE_MS = 2_000;

    /** @param active whether this process's stage runs the version already (as active, or in shadow for a shadow deploy) */
    public record Deployed(long version, boolean active) {
    }

    /** @param shadow whether the version was deployed in shadow mode */
    public record Entry(long version, Instant deployedAt, String author, boolean shadow) {
    }

    /**
     * The answer of {@code GET /api/rules}; a record so the field order is the contract's.
     *
     * @param shadow the version running in shadow beside the active one, or null
     */
    public record Listing(long active, Long shadow, List<Entry> versions) {
    }

    /** What a change writes, decided from the topic's latest records; {@code value} null is a tombstone. */
    private record Write(String key, RulesetVersion value) {
    }

    /**
     * The records to write and what the change answers; no records: nothing to write.
     *
     * @param proof a write found stored exactly so proves the plan was committed (a commit that
     *              failed may have), null when doing the change again is harmless
     */
    private record Plan<T>(List<Write> writes, T answer, Write proof) {
        Plan(List<Write> writes, T answer) {
            this(writes, answer, null);
        }

        boolean landedIn(Map<String, RulesetVersion> stored) {
            return proof != null && proof.value() != null && proof.value().equals(stored.get(proof.key()));
        }
    }

    private final Map<String, Object> kafkaProps;
    private final Rulesets rulesets;
    private final Clock clock;
    private final Duration activationBound;
    /** Version 1: the package the stage started with, written to the topic on the first change. */
    private final RulesetVersion baseline;
    private KafkaConsumer<String, RulesetVersion> consumer;

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
     * Validates the package and stores it as the next version; makes it active, or, with
     * {@code shadow}, runs it in shadow beside the active one (replacing any version in shadow).
     *
     * @throws io.reflex.rules.RuleCompilationException when it does not compile; nothing is written
     */
    public synchronized Deployed deploy(String drl, String author, boolean shadow) {
        RuleCompiler.compile("the deployed package", drl);
        long next = change("deploy", stored -> {
            long n = stored.values().stream().mapToLong(RulesetVersion::version).max()
                    .orElse(baseline.version()) + 1;
            n = Math.max(n, baseline.version() + 1);
            RulesetVersion version = new RulesetVersion(n, drl, clock.instant(), author, shadow);
            List<Write> writes = new ArrayList<>(baselineIfMissing(stored));
            Write own = new Write(RulesetVersion.key(n), version);
            writes.add(own);
            writes.add(new Write(shadow ? RulesetsUpdater.SHADOW_KEY : RulesetsUpdater.ACTIVE_KEY, version));
            // Its deployedAt makes the record this deploy's own: found stored, the deploy was committed.
            return new Plan<>(writes, n, own);
        });
        LOG.info("ruleset v{} by {} deployed{}", next, author, shadow ? " in shadow mode" : "");
        return new Deployed(next, shadow ? awaitShadow(next) : awaitActive(next));
    }

    /** Makes a stored version active again; empty when there is no such version. The shadow, if any, stays. */
    public synchronized Optional<Deployed> rollback(long version) {
        Optional<Long> done = change("rollback", stored -> {
            RulesetVersion target = stored.get(RulesetVersion.key(version));
            List<Write> writes = new ArrayList<>(baselineIfMissing(stored));
            if (target == null && version == baseline.version()) {
                target = baseline;
            }
            if (target == null) {
                return new Plan<>(List.of(), Optional.<Long>empty());
            }
            writes.add(new Write(RulesetsUpdater.ACTIVE_KEY, executing(target)));
            return new Plan<>(writes, Optional.of(version));
        });
        done.ifPresent(v -> LOG.info("ruleset rolled back to v{}", v));
        return done.map(v -> new Deployed(v, awaitActive(v)));
    }

    /**
     * Stops the version running in shadow (a tombstone on {@code shadow}); the version stays stored.
     *
     * @return the version that was in shadow, empty when none was
     */
    public synchronized Optional<Long> stopShadow() {
        Optional<Long> stopped = change("stop shadow", stored -> {
            RulesetVersion current = stored.get(RulesetsUpdater.SHADOW_KEY);
            return current == null ? new Plan<>(List.of(), Optional.<Long>empty())
                    : new Plan<>(List.of(new Write(RulesetsUpdater.SHADOW_KEY, null)), Optional.of(current.version()));
        });
        stopped.ifPresent(v -> {
            LOG.info("ruleset v{} no longer runs in shadow", v);
            await(() -> rulesets.shadow() == null || rulesets.shadow().version() != v, "stopped its shadow v" + v);
        });
        return stopped;
    }

    /**
     * Makes the version running in shadow the active one and stops the shadow, atomically.
     *
     * @return the promoted version, empty when none runs in shadow
     */
    public synchronized Optional<Deployed> promoteShadow() {
        Optional<Long> promoted = change("promote shadow", stored -> {
            RulesetVersion current = stored.get(RulesetsUpdater.SHADOW_KEY);
            if (current == null) {
                return new Plan<>(List.of(), Optional.<Long>empty());
            }
            List<Write> writes = new ArrayList<>(baselineIfMissing(stored));
            writes.add(new Write(RulesetsUpdater.ACTIVE_KEY, executing(current)));
            writes.add(new Write(RulesetsUpdater.SHADOW_KEY, null));
            return new Plan<>(writes, Optional.of(current.version()));
        });
        promoted.ifPresent(v -> LOG.info("ruleset v{} promoted from shadow to active", v));
        return promoted.map(v -> new Deployed(v, awaitActive(v)));
    }

    /** The active version, the one in shadow and every stored one, oldest first. */
    public synchronized Listing list() {
        Map<String, RulesetVersion> stored = readAll();
        Map<Long, RulesetVersion> versions = new HashMap<>();
        versions.put(baseline.version(), baseline);
        stored.forEach((key, value) -> {
            if (!key.equals(RulesetsUpdater.ACTIVE_KEY) && !key.equals(RulesetsUpdater.SHADOW_KEY)) {
                versions.put(value.version(), value);
            }
        });
        RulesetVersion active = stored.get(RulesetsUpdater.ACTIVE_KEY);
        RulesetVersion shadow = stored.get(RulesetsUpdater.SHADOW_KEY);
        return new Listing(active == null ? baseline.version() : active.version(),
                shadow == null ? null : shadow.version(),
                versions.values().stream()
                        .sorted(Comparator.comparingLong(RulesetVersion::version))
                        .map(v -> new Entry(v.version(), v.deployedAt(), v.author(), v.shadow()))
                        .toList());
    }

    /**
     * A stored version as {@code GET /api/rules/{version}} shows it: its text, when and by whom it
     * was deployed, whether in shadow. Version 1 is the package the stage started with, stored or not.
     *
     * @return empty when there is no such version
     */
    public synchronized Optional<RulesetVersion> version(long version) {
        RulesetVersion stored = readAll().get(RulesetVersion.key(version));
        if (stored == null && version == baseline.version()) {
            return Optional.of(baseline);
        }
        return Optional.ofNullable(stored);
    }

    /**
     * The version this process's stage runs as active (its text and its compiled package):
     * the newest {@code active} record it read, or version 1 before any. Reads no topic, so it
     * does not wait behind a deploy.
     */
    public Active active() {
        RulesetVersion active = rulesets.active();
        if (active == null) {
            return new Active(baseline, rulesets.initial());
        }
        return new Active(active, rulesets.compiled(active));
    }

    /** The active version's record and its compiled package. */
    public record Active(RulesetVersion version, Ruleset ruleset) {
    }

    /** The clock deploys are stamped with; explain requests are received on it too. */
    Clock clock() {
        return clock;
    }

    /** The version as the active one: its actions are executed, whichever way it was deployed. */
    private static RulesetVersion executing(RulesetVersion version) {
        return version.shadow() ? new RulesetVersion(version.version(), version.drl(), version.deployedAt(),
                version.author(), false) : version;
    }

    /** Version 1 is stored with the first change, so a later rollback to it reads it back. */
    private List<Write> baselineIfMissing(Map<String, RulesetVersion> stored) {
        return stored.containsKey(RulesetVersion.key(baseline.version())) ? List.of()
                : List.of(new Write(RulesetVersion.key(baseline.version()), baseline));
    }

    /**
     * Runs one change under the shared transactional id: fence the other deployers, read the
     * topic, plan, write, commit; again from the start when fenced meanwhile.
     */
    private <T> T change(String what, Function<Map<String, RulesetVersion>, Plan<T>> planner) {
        Plan<T> uncertain = null;
        for (int attempt = 1; ; attempt++) {
            KafkaProducer<String, RulesetVersion> producer = producer();
            boolean committing = false;
            try {
                // After this, every transaction of another deployer (or of ours that failed) is
                // committed or aborted: the read sees them all.
                producer.initTransactions();
                Map<String, RulesetVersion> stored = readAll();
                if (uncertain != null && uncertain.landedIn(stored)) {
                    return uncertain.answer();
                }
                Plan<T> plan = planner.apply(stored);
                if (plan.writes().isEmpty()) {
                    return plan.answer();
                }
                producer.beginTransaction();
                for (Write write : plan.writes()) {
                    producer.send(new ProducerRecord<>(Topics.RULESETS.name(), write.key(), write.value()));
                }
                committing = true;
                uncertain = plan;
                producer.commitTransaction();
                return plan.answer();
            } catch (RuntimeException e) {
                // A commit that failed otherwise than by a timeout may have been committed or not: the next
                // attempt's read tells (the broker answered an epoch-fence race with UNKNOWN_SERVER_ERROR).
                boolean retry = fenced(e) || (committing && e instanceof KafkaException
                        && !(e instanceof org.apache.kafka.common.errors.TimeoutException));
                if (!retry) {
                    throw new IllegalStateException(what + " on " + Topics.RULESETS.name() + " failed; "
                            + (committing ? "it may or may not have been made (GET /api/rules shows which)"
                            : "nothing was changed") + ". Check that Kafka is reachable and retry.", e);
                }
                if (attempt >= MAX_ATTEMPTS) {
                    throw new IllegalStateException(what + " on " + Topics.RULESETS.name() + " was pre-empted by"
                            + " other deployers " + attempt + " times in a row; GET /api/rules shows whether it"
                            + " was made. Retry when the other deploys are done.", e);
                }
                LOG.info("{} attempt {} failed ({}); reading {} again", what, attempt, e.toString(),
                        Topics.RULESETS.name());
                pause(attempt);
            } finally {
                producer.close(Duration.ofSeconds(5));
            }
        }
    }

    private static boolean fenced(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ProducerFencedException || t instanceof InvalidProducerEpochException) {
                return true;
            }
        }
        return false;
    }

    /** A random pause, longer with each attempt, so deployers fencing each other fall out of step. */
    private static void pause(int attempt) {
        long bound = Math.min(LONGEST_PAUSE_MS, FIRST_PAUSE_MS << Math.min(attempt, 10));
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(FIRST_PAUSE_MS, bound + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to retry a change of "
                    + Topics.RULESETS.name() + "; nothing was changed", e);
        }
    }

    private KafkaProducer<String, RulesetVersion> producer() {
        Map<String, Object> props = new HashMap<>(kafkaProps);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, TRANSACTIONAL_ID);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(props, new StringSerializer(), Topics.RULESETS.valueSerde().serializer());
    }

    /** The topic's latest record of each key, read to its end (committed records only). */
    private Map<String, RulesetVersion> readAll() {
        TopicPartition partition = new TopicPartition(Topics.RULESETS.name(), 0);
        if (consumer == null) {
            Map<String, Object> props = new HashMap<>(kafkaProps);
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            props.remove(ConsumerConfig.GROUP_ID_CONFIG);
            consumer = new KafkaConsumer<>(props, new StringDeserializer(), Topics.RULESETS.valueSerde().deserializer());
            consumer.assign(List.of(partition));
        }
        Map<String, RulesetVersion> latest = new HashMap<>();
        try {
            consumer.seekToBeginning(List.of(partition));
            // read_committed: the end is the last stable offset, past every completed transaction.
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
        } catch (RuntimeException e) {
            // A consumer that failed may be in any state: the next read starts with a new one.
            closeConsumer();
            throw e;
        }
        return latest;
    }

    /** Waits, bounded, until this process's stage runs the version on every task. */
    private boolean awaitActive(long version) {
        return await(() -> rulesets.runs(version), "run v" + version);
    }

    /** Waits, bounded, until this process's stage has read the version as its shadow. */
    private boolean awaitShadow(long version) {
        return await(() -> rulesets.shadow() != null && rulesets.shadow().version() == version,
                "read v" + version + " as its shadow");
    }

    private boolean await(BooleanSupplier done, String what) {
        long deadline = System.nanoTime() + activationBound.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                LOG.warn("reflex.rulesets is written, but this process's rules stage did not {} within {};"
                        + " it does when it next reads reflex.rulesets", what, activationBound);
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

    private void closeConsumer() {
        if (consumer != null) {
            consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
            consumer = null;
        }
    }

    @Override
    public synchronized void close() {
        closeConsumer();
    }
}
