package io.reflex.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.reflex.app.kafka.EmbeddedKafka;
import io.reflex.app.kafka.TopicSetup;
import io.reflex.model.AlertEvent;
import io.reflex.model.Json;
import io.reflex.model.TimelineKind;
import io.reflex.model.Topics;
import io.reflex.rules.RulesConfig;
import io.reflex.rules.RulesStage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The whole rules stage (Kafka Streams, exactly once, Drools) against an embedded broker, once per
 * {@code commit.interval.ms}, each on a fresh broker: a paced warm-up the stage is let catch up
 * from (not measured), a paced phase (a steady offered load, so latency is not queueing behind a
 * flood), then a flood (every alert sent at once, for throughput). Alerts/s of the flood is over
 * the time from its first send to the stage's commit of its last offset. Latency per alert is from the alert's send (its scheduled send time when paced,
 * so a stalled sender does not hide a stall) to the moment a read_committed consumer of
 * {@code reflex.actions} receives the action it caused; the action is tied to its alert by the
 * {@code RULE_FIRED} timeline entry (refs {@code actionId} and {@code alertId}), written in the
 * same transaction. Measures; asserts nothing.
 */
public final class RulesStageBench {
    private static final String APPLICATION_ID = "reflex-rules-bench";
    private static final Duration POLL = Duration.ofMillis(200);

    private final Args args;
    private final int floodAlerts;
    private final int pacedAlerts;
    private final int warmup;
    private final int rate;
    private final int instances;
    private final double match;
    private final RulesDrl drl;
    private final List<Integer> commitIntervals;
    private final Duration timeout;

