package io.reflex.bench;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.reflex.app.kafka.EmbeddedKafka;
import io.reflex.app.kafka.TopicSetup;
import io.reflex.model.Action;
import io.reflex.model.AlertEvent;
import io.reflex.model.Topics;
import io.reflex.rules.RulesConfig;
import io.reflex.rules.RulesStage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The whole rules stage (Kafka Streams, exactly once, Drools) against an embedded broker: the
 * alerts are produced up front, then the harness waits until the stage has committed its
 * position at the end of {@code reflex.alerts} and reads the actions back (read_committed).
 * Alerts/s is over the time from the first send to that commit. Measures; asserts nothing.
 */
public final class RulesStageBench {
    private static final String APPLICATION_ID = "reflex-rules-bench";
    private static final Duration POLL = Duration.ofMillis(200);

    private RulesStageBench() {
    }

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv, """
                Usage: bench/run rules-stage [--alerts 100000] [--instances 500] [--match 0.4] [--ruleset 10]
                                             [--timeout 10m] [--out DIR]

                Starts an embedded Kafka broker and the rules stage with a generated ruleset (see bench/run rules),
                produces --alerts alerts (1 ms apart from now), and measures until the stage has committed all of
                them and every action it wrote is read back; prints alerts/s and the actions.
                """);
        int alerts = args.integer("--alerts", 100_000);
        int instances = args.integer("--instances", 500);
        double match = Double.parseDouble(args.text("--match", "0.4"));
        RulesDrl drl = RulesDrl.of(args.text("--ruleset", "10"));
        Duration timeout = args.duration("--timeout", Duration.ofMinutes(10));

        Path dataDir = Files.createTempDirectory("reflex-bench-rules-stage");
        Path rulesFile = dataDir.resolve("bench.drl");
        Files.writeString(rulesFile, drl.drl());
        System.out.printf("Rules stage benchmark: %,d alerts over %d instances, %.0f%% matching, ruleset %s, %d cores%n",
                alerts, instances, match * 100, drl.key(), Runtime.getRuntime().availableProcessors());
        try {
            measure(args, alerts, instances, match, drl, timeout, dataDir, rulesFile);
        } finally {
            deleteTree(dataDir);
        }
    }

    private static void measure(Args args, int alerts, int instances, double match, RulesDrl drl, Duration timeout,
            Path dataDir, Path rulesFile) throws Exception {
        try (EmbeddedKafka kafka = new EmbeddedKafka(dataDir.resolve("kafka"), 0, 0)) {
            kafka.start();
            Map<String, Object> client = Map.of("bootstrap.servers", kafka.bootstrapServers());
            try (Admin admin = Admin.create(client)) {
                TopicSetup.ensure(admin, (short) 1);
                RulesConfig config = new RulesConfig(APPLICATION_ID, rulesFile, null, null, null, null);
                try (RulesStage stage = new RulesStage(config, client, dataDir.resolve("state"), Clock.systemUTC(),
                        new PrometheusRegistry())) {
                    stage.start();
                    waitFor("the rules stage to run", Duration.ofSeconds(60), stage::running);
                    long start = System.nanoTime();
                    produce(kafka.bootstrapServers(), drl, alerts, instances, match);
                    double produced = (System.nanoTime() - start) / 1e9;
                    System.out.printf("  produced %,d alerts in %.1f s; waiting for the stage…%n", alerts, produced);
                    waitFor("the rules stage to commit every alert", timeout, () -> consumedAll(admin));
                    double seconds = (System.nanoTime() - start) / 1e9;
                    long actions = readActions(kafka.bootstrapServers());
                    String text = String.format("Rules stage benchmark, %s, %d cores: exactly_once_v2, 1 embedded broker,"
                            + " ruleset %s (%s), %,d alerts over %d instances, %.0f%% matching, produced up front"
                            + " (acks=all) in %.1f s.%n%n%,d alerts decided in %.1f s = %,.0f alerts/s end to end;"
                            + " %,d actions read back (read_committed).%n", Instant.now().toString().substring(0, 19),
                            Runtime.getRuntime().availableProcessors(), drl.key(), drl.description(), alerts,
                            instances, match * 100, produced, alerts, seconds, alerts / seconds, actions);
                    System.out.printf("%n%s", text);
                    Path out = Path.of(args.text("--out", "bench/results"));
                    Files.createDirectories(out);
                    Path file = out.resolve("rules-stage-" + Instant.now().toString().substring(0, 19).replace(':', '-')
                            + ".md");
                    Files.writeString(file, text);
                    System.out.println("Written to " + file);
                }
            }
        }
    }

    /** The broker's log and the stage's state are scratch: a run leaves nothing in the temp folder. */
    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    private static void produce(String bootstrap, RulesDrl drl, int count, int instances, double match) {
        Map<String, Object> props = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5);
        RulesAlerts load = new RulesAlerts(drl.matchingNames(), match, instances, Instant.now());
        AtomicReference<Exception> failure = new AtomicReference<>();
        try (KafkaProducer<String, AlertEvent> producer = new KafkaProducer<>(props, new StringSerializer(),
                Topics.ALERTS.valueSerde().serializer())) {
            for (int i = 0; i < count; i++) {
                AlertEvent alert = load.next();
                producer.send(new ProducerRecord<>(Topics.ALERTS.name(), null, alert.receivedAt().toEpochMilli(),
                        alert.resource().key(), alert), (metadata, error) -> {
                            if (error != null) {
                                failure.compareAndSet(null, error);
                            }
                        });
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("sending alerts failed; is the embedded broker healthy?", failure.get());
        }
    }

    /** Whether the stage's committed offsets on reflex.alerts have reached the end of every partition. */
    private static boolean consumedAll(Admin admin) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(APPLICATION_ID)
                .partitionsToOffsetAndMetadata().get();
        Set<TopicPartition> partitions = admin.describeTopics(List.of(Topics.ALERTS.name())).allTopicNames().get()
                .get(Topics.ALERTS.name()).partitions().stream()
                .map(p -> new TopicPartition(Topics.ALERTS.name(), p.partition())).collect(Collectors.toSet());
        Map<TopicPartition, Long> ends = admin.listOffsets(partitions.stream()
                .collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest()))).all().get().entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
        return ends.entrySet().stream().allMatch(e -> e.getValue() == 0
                || (committed.get(e.getKey()) != null && committed.get(e.getKey()).offset() >= e.getValue()));
    }

    /** Counts the committed actions, reading until a poll brings none. */
    private static long readActions(String bootstrap) {
        Map<String, Object> props = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, APPLICATION_ID + "-reader",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        long count = 0;
        try (KafkaConsumer<String, Action> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                Topics.ACTIONS.valueSerde().deserializer())) {
            consumer.subscribe(List.of(Topics.ACTIONS.name()));
            int quiet = 0;
            // Until polls come back empty: ten in a row before the first record (joining the group
            // takes a few), two after it (everything was committed before the stage's position was).
            while (quiet < (count == 0 ? 10 : 2)) {
                ConsumerRecords<String, Action> records = consumer.poll(POLL.multipliedBy(5));
                quiet = records.isEmpty() ? quiet + 1 : 0;
                count += records.count();
            }
        }
        return count;
    }

    private static void waitFor(String what, Duration bound, Check check) throws Exception {
        long end = System.nanoTime() + bound.toNanos();
        while (!check.done()) {
            if (System.nanoTime() > end) {
                throw new IllegalStateException("gave up waiting for " + what + " after " + bound
                        + "; raise --timeout or look at the log above");
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    @FunctionalInterface
    private interface Check {
        boolean done() throws Exception;
    }
}
