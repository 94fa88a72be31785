package io.reflex.drill.dr;

import io.reflex.model.AlertEvent;
import io.reflex.model.AlertStatus;
import io.reflex.model.Resource;
import io.reflex.model.Topic;
import io.reflex.model.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs one DR drill: sends its synthetic alerts (source {@code drill}, the drill id, acks=all,
 * idempotent, keyed by resource key) evenly over the traffic's length, kills the role's process at
 * {@code kill.after} and runs the restart command {@code restartAfter} later, restarts the broker
 * at {@code restartBroker.after}, then reads reflex.timeline, reflex.actions and reflex.results
 * (read_committed, no consumer group) until every acked alert was received and every action it
 * caused has ended, or the timeout. Every log line carries the drill id (MDC {@code drillId}, and
 * the message).
 */
public final class DrDrillRunner {
    private static final Logger LOG = LoggerFactory.getLogger(DrDrillRunner.class);
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final Duration KILL_WAIT = Duration.ofSeconds(15);
    private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration POLL = Duration.ofMillis(200);
    /** After catching up, how long to keep reading for late repeats (a replay still under way). */
    private static final Duration SETTLE = Duration.ofSeconds(3);
    private static final Duration PROGRESS = Duration.ofSeconds(10);
    private static final List<Topic<?>> READ = List.of(Topics.TIMELINE, Topics.ACTIONS, Topics.RESULTS);

    private final Map<String, Object> kafka;
    private final Optional<BrokerControl> broker;
    private final Clock clock;

    /**
     * @param kafka  passed to the producer and the consumer ({@code bootstrap.servers}, security settings)
     * @param broker restarts the broker for {@code restartBroker}; null when Reflex's broker cannot be
     *               restarted from here (a drill that asks for it then fails, saying so)
     */
    public DrDrillRunner(Map<String, Object> kafka, BrokerControl broker, Clock clock) {
        this.kafka = Map.copyOf(kafka);
        this.broker = Optional.ofNullable(broker);
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The id a drill run gets: {@code drill-<name>-<UTC time>}, like every drill. */
    public String idFor(DrDrill drill) {
        return "drill-" + drill.name() + "-" + ID_TIME.format(clock.instant());
    }

    public DrDrillReport run(DrDrill drill) {
        return run(drill, idFor(drill));
    }

    /** @param id the drill id (from {@link #idFor}), for a caller that needs it before the run ends */
    public DrDrillReport run(DrDrill drill, String id) {
        try (MDC.MDCCloseable ignored = MDC.putCloseable("drillId", id)) {
            return new Run(drill, id).run();
        }
    }

    /** One run's state, shared by the traffic (the caller's thread) and the kill and broker steps. */
    private final class Run {
        final DrDrill drill;
        final String id;
        final DrTally tally;
        final Queue<String> ackedIds = new ConcurrentLinkedQueue<>();
        final AtomicInteger sent = new AtomicInteger();
        final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        volatile Instant startedAt;
        volatile Instant killedAt;
        volatile String killed;
        volatile Instant restartedAt;
        volatile Long restartedPid;
        volatile Instant brokerRestartedAt;

        Run(DrDrill drill, String id) {
            this.drill = drill;
            this.id = id;
            this.tally = new DrTally(id);
        }

        DrDrillReport run() {
            DrDrill.Traffic traffic = drill.traffic();
            LOG.info("drill {}: {} {} alerts over {} while {} is killed at +{}{}", id, traffic.alerts(),
                    traffic.alert(), traffic.over(), drill.kill().role().id(), drill.kill().after(),
                    drill.restartBrokerAfter().map(d -> " and the broker restarts at +" + d).orElse(""));
            try (KafkaConsumer<String, byte[]> consumer = openConsumer()) {
                startedAt = clock.instant();
                long startNanos = System.nanoTime();
                Instant deadline = startedAt.plus(drill.timeout());
                ScheduledExecutorService steps = Executors.newScheduledThreadPool(3, r -> {
                    Thread t = new Thread(() -> {
                        try (MDC.MDCCloseable ignored = MDC.putCloseable("drillId", id)) {
                            r.run();
                        }
                    }, "dr-drill-step");
                    t.setDaemon(true);
                    return t;
                });
                try {
                    List<Future<?>> scheduled = new ArrayList<>();
                    scheduled.add(steps.schedule(this::killAndRestart, drill.kill().after().toMillis(),
                            TimeUnit.MILLISECONDS));
                    drill.restartBrokerAfter().ifPresent(after -> scheduled.add(steps.schedule(this::restartBroker,
                            after.toMillis(), TimeUnit.MILLISECONDS)));
                    // The traffic runs aside while this thread reads Reflex's topics from the start, so the
                    // report can tell how much Reflex had decided when the process was killed.
                    Future<?> done = steps.submit(() -> {
                        try {
                            sendTraffic(startNanos);
                        } catch (RuntimeException e) {
                            failures.add("the traffic stopped: " + e.getMessage());
                            LOG.error("drill {}: the traffic stopped: {}", id, e.toString());
                        }
                        for (Future<?> step : scheduled) {
                            awaitStep(step, deadline);
                        }
                    });
                    Instant caughtUp = read(consumer, deadline, done);
                    return report(caughtUp);
                } finally {
                    steps.shutdownNow();
                }
            }
        }

        void sendTraffic(long startNanos) {
            DrDrill.Traffic traffic = drill.traffic();
            long gapNanos = traffic.over().toNanos() / traffic.alerts();
            Properties props = new Properties();
            props.putAll(kafka);
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
            props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
            // Long enough to outlast a broker restart: an alert is only lost to the drill if Kafka acked it.
            props.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                    (int) Math.max(120_000, drill.timeout().toMillis()));
            props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "reflex-dr-drill");
            try (KafkaProducer<String, AlertEvent> producer = new KafkaProducer<>(props, new StringSerializer(),
                    Topics.ALERTS.valueSerde().serializer())) {
                for (int i = 0; i < traffic.alerts(); i++) {
                    long due = startNanos + i * gapNanos;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    if (Thread.currentThread().isInterrupted()) {
                        throw new IllegalStateException("drill " + id + " interrupted after " + i + " alerts");
                    }
                    AlertEvent alert = alert(i);
                    producer.send(new ProducerRecord<>(Topics.ALERTS.name(), alert.resource().key(), alert),
                            (metadata, error) -> {
                                if (error == null) {
                                    ackedIds.add(alert.id());
                                } else {
                                    LOG.warn("drill {}: alert {} was not acknowledged: {}", id, alert.id(),
                                            error.toString());
                                }
                            });
                    sent.incrementAndGet();
                }
                producer.flush();
            }
            LOG.info("drill {}: {} alerts sent, {} acknowledged", id, sent.get(), ackedIds.size());
        }