    private RulesStageBench(Args args) {
        this.args = args;
        this.floodAlerts = args.integer("--alerts", 100_000);
        this.pacedAlerts = args.integer("--paced-alerts", 20_000);
        this.warmup = args.integer("--warmup", 5_000);
        this.rate = args.integer("--rate", 1_000);
        this.instances = args.integer("--instances", 500);
        this.match = Double.parseDouble(args.text("--match", "0.4"));
        this.drl = RulesDrl.of(args.text("--ruleset", "10"));
        this.commitIntervals = args.integers("--commit-intervals", List.of(100, 1000));
        this.timeout = args.duration("--timeout", Duration.ofMinutes(10));
        if (floodAlerts < 1 || pacedAlerts < 0 || warmup < 0 || rate < 1 || commitIntervals.isEmpty()) {
            throw new IllegalArgumentException("--alerts and --rate must be positive, --paced-alerts and --warmup"
                    + " not negative, --commit-intervals not empty; see --help");
        }
    }

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv, """
                Usage: bench/run rules-stage [--alerts 100000] [--paced-alerts 20000] [--rate 1000] [--warmup 5000]
                                             [--commit-intervals 100,1000] [--instances 500] [--match 0.4]
                                             [--ruleset 10] [--timeout 10m] [--out DIR]

                For each commit.interval.ms, starts an embedded Kafka broker and the rules stage (exactly_once_v2)
                with a generated ruleset (see bench/run rules); sends --warmup alerts at --rate per second and waits
                until the stage has caught up (not measured), then --paced-alerts at --rate per second, then floods
                --alerts alerts at once. Prints alerts/s
                of the flood, and per phase p50/p90/p99/max latency from an alert's send to its action being
                readable by a read_committed consumer of reflex.actions.
                """);
        new RulesStageBench(args).run();
    }

    private void run() throws Exception {
        System.out.printf("Rules stage benchmark: ruleset %s, %d instances, %.0f%% matching, commit.interval.ms %s,"
                + " paced %,d (after %,d warm-up) at %,d/s, flood %,d; %d cores%n", drl.key(), instances, match * 100,
                commitIntervals, pacedAlerts, warmup, rate, floodAlerts, Runtime.getRuntime().availableProcessors());
        List<StageLatency> results = new ArrayList<>();
        for (int commitMs : commitIntervals) {
            Path dataDir = Files.createTempDirectory("reflex-bench-rules-stage");
            try {
                results.addAll(measure(commitMs, dataDir));
            } finally {
                deleteTree(dataDir);
            }
        }
        report(results);
    }

    private List<StageLatency> measure(int commitMs, Path dataDir) throws Exception {
        Path rulesFile = dataDir.resolve("bench.drl");
        Files.writeString(rulesFile, drl.drl());
        List<StageLatency> results = new ArrayList<>();
        try (EmbeddedKafka kafka = new EmbeddedKafka(dataDir.resolve("kafka"), 0, 0)) {
            kafka.start();
            String bootstrap = kafka.bootstrapServers();
            try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", bootstrap))) {
                TopicSetup.ensure(admin, (short) 1);
                RulesConfig config = new RulesConfig(APPLICATION_ID, rulesFile, null, null, null, null);
                Map<String, Object> streamsProps = Map.of("bootstrap.servers", bootstrap,
                        "commit.interval.ms", commitMs);
                int total = warmup + pacedAlerts + floodAlerts;
                long[] sentNanos = new long[total];
                try (RulesStage stage = new RulesStage(config, streamsProps, dataDir.resolve("state"),
                        Clock.systemUTC(), new PrometheusRegistry());
                        ActionReader reader = new ActionReader(bootstrap, admin);
                        KafkaProducer<String, AlertEvent> producer = producer(bootstrap)) {
                    stage.start();
                    waitFor("the rules stage to run", Duration.ofSeconds(60), stage::running);
                    reader.start();
                    // One sequence for both phases: alert ids stay unique (the stage drops a repeated id) and
                    // paced alerts are stamped 1 ms apart from now, which is the wall clock at 1,000/s.
                    RulesAlerts load = new RulesAlerts(drl.matchingNames(), match, instances, Instant.now());
                    AtomicReference<Exception> failure = new AtomicReference<>();

                    if (warmup > 0) {
                        // Warm up, then drain: a cold stage falls behind, and its backlog would be measured as latency.
                        System.out.printf("  commit %d ms: warm-up, %,d alerts at %,d/s…%n", commitMs, warmup, rate);
                        pace(producer, load, 0, warmup, sentNanos, failure);
                        waitFor("the rules stage to commit the warm-up alerts", timeout, () -> consumedAll(admin));
                        reader.awaitQuiet();
                    }
                    if (pacedAlerts > 0) {
                        System.out.printf("  commit %d ms: paced, %,d alerts at %,d/s…%n", commitMs, pacedAlerts, rate);
                        long start = System.nanoTime();
                        pace(producer, load, warmup, warmup + pacedAlerts, sentNanos, failure);
                        waitFor("the rules stage to commit every paced alert", timeout, () -> consumedAll(admin));
                        double seconds = (System.nanoTime() - start) / 1e9;
                        reader.awaitQuiet();
                        results.add(phase(commitMs, "paced " + rate + "/s", warmup, warmup + pacedAlerts, seconds,
                                sentNanos, reader));
                    }

                    System.out.printf("  commit %d ms: flood, %,d alerts…%n", commitMs, floodAlerts);
                    int from = warmup + pacedAlerts;
                    long start = System.nanoTime();
                    for (int i = from; i < total; i++) {
                        sentNanos[i] = System.nanoTime();
                        send(producer, load.next(), failure);
                    }
                    producer.flush();
                    failIf(failure);
                    double produced = (System.nanoTime() - start) / 1e9;
                    System.out.printf("  commit %d ms: produced %,d alerts in %.1f s; waiting for the stage…%n",
                            commitMs, floodAlerts, produced);
                    waitFor("the rules stage to commit every alert", timeout, () -> consumedAll(admin));
                    double seconds = (System.nanoTime() - start) / 1e9;
                    reader.awaitQuiet();
                    results.add(phase(commitMs, String.format("flood (sent in %.1f s)", produced), from, total,
                            seconds, sentNanos, reader));
                    System.out.printf("  commit %d ms: %,d actions read back in all%n", commitMs, reader.actions());
                }
            }
        }
        return results;
    }

    /** Sends alerts {@code from} to {@code to} of the sequence at the --rate, each at its due time. */
    private void pace(KafkaProducer<String, AlertEvent> producer, RulesAlerts load, int from, int to,
            long[] sentNanos, AtomicReference<Exception> failure) {
        long start = System.nanoTime();
        long period = 1_000_000_000L / rate;
        for (int i = from; i < to; i++) {
            long due = start + (i - from) * period;
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            // The due time, not the actual send: a late send is latency the alert suffers.
            sentNanos[i] = due;
            send(producer, load.next(), failure);
        }
        producer.flush();
        failIf(failure);
    }

    private StageLatency phase(int commitMs, String mode, int from, int to, double seconds, long[] sentNanos,
            ActionReader reader) {
        Latencies latencies = new Latencies();
        reader.firedBy.forEach((actionId, alertId) -> {
            int index = Integer.parseInt(alertId.substring(alertId.indexOf('-') + 1));
            Long seen = reader.seenNanos.get(actionId);
            if (index >= from && index < to && seen != null) {
                latencies.add(seen - sentNanos[index]);
            }
        });
        StageLatency result = new StageLatency(commitMs, mode, to - from, seconds, latencies.count(), latencies);
        System.out.printf("  %s%n", result.row());
        return result;
    }

    private static KafkaProducer<String, AlertEvent> producer(String bootstrap) {
        Map<String, Object> props = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5);
        return new KafkaProducer<>(props, new StringSerializer(), Topics.ALERTS.valueSerde().serializer());
    }

    private static void send(KafkaProducer<String, AlertEvent> producer, AlertEvent alert,
            AtomicReference<Exception> failure) {
        producer.send(new ProducerRecord<>(Topics.ALERTS.name(), null, alert.receivedAt().toEpochMilli(),
                alert.resource().key(), alert), (metadata, error) -> {
                    if (error != null) {
                        failure.compareAndSet(null, error);
                    }
                });
    }

    private static void failIf(AtomicReference<Exception> failure) {
        if (failure.get() != null) {
            throw new IllegalStateException("sending alerts failed; is the embedded broker healthy?", failure.get());
        }
    }

    private void report(List<StageLatency> results) throws IOException {
        String when = DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(Instant.now().atOffset(ZoneOffset.UTC))
                .substring(0, 19);
        StringBuilder text = new StringBuilder();
        text.append(String.format("Rules stage benchmark, %s UTC, %d cores: exactly_once_v2, 1 embedded broker (same"
                + " JVM), ruleset %s (%s), alerts over %d instances, %.0f%% matching; a fresh broker and stage per"
                + " commit.interval.ms.%n%n", when, Runtime.getRuntime().availableProcessors(), drl.key(),
                drl.description(), instances, match * 100));
        text.append(String.format("paced: %,d alerts at %,d/s after %,d warm-up alerts at that rate and a wait for the stage to catch up (not measured); alerts/s is"
                + " the rate achieved, to the stage's commit of the last one. flood: the next %,d alerts sent at once"
                + " (acks=all, linger 5 ms); alerts/s from the first send to the stage's commit of the last offset.%n",
                pacedAlerts, rate, warmup, floodAlerts));
        text.append("Latency: from the alert's send (paced: its scheduled time) to its action received by a"
                + " read_committed consumer of reflex.actions, one sample per action (only matching alerts act);"
                + " the action is tied to its alert by the RULE_FIRED timeline entry of the same transaction.\n\n");
        text.append(StageLatency.header()).append('\n');
        results.forEach(r -> text.append(r.row()).append('\n'));
        System.out.println();
        System.out.print(text);
        Path out = Path.of(args.text("--out", "bench/results"));
        Files.createDirectories(out);
        Path file = out.resolve("rules-stage-" + when.replace(':', '-') + ".md");
        Files.writeString(file, text.toString());
        System.out.println("Written to " + file);
    }

    /** The broker's log and the stage's state are scratch: a run leaves nothing in the temp folder. */
    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    /** Whether the stage's committed offsets on reflex.alerts have reached the end of every partition. */
    private static boolean consumedAll(Admin admin) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(APPLICATION_ID)
                .partitionsToOffsetAndMetadata().get();
        Set<TopicPartition> partitions = partitions(admin, Topics.ALERTS.name());
        Map<TopicPartition, Long> ends = admin.listOffsets(partitions.stream()
                .collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest()))).all().get().entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
        return ends.entrySet().stream().allMatch(e -> e.getValue() == 0
                || (committed.get(e.getKey()) != null && committed.get(e.getKey()).offset() >= e.getValue()));
    }

    private static Set<TopicPartition> partitions(Admin admin, String topic) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().stream()
                .map(p -> new TopicPartition(topic, p.partition())).collect(Collectors.toSet());
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

    /**
     * A read_committed consumer of reflex.actions and reflex.timeline on its own thread, assigned
     * every partition from the start (no group join to wait for): notes when each action was
     * first received, and which alert each action came from. Values are read as text and parsed
     * for their ids only, so the reader takes little CPU from the stage on a small machine.
     */
    private static final class ActionReader implements AutoCloseable {
        final Map<String, Long> seenNanos = new ConcurrentHashMap<>();
        final Map<String, String> firedBy = new ConcurrentHashMap<>();
        private final KafkaConsumer<String, String> consumer;
        private final AtomicLong polls = new AtomicLong();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final Thread thread;
        private volatile boolean stop;

        ActionReader(String bootstrap, Admin admin) throws Exception {
            Map<String, Object> props = new HashMap<>();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
            // A fetch waits for data at most this long; it bounds how late an action can be seen.
            props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20);
            consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
            List<TopicPartition> assigned = new ArrayList<>(partitions(admin, Topics.ACTIONS.name()));
            assigned.addAll(partitions(admin, Topics.TIMELINE.name()));
            consumer.assign(assigned);
            consumer.seekToBeginning(assigned);
            thread = new Thread(this::loop, "bench-action-reader");
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        private void loop() {
            String fired = "\"" + TimelineKind.RULE_FIRED.name() + "\"";
            try {
                while (!stop) {
                    ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(100));
                    long now = System.nanoTime();
                    for (ConsumerRecord<String, String> record : records) {
                        if (record.topic().equals(Topics.ACTIONS.name())) {
                            seenNanos.putIfAbsent(Json.MAPPER.readTree(record.value()).get("id").asText(), now);
                        } else if (record.value().contains(fired)) {
                            JsonNode refs = Json.MAPPER.readTree(record.value()).get("refs");
                            if (refs != null && refs.has("actionId") && refs.has("alertId")) {
                                firedBy.put(refs.get("actionId").asText(), refs.get("alertId").asText());
                            }
                        }
                    }
                    polls.incrementAndGet();
                }
            } catch (WakeupException e) {
                // close() woke the poll up.
            } catch (Exception e) {
                failure.set(e);
            }
        }

        long actions() {
            return seenNanos.size();
        }

        /**
         * Waits until a second of polls brings no new action or RULE_FIRED entry. Called after the
         * stage committed its input offsets, which are in the same transactions as its outputs.
         */
        void awaitQuiet() throws Exception {
            long before = -1;
            long now = seenNanos.size() + (long) firedBy.size();
            while (now != before) {
                if (failure.get() != null) {
                    throw new IllegalStateException("reading the actions back failed", failure.get());
                }
                before = now;
                long target = polls.get() + 3;
                long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (polls.get() < target || System.nanoTime() < end - Duration.ofSeconds(29).toNanos()) {
                    if (System.nanoTime() > end) {
                        throw new IllegalStateException("the action reader stopped polling; look at the log above");
                    }
                    Thread.sleep(50);
                }
                now = seenNanos.size() + (long) firedBy.size();
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            consumer.wakeup();
            thread.join(10_000);
            consumer.close(Duration.ofSeconds(5));
        }
    }
}
