package io.reflex.drill.dr;

import io.reflex.drill.DrillIds;
import io.reflex.drill.DrillKafka;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
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
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
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
    private static final Duration KILL_WAIT = Duration.ofSeconds(15);
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

    /** Whether it can restart the broker: this process hosts the embedded broker. */
    public boolean canRestartBroker() {
        return broker.isPresent();
    }

    /** The id a drill run gets: {@code drill-<name>-<UTC time>}, like every drill. */
    public String idFor(DrDrill drill) {
        return DrillIds.of("drill", drill.name(), clock.instant());
    }

    public DrDrillReport run(DrDrill drill) {
        return run(drill, idFor(drill));
    }

    /** @param id the drill id (from {@link #idFor}), for a caller that needs it before the run ends */
    public DrDrillReport run(DrDrill drill, String id) {
        return run(drill, id, line -> { });
    }

    /**
     * @param progress takes a line for people at each step (traffic sent, kill, restart, broker back,
     *                 caught up, verdict), from the drill's threads; the same lines are logged
     */
    public DrDrillReport run(DrDrill drill, String id, Consumer<String> progress) {
        Objects.requireNonNull(progress, "progress");
        try (MDC.MDCCloseable ignored = MDC.putCloseable("drillId", id)) {
            return new Run(drill, id, progress).run();
        }
    }

    /** One run's state, shared by the traffic (the caller's thread) and the kill and broker steps. */
    private final class Run {
        final DrDrill drill;
        final String id;
        final Consumer<String> progress;
        final DrTally tally;
        final Queue<String> ackedIds = new ConcurrentLinkedQueue<>();
        final Queue<String> notAckedIds = new ConcurrentLinkedQueue<>();
        /** The alerts handed to the producer, to resolve at the end. */
        final List<AlertEvent> firing = java.util.Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger sent = new AtomicInteger();
        final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        volatile Instant startedAt;
        volatile Instant killedAt;
        volatile String killed;
        volatile Instant restartedAt;
        volatile Long restartedPid;
        volatile Instant brokerRestartedAt;

        Run(DrDrill drill, String id, Consumer<String> progress) {
            this.drill = drill;
            this.id = id;
            this.progress = progress;
            this.tally = new DrTally(id);
        }

        DrDrillReport run() {
            DrDrill.Traffic traffic = drill.traffic();
            say("traffic started: " + drill.describe());
            try (DrillKafka.Reader consumer = openConsumer()) {
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
                    if (drill.kill() != null) {
                        scheduled.add(steps.schedule(this::killAndRestart, drill.kill().after().toMillis(),
                                TimeUnit.MILLISECONDS));
                    }
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
                    DrDrillReport report = report(caughtUp);
                    resolve();
                    return report;
                } finally {
                    steps.shutdownNow();
                }
            }
        }

        /** A step for people: logged with the drill id, and passed to the caller's progress. */
        void say(String line) {
            LOG.info("drill {}: {}", id, line);
            try {
                progress.accept(line);
            } catch (RuntimeException e) {
                LOG.warn("drill {}: the progress listener failed: {}", id, e.toString());
            }
        }

        void sendTraffic(long startNanos) {
            DrDrill.Traffic traffic = drill.traffic();
            long gapNanos = traffic.over().toNanos() / traffic.alerts();
            try (KafkaProducer<String, byte[]> producer = producer()) {
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
                    producer.send(record(alert), (metadata, error) -> {
                        if (error == null) {
                            ackedIds.add(alert.id());
                        } else {
                            notAckedIds.add(alert.id());
                            LOG.warn("drill {}: alert {} was not acknowledged: {}", id, alert.id(), error.toString());
                        }
                    });
                    firing.add(alert);
                    sent.incrementAndGet();
                }
                producer.flush();
            }
            say("traffic over: " + sent.get() + " alerts sent and flushed (acks=all)");
        }

        KafkaProducer<String, byte[]> producer() {
            // Long enough to outlast a broker restart: an alert is only lost to the drill if Kafka acked it.
            return DrillKafka.producer(kafka, "reflex-dr-drill", Map.of(ProducerConfig.LINGER_MS_CONFIG, "5",
                    ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(120_000, drill.timeout().toMillis())));
        }

        ProducerRecord<String, byte[]> record(AlertEvent alert) {
            return new ProducerRecord<>(Topics.ALERTS.name(), alert.resource().key(),
                    Topics.ALERTS.valueSerde().serializer().serialize(Topics.ALERTS.name(), alert));
        }

        /**
         * Resolves every alert sent (same resource, name, fingerprint and drill id), so the rules stage
         * closes the incidents they opened instead of keeping them open for good.
         */
        void resolve() {
            List<AlertEvent> sentAlerts;
            synchronized (firing) {
                sentAlerts = List.copyOf(firing);
            }
            if (sentAlerts.isEmpty()) {
                return;
            }
            AtomicInteger failed = new AtomicInteger();
            try (KafkaProducer<String, byte[]> producer = producer()) {
                for (AlertEvent alert : sentAlerts) {
                    producer.send(record(resolved(alert, clock.instant())), (metadata, error) -> {
                        if (error != null) {
                            failed.incrementAndGet();
                        }
                    });
                }
                producer.flush();
                LOG.info("drill {}: resolved {} alerts ({} not acknowledged)", id, sentAlerts.size(), failed.get());
            } catch (RuntimeException e) {
                // The verdict stands; open drill incidents are clutter, but say so.
                LOG.warn("drill {}: could not resolve its alerts; their incidents stay open: {}", id, e.toString());
            }
        }

        AlertEvent alert(int i) {
            String key = drill.traffic().resourceKey(i);
            int colon = key.indexOf(':');
            Resource resource = Resource.of(key.substring(0, colon), key.substring(colon + 1));
            Instant now = clock.instant();
            String fingerprint = id + "/" + i;
            // The drill id is a label too: the actions of these alerts carry their alert's labels, so they
            // name the drill on the real path (execute), where the alert carries no drill id and is not rehearsed.
            return new AlertEvent(AlertEvent.idFor("drill", fingerprint, now, AlertStatus.FIRING), "drill",
                    drill.traffic().alert(), AlertStatus.FIRING, "info", resource,
                    Map.of("drillId", id, "drill", drill.name()),
                    Map.of("summary", "DR drill " + id + " alert " + i), now, null, now, fingerprint,
                    drill.traffic().execute() ? null : id);
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
            say("killed " + killed + " at +" + Duration.between(startedAt, at).toMillis() + " ms");
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
            say("restarted " + kill.role().id() + " as pid " + process.pid() + " at +"
                    + Duration.between(startedAt, restartedAt).toMillis() + " ms (output in " + log + ")");
        }

        void restartBroker() {
            if (broker.isEmpty()) {
                failures.add("restartBroker is set, but this Reflex's broker cannot be restarted from here"
                        + " (only the embedded broker of reflex up can)");
                LOG.error("drill {}: no broker control; the broker was not restarted", id);
                return;
            }
            try {
                say("restarting the Kafka broker at +" + Duration.between(startedAt, clock.instant()).toMillis()
                        + " ms");
                broker.get().restart();
                brokerRestartedAt = clock.instant();
                say("the Kafka broker is back at +" + Duration.between(startedAt, brokerRestartedAt).toMillis()
                        + " ms");
            } catch (RuntimeException e) {
                failures.add("could not restart the broker: " + e.getMessage());
                LOG.error("drill {}: could not restart the Kafka broker: {}", id, e.toString());
                progress.accept("could not restart the Kafka broker: " + e.getMessage());
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

        static AlertEvent resolved(AlertEvent alert, Instant now) {
            return new AlertEvent(AlertEvent.idFor(alert.source(), alert.fingerprint(), now, AlertStatus.RESOLVED),
                    alert.source(), alert.name(), AlertStatus.RESOLVED, alert.severity(), alert.resource(),
                    alert.labels(), alert.annotations(), alert.startsAt(), now, now, alert.fingerprint(), alert.drillId());
        }

        DrillKafka.Reader openConsumer() {
            // From the end as it is now: everything the drill's alerts cause comes after.
            Map<Topic<?>, Long> fromEnd = new java.util.LinkedHashMap<>();
            READ.forEach(t -> fromEnd.put(t, null));
            return DrillKafka.reader(kafka, "reflex-dr-drill-reader", fromEnd);
        }

        /** Returns when it caught up, or null when the deadline came first. */
        Instant read(DrillKafka.Reader consumer, Instant deadline, Future<?> trafficDone) {
            Instant caughtUp = null;
            Instant settled = null;
            Instant nextProgress = clock.instant().plus(PROGRESS);
            while (clock.instant().isBefore(settled != null ? settled : deadline)) {
                for (String acked = ackedIds.poll(); acked != null; acked = ackedIds.poll()) {
                    tally.acked(acked);
                }
                for (String lost = notAckedIds.poll(); lost != null; lost = notAckedIds.poll()) {
                    tally.notAcked(lost);
                }
                for (Object record : consumer.poll(POLL)) {
                    tally.record(record, clock.instant());
                }
                // Until the traffic and the steps are over, more alerts may be acked: nothing is complete yet.
                boolean complete = trafficDone.isDone() && ackedIds.isEmpty() && tally.caughtUp();
                if (clock.instant().isAfter(nextProgress)) {
                    DrTally.Counts c = tally.counts();
                    say((c.alertsAcked() - c.alertsLost()) + " of " + c.alertsAcked() + " acked alerts received, "
                            + c.actionsDecided() + " actions, " + c.actionsWithoutResult() + " without a result yet");
                    nextProgress = clock.instant().plus(PROGRESS);
                }
                if (caughtUp != null && !complete) {
                    // A late record (an action decided again) that has not ended: keep waiting for it.
                    LOG.info("drill {}: a late record arrived after catching up; reading on", id);
                    caughtUp = null;
                    settled = null;
                } else if (caughtUp == null && complete && consumer.atEnd()) {
                    // Read to the end once more: an action is committed with its alert's entry, but may sit on
                    // a partition this consumer had not reached yet.
                    caughtUp = clock.instant();
                    settled = caughtUp.plus(SETTLE);
                    if (settled.isAfter(deadline)) {
                        settled = deadline;
                    }
                    say("Reflex caught up at +" + Duration.between(startedAt, caughtUp).toMillis() + " ms; reading "
                            + SETTLE.toSeconds() + "s more for late repeats");
                }
            }
            return caughtUp;
        }

        DrDrillReport report(Instant caughtUp) {
            // Callbacks that came after the last read still count.
            for (String acked = ackedIds.poll(); acked != null; acked = ackedIds.poll()) {
                tally.acked(acked);
            }
            for (String lost = notAckedIds.poll(); lost != null; lost = notAckedIds.poll()) {
                tally.notAcked(lost);
            }
            DrTally.Counts c = tally.counts();
            List<String> why = new ArrayList<>(failures);
            why.addAll(c.problems());
            boolean passed = why.isEmpty();
            String reason = passed
                    ? "every one of " + c.alertsAcked() + " acked alerts was decided once; " + c.actionsDecided()
                            + (drill.traffic().execute() ? " actions executed (real incidents labelled drillId=" + id
                            + ")" : " actions rehearsed (DRY_RUN)") + ", none duplicated, each ended once"
                    : String.join("; ", why);
            DrDrillReport report = new DrDrillReport(drill.name(), id,
                    drill.kill() == null ? null : drill.kill().role().id(), sent.get(),
                    c.alertsAcked(), c.alertsLost(), c.lostExamples(), c.alertsDecidedTwice(), c.actionsDecided(),
                    c.actionsDuplicated(), c.resultsDuplicated(), c.actionsWithoutResult(), c.duplicateExamples(),
                    killedAt == null ? null : tally.receivedBy(killedAt),
                    startedAt, killedAt, killed, restartedAt, restartedPid, brokerRestartedAt, caughtUp,
                    clock.instant(), passed, reason, drill.traffic().execute());
            say((passed ? "PASSED: " : "FAILED: ") + reason);
            return report;
        }
    }

    /** The file the restart command's output is appended to: beside the pid file. */
    public static Path restartLog(DrDrill.Kill kill) {
        return kill.pidFile().resolveSibling(kill.role().id() + "-restart.log");
    }
}