        AlertEvent alert(int i) {
            String key = drill.traffic().resourceKey(i);
            int colon = key.indexOf(':');
            Resource resource = Resource.of(key.substring(0, colon), key.substring(colon + 1));
            Instant now = clock.instant();
            String fingerprint = id + "/" + i;
            // The drill id is a label too: the actions of these alerts carry their alert's labels, so they
            // name the drill whether or not the rules stage treats drill alerts as rehearsals.
            return new AlertEvent(AlertEvent.idFor("drill", fingerprint, now, AlertStatus.FIRING), "drill",
                    drill.traffic().alert(), AlertStatus.FIRING, "info", resource,
                    Map.of("drillId", id, "drill", drill.name()),
                    Map.of("summary", "DR drill " + id + " alert " + i), now, null, now, fingerprint, id);
        }

        void killAndRestart() {
            DrDrill.Kill kill = drill.kill();
            try {
                killedAt = kill(kill);
            } catch (RuntimeException e) {
                killed = "not killed: " + e.getMessage();
                failures.add("could not kill " + kill.role().id() + ": " + e.getMessage());
                LOG.error("drill {}: could not kill {}: {}", id, kill.role().id(), e.getMessage());
            }
            if (kill.restart().isEmpty()) {
                return;
            }
            long wait = kill.restartAfter().toNanos();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            try {
                restart(kill);
            } catch (IOException | RuntimeException e) {
                failures.add("could not restart " + kill.role().id() + " with " + kill.restart() + ": " + e.getMessage());
                LOG.error("drill {}: could not restart {} with {}: {}", id, kill.role().id(), kill.restart(),
                        e.getMessage());
            }
        }

