package io.reflex.rules;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.reflex.rules.lifecycle.Rulesets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rules role: a Kafka Streams application that reads {@code reflex.alerts}, decides with
 * Drools and writes {@code reflex.actions}, {@code reflex.timeline} and {@code reflex.incidents},
 * exactly once. Any number of instances may run with the same application id; Kafka spreads
 * the partitions (and their sessions and stores) over them.
 *
 * <p>The topics must exist (the app creates them); Streams creates its changelog topics.
 */
public final class RulesStage implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RulesStage.class);

    /** Bounds {@link #close()}: without a timeout {@code KafkaStreams.close} can hang. */
    public static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
    /** The ruleset version until versioned rule packages arrive through {@code reflex.rulesets}. */
    public static final long RULESET_VERSION = 1;

    private final KafkaStreams streams;
    private final RulesMetrics metrics;
    private final Rulesets rulesets;
    private boolean closed;

    /**
     * @param kafkaProps Kafka client settings: at least {@code bootstrap.servers}, plus the
     *                   user's {@code kafka.*} keys (without the prefix), which win over the
     *                   stage's defaults
     * @param stateDir   where the stores live; keep it across restarts to avoid restoring
     *                   them from the changelogs
     * @throws IllegalArgumentException      listing every configuration problem
     * @throws RuleCompilationException      when the rule package does not compile
     */
    public RulesStage(RulesConfig config, Map<String, Object> kafkaProps, Path stateDir, Clock clock,
            PrometheusRegistry registry) {
        List<String> problems = config.settingsProblems();
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("the rules configuration has problems; fix them and start again:\n  "
                    + String.join("\n  ", problems));
        }
        Ruleset ruleset = Ruleset.load(config, RULESET_VERSION);
        this.rulesets = new Rulesets(ruleset);
        this.metrics = new RulesMetrics(registry);
        try {
            this.streams = new KafkaStreams(DecisionTopology.build(rulesets, config, clock, metrics),
                    streamsProperties(config, kafkaProps, stateDir));
        } catch (RuntimeException e) {
            metrics.unregister();
            throw e;
        }
        streams.setUncaughtExceptionHandler(new StreamThreadFailures(clock));
        streams.setStateListener((now, before) -> LOG.info("rules stage {}: {} -> {}", config.applicationId(),
                before, now));
        LOG.info("rules stage {} built with ruleset v{} from {}", config.applicationId(), ruleset.version(),
                ruleset.origin());
    }

    /**
     * The Kafka Streams settings of the stage. Public so tests run the topology with the same
     * settings, and operators can see what they override.
     */
    public static Properties streamsProperties(RulesConfig config, Map<String, Object> kafkaProps, Path stateDir) {
        Properties props = new Properties();
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        // 100 ms is the exactly-once default, set here so it is not lost when a user picks another guarantee:
        // an action waits at most this long before the remediator (reading read_committed) sees it.
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, config.replicationFactor());
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                LogAndContinueExceptionHandler.class.getName());
        // Kafka 5 turns this on by default; opting in now keeps one behaviour (and silences its start-up warning).
        props.put("processing.exception.handler.global.enabled", true);
        props.putAll(kafkaProps);
        // These two come from their own settings; a stray kafka.* key must not split the group or the state.
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toAbsolutePath().toString());
        Object guarantee = props.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG);
        if (!StreamsConfig.EXACTLY_ONCE_V2.equals(guarantee)) {
            LOG.warn("rules stage runs with processing.guarantee={} from the kafka settings: a crash may now"
                    + " decide an alert twice (action ids stay the same, timeline entries repeat)", guarantee);
        }
        return props;
    }

    /** The versions this stage knows and runs; a {@code Deployer} waits on it. */
    public Rulesets rulesets() {
        return rulesets;
    }

    /** Starts processing and returns at once; {@link #running()} says when it is. */
    public void start() {
        streams.start();
    }

    /** Whether the stage processes alerts (Kafka Streams is RUNNING, not rebalancing or failed). */
    public boolean running() {
        return streams.state() == KafkaStreams.State.RUNNING;
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        // Leave the group: the partitions move to the other instances (or a restarted one) at once,
        // instead of after the session timeout.
        if (!streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(CLOSE_TIMEOUT))) {
            LOG.warn("rules stage did not stop within {}; its threads are left to finish on their own", CLOSE_TIMEOUT);
        }
        metrics.unregister();
    }
}
