package io.reflex.ingest.probe;

import io.reflex.ingest.AlertSink;
import io.reflex.ingest.Fingerprints;
import io.reflex.ingest.ResourceMapper;
import io.reflex.model.AlertEvent;
import io.reflex.model.AlertStatus;
import io.reflex.model.Resource;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state machine of one built-in probe, whatever its {@link Check}, driven by {@link #tick()}
 * (a Vert.x periodic timer in production, the test itself in {@code ProbeTest}).
 *
 * <ul>
 *   <li>After {@code failureThreshold} consecutive failed checks it emits a FIRING alert whose
 *       {@code startsAt} is the time of the first failure of the streak.</li>
 *   <li>After {@code successThreshold} consecutive successes while firing it emits the RESOLVED
 *       alert: same {@code startsAt} and fingerprint, {@code endsAt} = now.</li>
 *   <li>A transition that the sink could not store stays queued and is sent again on the next
 *       tick, in order, so a Kafka outage loses no transition.</li>
 * </ul>
 *
 * <p>Not thread-safe: every call must come from one thread (the probe's Vert.x context), and the
 * check's future and the sink's stage must complete there too ({@link ProbeRunner} arranges it).
 */
public final class Probe {

    private static final Logger LOG = LoggerFactory.getLogger(Probe.class);

    public static final String SOURCE = "probe";

    /** Transitions kept while the sink fails; beyond this the oldest go (a flapping target in a long outage). */
    static final int MAX_PENDING = 100;

    private final ProbeConfig config;
    private final Check check;
    private final AlertSink sink;
    private final Clock clock;
    private final Map<String, String> labels;
    private final String fingerprint;
    private final Resource resource;
    private final String target;
    private final Map<String, String> targetAnnotations;

    private final Deque<AlertEvent> pending = new ArrayDeque<>();
    private boolean checking;
    private boolean publishing;
    private int failures;
    private int successes;
    private Instant streakStart;
    // Read by health pages and tests from other threads; written on the probe's thread only.
    private volatile boolean firing;
    private volatile long checks;
    private volatile CheckResult lastResult;

    /**
     * @param check one check of the target; its future should not fail (a failure counts as an unhealthy check)
     * @param sink  where transitions go; its stage must complete on the probe's thread
     */
    public Probe(ProbeConfig config, ResourceMapper resources, Clock clock, Check check, AlertSink sink) {
        this.config = config;
        this.check = check;
        this.sink = sink;
        this.clock = clock;
        Map<String, String> all = new LinkedHashMap<>(config.labels());
        all.put("alertname", config.alertName());
        all.put("severity", config.severity());
        all.put("probe", config.name());
        this.labels = Map.copyOf(all);
        this.fingerprint = Fingerprints.of("probe:" + config.name(), config.labels());
        this.resource = resources.map(config.alertName(), labels);
        this.target = config.target();
        this.targetAnnotations = config.targetAnnotations();
    }

    public ProbeConfig config() {
        return config;
    }

    public boolean firing() {
        return firing;
    }

    /** Checks completed since the start. */
    public long checks() {
        return checks;
    }

    /** The outcome of the latest completed check; null before the first. */
    public CheckResult lastResult() {
        return lastResult;
    }

    /** Transitions not yet stored; call it on the probe's thread. */
    public List<AlertEvent> pending() {
        return List.copyOf(pending);
    }

    /**
     * Runs one check (unless the previous one is still running), applies its result, then sends
     * any transition not yet stored. The future completes when that is done; it never fails.
     */
    public Future<Void> tick() {
        if (checking) {
            return flush();
        }
        checking = true;
        Instant at = clock.instant();
        Future<CheckResult> result;
        try {
            result = check.run();
        } catch (RuntimeException e) {
            result = Future.failedFuture(e);
        }
        return result
                .otherwise(error -> CheckResult.down(String.valueOf(error.getMessage())))
                .compose(outcome -> {
                    checking = false;
                    lastResult = outcome;
                    checks++;
                    apply(outcome, at);
                    return flush();
                });
    }

    private void apply(CheckResult outcome, Instant at) {
        if (outcome.healthy()) {
            failures = 0;
            if (!firing) {
                return;
            }
            successes++;
            if (successes >= config.successThreshold()) {
                firing = false;
                Instant now = clock.instant();
                LOG.info("probe {} recovered ({}, {} success(es)): resolving {} for {}", config.name(),
                        outcome.detail(), successes, config.alertName(), resource.key());
                enqueue(event(AlertStatus.RESOLVED, now, target + ": healthy again (" + outcome.detail() + ")"));
            }
            return;
        }
        successes = 0;
        failures++;
        if (failures == 1 && !firing) {
            // While firing, the outage that started at streakStart goes on: its RESOLVED must carry that start.
            streakStart = at;
        }
        if (!firing && failures >= config.failureThreshold()) {
            firing = true;
            LOG.info("probe {} failed {} time(s) in a row since {} ({}): firing {} for {}", config.name(), failures,
                    streakStart, outcome.detail(), config.alertName(), resource.key());
            // The command's output goes to the summary, not to the log: it may hold anything.
            String output = outcome.output().isEmpty() ? "" : "\n" + outcome.output();
            enqueue(event(AlertStatus.FIRING, null, target + ": " + outcome.detail() + output));
        }
    }

    private AlertEvent event(AlertStatus status, Instant endsAt, String summary) {
        return new AlertEvent(
                AlertEvent.idFor(SOURCE, fingerprint, streakStart, status),
                SOURCE,
                config.alertName(),
                status,
                config.severity(),
                resource,
                labels,
                annotations(summary),
                streakStart,
                endsAt,
                clock.instant(),
                fingerprint,
                null);
    }

    private Map<String, String> annotations(String summary) {
        Map<String, String> annotations = new LinkedHashMap<>(targetAnnotations);
        annotations.put("summary", summary);
        return annotations;
    }

    private void enqueue(AlertEvent event) {
        if (pending.size() >= MAX_PENDING) {
            AlertEvent dropped = pending.removeFirst();
            LOG.warn("probe {}: {} transitions wait for Kafka; dropping the oldest ({} since {})", config.name(),
                    MAX_PENDING, dropped.status(), dropped.startsAt());
        }
        pending.addLast(event);
    }

    /** Sends what is pending, all at once and in order; keeps it for the next tick if the sink fails. */
    private Future<Void> flush() {
        if (publishing || pending.isEmpty()) {
            return Future.succeededFuture();
        }
        publishing = true;
        List<AlertEvent> batch = List.copyOf(pending);
        Future<Void> sent;
        try {
            sent = Future.fromCompletionStage(sink.publish(batch));
        } catch (RuntimeException e) {
            sent = Future.failedFuture(e);
        }
        return sent.transform(done -> {
            publishing = false;
            if (done.succeeded()) {
                for (AlertEvent stored : batch) {
                    // Identity, not position: enqueue may have dropped some of the batch meanwhile.
                    if (pending.peekFirst() == stored) {
                        pending.removeFirst();
                    }
                }
                batch.forEach(e -> LOG.info("probe {}: stored {} {} for {} (id {})", config.name(), e.name(),
                        e.status(), e.resource().key(), e.id()));
            } else {
                LOG.warn("probe {}: could not store {} transition(s), retrying on the next tick: {}", config.name(),
                        batch.size(), done.cause().toString());
            }
            return Future.succeededFuture();
        });
    }
}