        Instant kill(DrDrill.Kill kill) {
            Path file = kill.pidFile();
            long pid;
            try {
                pid = Long.parseLong(Files.readString(file).trim());
            } catch (NoSuchFileException e) {
                throw new IllegalStateException("no pid file " + file + "; is the " + kill.role().id()
                        + " process running, and does it write its pid there?");
            } catch (IOException | NumberFormatException e) {
                throw new IllegalStateException("cannot read a pid from " + file + ": " + e.getMessage());
            }
            ProcessHandle process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive).orElseThrow(() ->
                    new IllegalStateException("pid " + pid + " from " + file + " is not a live process; is the "
                            + kill.role().id() + " process running?"));
            Instant at = clock.instant();
            boolean sentSignal = kill.signal() == DrDrill.Signal.KILL ? process.destroyForcibly() : process.destroy();
            if (!sentSignal) {
                throw new IllegalStateException("could not send " + kill.signal() + " to pid " + pid
                        + "; does this user own the process?");
            }
            try {
                process.onExit().get(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for pid " + pid + " to exit");
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException("pid " + pid + " still runs " + KILL_WAIT.toSeconds() + "s after "
                        + kill.signal());
            }
            if (process.isAlive()) {
                throw new IllegalStateException("pid " + pid + " still runs after " + kill.signal());
            }
            killed = kill.role().id() + " (pid " + pid + ", " + kill.signal() + ")";
            LOG.info("drill {}: killed {} at +{} ms", id, killed, Duration.between(startedAt, at).toMillis());
            return at;
        }

        void restart(DrDrill.Kill kill) throws IOException {
            Path log = restartLog(kill);
            Files.createDirectories(log.toAbsolutePath().getParent());
            // Never the drill's own output: the restarted role outlives the drill and talks a lot.
            Process process = new ProcessBuilder(kill.restart())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            restartedAt = clock.instant();
            restartedPid = process.pid();
            LOG.info("drill {}: restarted {} as pid {} at +{} ms (output in {})", id, kill.role().id(), process.pid(),
                    Duration.between(startedAt, restartedAt).toMillis(), log);
        }

        void restartBroker() {
            if (broker.isEmpty()) {
                failures.add("restartBroker is set, but this Reflex's broker cannot be restarted from here"
                        + " (only the embedded broker of reflex up can)");
                LOG.error("drill {}: no broker control; the broker was not restarted", id);
                return;
            }
            try {
                LOG.info("drill {}: restarting the Kafka broker at +{} ms", id,
                        Duration.between(startedAt, clock.instant()).toMillis());
                broker.get().restart();
                brokerRestartedAt = clock.instant();
                LOG.info("drill {}: the Kafka broker is back at +{} ms", id,
                        Duration.between(startedAt, brokerRestartedAt).toMillis());
            } catch (RuntimeException e) {
                failures.add("could not restart the broker: " + e.getMessage());
                LOG.error("drill {}: could not restart the Kafka broker: {}", id, e.toString());
            }
        }

        void awaitStep(Future<?> step, Instant deadline) {
            try {
                step.get(Math.max(1, Duration.between(clock.instant(), deadline).toMillis()), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("drill " + id + " interrupted", e);
            } catch (ExecutionException e) {
                failures.add("a step failed: " + e.getCause());
            } catch (TimeoutException e) {
                failures.add("a step (kill, restart or broker restart) was still running at the timeout");
            }
        }

        KafkaConsumer<String, byte[]> openConsumer() {
            Properties props = new Properties();
            props.putAll(kafka);
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            props.remove(ConsumerConfig.GROUP_ID_CONFIG);
            props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "reflex-dr-drill-reader");
            KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                    new ByteArrayDeserializer());
            try {
                List<TopicPartition> partitions = new ArrayList<>();
                for (Topic<?> topic : READ) {
                    List<PartitionInfo> infos = consumer.partitionsFor(topic.name(), METADATA_TIMEOUT);
                    if (infos == null || infos.isEmpty()) {
                        throw new IllegalStateException("topic " + topic.name() + " does not exist; is this the Kafka of"
                                + " a running Reflex?");
                    }
                    infos.forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
                }
                consumer.assign(partitions);
                // From the end as it is now: everything the drill's alerts cause comes after.
                consumer.endOffsets(partitions, METADATA_TIMEOUT).forEach(consumer::seek);
                return consumer;
            } catch (RuntimeException e) {
                consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
                throw e;
            }
        }

        /** Returns when it caught up, or null when the deadline came first. */
        Instant read(KafkaConsumer<String, byte[]> consumer, Instant deadline, Future<?> trafficDone) {
            Instant caughtUp = null;
            Instant settled = null;
            Instant nextProgress = clock.instant().plus(PROGRESS);
            Map<String, Topic<?>> topics = new HashMap<>();
            READ.forEach(t -> topics.put(t.name(), t));
            while (clock.instant().isBefore(settled != null ? settled : deadline)) {
                for (String acked = ackedIds.poll(); acked != null; acked = ackedIds.poll()) {
                    tally.acked(acked);
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                    if (record.value() == null) {
                        continue;
                    }
                    try {
                        tally.record(topics.get(record.topic()).valueSerde().deserializer()
                                .deserialize(record.topic(), record.value()), clock.instant());
                    } catch (RuntimeException e) {
                        LOG.warn("drill {}: skipped an unreadable record on {} (partition {}, offset {}): {}", id,
                                record.topic(), record.partition(), record.offset(), e.getMessage());
                    }
                }
                // Until the traffic and the steps are over, more alerts may be acked: nothing is complete yet.
                boolean complete = trafficDone.isDone() && ackedIds.isEmpty() && tally.caughtUp();
                if (clock.instant().isAfter(nextProgress)) {
                    DrTally.Counts c = tally.counts();
                    LOG.info("drill {}: {} of {} acked alerts received, {} actions, {} without a result yet", id,
                            c.alertsAcked() - c.alertsLost(), c.alertsAcked(), c.actionsDecided(),
                            c.actionsWithoutResult());
                    nextProgress = clock.instant().plus(PROGRESS);
                }
                if (caughtUp != null && !complete) {
                    // A late record (an action decided again) that has not ended: keep waiting for it.
                    LOG.info("drill {}: a late record arrived after catching up; reading on", id);
                    caughtUp = null;
                    settled = null;
                } else if (caughtUp == null && complete && atEnd(consumer)) {
                    // Read to the end once more: an action is committed with its alert's entry, but may sit on
                    // a partition this consumer had not reached yet.
                    caughtUp = clock.instant();
                    settled = caughtUp.plus(SETTLE);
                    if (settled.isAfter(deadline)) {
                        settled = deadline;
                    }
                    LOG.info("drill {}: Reflex caught up at +{} ms; reading {} more for late repeats", id,
                            Duration.between(startedAt, caughtUp).toMillis(), SETTLE);
                }
            }
            return caughtUp;
        }

        boolean atEnd(KafkaConsumer<String, byte[]> consumer) {
            Map<TopicPartition, Long> ends = consumer.endOffsets(consumer.assignment(), METADATA_TIMEOUT);
            for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
                if (consumer.position(end.getKey(), METADATA_TIMEOUT) < end.getValue()) {
                    return false;
                }
            }
            return true;
        }

        DrDrillReport report(Instant caughtUp) {
            DrTally.Counts c = tally.counts();
            List<String> why = new ArrayList<>(failures);
            why.addAll(c.problems());
            boolean passed = why.isEmpty();
            String reason = passed
                    ? "every one of " + c.alertsAcked() + " acked alerts was decided once; " + c.actionsDecided()
                            + " actions, none duplicated, each ended once"
                    : String.join("; ", why);
            DrDrillReport report = new DrDrillReport(drill.name(), id, drill.kill().role().id(), sent.get(),
                    c.alertsAcked(), c.alertsLost(), c.lostExamples(), c.alertsDecidedTwice(), c.actionsDecided(),
                    c.actionsDuplicated(), c.resultsDuplicated(), c.actionsWithoutResult(), c.duplicateExamples(),
                    killedAt == null ? null : tally.receivedBy(killedAt),
                    startedAt, killedAt, killed, restartedAt, restartedPid, brokerRestartedAt, caughtUp,
                    clock.instant(), passed, reason);
            LOG.info("drill {}: {}", id, passed ? "passed: " + reason : "failed: " + reason);
            return report;
        }
    }

    /** The file the restart command's output is appended to: beside the pid file. */
    public static Path restartLog(DrDrill.Kill kill) {
        return kill.pidFile().resolveSibling(kill.role().id() + "-restart.log");
    }
}
