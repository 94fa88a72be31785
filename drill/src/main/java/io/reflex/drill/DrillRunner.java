package io.reflex.drill;

import io.reflex.model.ActionResult;
import io.reflex.model.ActionStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs one live drill: checks the steady state, injects the fault, follows Reflex's topics for the
 * incident the fault should cause (detect, decide, act), polls the steady-state probe until the
 * target recovers, grades the run ({@link Verdict}) and, when the target did not heal by the
 * timeout, undoes the fault. Every log line carries the drill id (MDC {@code drillId}, and the
 * message, since the default log pattern shows only incident and action ids).
 */
public final class DrillRunner {
    private static final Logger LOG = LoggerFactory.getLogger(DrillRunner.class);
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    /** Records are read from a little before the injection: the producers' clocks are not the drill's. */
    private static final Duration READ_SLACK = Duration.ofSeconds(5);
    /** How far back an incident the fault's alert may join can have opened. */
    private static final Duration INCIDENT_LOOKBACK = Duration.ofHours(1);
    /** After the steady state is back, how long to still wait for the expected action's result. */
    private static final Duration RESULT_GRACE = Duration.ofSeconds(10);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration UNDO_BOUND = Duration.ofSeconds(60);

    private final ProbeChecker probes;
    private final FaultInjector injector;
    private final Function<Instant, DrillFeed> feeds;
    private final FaultUndo undo;
    private final Clock clock;

    /**
     * @param feeds opens a feed of Reflex's records from a time on ({@link KafkaDrillFeed})
     * @param undo  undoes the fault when the target did not heal ({@link KafkaActionUndo})
     */
    public DrillRunner(ProbeChecker probes, FaultInjector injector, Function<Instant, DrillFeed> feeds, FaultUndo undo,
            Clock clock) {
        this.probes = Objects.requireNonNull(probes, "probes");
        this.injector = Objects.requireNonNull(injector, "injector");
        this.feeds = Objects.requireNonNull(feeds, "feeds");
        this.undo = Objects.requireNonNull(undo, "undo");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The runner of a Reflex whose Kafka clients use {@code kafka} and whose data dir is {@code dataDir}. */
    public static DrillRunner connectedTo(java.util.Map<String, Object> kafka, java.nio.file.Path dataDir, Clock clock) {
        return new DrillRunner(new ProbeChecker(), new ProcessSignalInjector(dataDir, clock),
                from -> new KafkaDrillFeed(kafka, from, INCIDENT_LOOKBACK), new KafkaActionUndo(kafka, clock), clock);
    }

    /** The id a drill run gets: {@code drill-<name>-<UTC time>}. */
    public String idFor(DrillDefinition drill) {
        return "drill-" + drill.name() + "-" + ID_TIME.format(clock.instant());
    }

    public DrillReport run(DrillDefinition drill) {
        String id = idFor(drill);
        try (MDC.MDCCloseable ignored = MDC.putCloseable("drillId", id)) {
            return run(drill, id);
        }
    }

    private DrillReport run(DrillDefinition drill, String id) {
        Fault fault = drill.fault();
        SteadyState steady = drill.steadyState();
        LOG.info("drill {}: checking the steady state ({})", id, steady.probe().describe());
        ProbeChecker.Check before = probes.check(steady);
        if (!before.ok()) {
            LOG.info("drill {}: not steady ({}); nothing injected", id, before.detail());
            return report(drill, id, null, emptyPhases(), null, new Verdict(false, "not in the steady state before the"
                    + " fault (" + steady.probe().describe() + " gave " + before.detail() + "); nothing was injected:"
                    + " heal the target first, or fix the steadyState probe"), false, null);
        }
        FaultInjector.Injection injection;
        try {
            injection = injector.inject(fault);
        } catch (FaultInjector.FaultException e) {
            LOG.info("drill {}: could not inject {}: {}", id, fault.describe(), e.getMessage());
            return report(drill, id, null, emptyPhases(), null, new Verdict(false, "could not inject the fault: "
                    + e.getMessage()), false, null);
        }
        Instant injectedAt = injection.at();
        LOG.info("drill {}: injected at {}: {}", id, injectedAt, injection.detail());
        PhaseTracker tracker = new PhaseTracker(fault.resourceKey(), injectedAt, drill.expect());
        try (DrillFeed feed = feeds.apply(injectedAt.minus(READ_SLACK))) {
            Instant recoveredAt = follow(drill, id, feed, tracker, injectedAt);
            Phases phases = tracker.phases();
            Verdict verdict = Verdict.grade(drill, phases, injectedAt, recoveredAt);
            LOG.info("drill {}: {}: {}", id, verdict.passed() ? "PASSED" : "FAILED", verdict.reason());
            boolean undone = false;
            String undoText = null;
            if (recoveredAt == null) {
                if (drill.undo() == Undo.RESTART) {
                    Optional<String> failure = restart(drill, id, feed, tracker, phases.incidentId());
                    undone = failure.isEmpty();
                    undoText = undone ? "restarted " + fault.resourceKey() + " through connector "
                            + ((Fault.ProcessSignal) fault).connector() + " (not healed by the timeout "
                            + Verdict.human(drill.timeout()) + ")" : "undo failed: " + failure.get();
                } else {
                    undoText = "none (undo: none): " + fault.resourceKey() + " is left as the fault left it";
                    LOG.info("drill {}: {}", id, undoText);
                }
            }
            return report(drill, id, injectedAt, phases, recoveredAt, verdict, undone, undoText);
        }
    }

    /** Reads the feed and probes until the target recovered (and its action is known) or the timeout; the recovery time or null. */
    private Instant follow(DrillDefinition drill, String id, DrillFeed feed, PhaseTracker tracker, Instant injectedAt) {
        Instant deadline = injectedAt.plus(drill.timeout());
        Instant nextProbe = clock.instant();
        Instant recoveredAt = null;
        boolean sawDown = false;
        Phases logged = emptyPhases();
        while (clock.instant().isBefore(deadline)) {
            feed.poll(POLL).forEach(tracker::accept);
            Phases now = tracker.phases();
            logged = logProgress(id, injectedAt, logged, now);
            if (recoveredAt == null && !clock.instant().isBefore(nextProbe)) {
                ProbeChecker.Check check = probes.check(drill.steadyState());
                nextProbe = clock.instant().plus(drill.steadyState().interval());
                if (!check.ok()) {
                    if (!sawDown) {
                        LOG.info("drill {}: steady state lost ({})", id, check.detail());
                    }
                    sawDown = true;
                } else if (sawDown || now.actedAt() != null) {
                    // Up again after it was seen down, or after the remediation: not merely "not dead yet".
                    recoveredAt = clock.instant();
                    LOG.info("drill {}: steady state back after {}", id,
                            Verdict.human(Duration.between(injectedAt, recoveredAt)));
                }
            }
            if (recoveredAt != null && (now.actedAt() != null
                    || !clock.instant().isBefore(recoveredAt.plus(RESULT_GRACE)))) {
                break;
            }
        }
        feed.poll(Duration.ZERO).forEach(tracker::accept);
        if (recoveredAt == null) {
            LOG.info("drill {}: not recovered within the timeout {}", id, Verdict.human(drill.timeout()));
        }
        return recoveredAt;
    }

    private Phases logProgress(String id, Instant injectedAt, Phases before, Phases now) {
        if (before.detectedAt() == null && now.detectedAt() != null) {
            LOG.info("drill {}: detected after {}: incident {}", id,
                    Verdict.human(Duration.between(injectedAt, now.detectedAt())), now.incidentId());
        }
        if (before.decidedAt() == null && now.decidedAt() != null) {
            LOG.info("drill {}: decided after {}: rules fired {}", id,
                    Verdict.human(Duration.between(injectedAt, now.decidedAt())), now.rulesFired());
        }
        if (before.actedAt() == null && now.actedAt() != null) {
            LOG.info("drill {}: acted after {}: {}", id, Verdict.human(Duration.between(injectedAt, now.actedAt())),
                    now.actions());
        }
        return now;
    }

    /** Restarts the target through Reflex; empty when it is healthy again, else why not. */
    private Optional<String> restart(DrillDefinition drill, String id, DrillFeed feed, PhaseTracker tracker,
            String incidentId) {
        LOG.info("drill {}: undoing the fault: restarting {}", id, drill.fault().resourceKey());
        String actionId;
        try {
            actionId = undo.restart(drill.fault(), incidentId, id);
        } catch (RuntimeException e) {
            LOG.warn("drill {}: undo failed: {}", id, e.getMessage());
            return Optional.of(e.getMessage() + "; restart " + drill.fault().resourceKey() + " by hand");
        }
        Instant bound = clock.instant().plus(UNDO_BOUND);
        ActionResult terminal = null;
        while (terminal == null && clock.instant().isBefore(bound)) {
            feed.poll(POLL).forEach(tracker::accept);
            terminal = tracker.resultsOf(actionId).stream()
                    .filter(r -> r.status() != ActionStatus.STARTED && r.status() != ActionStatus.AWAITING_APPROVAL)
                    .findFirst().orElse(null);
        }
        if (terminal == null) {
            return Optional.of("no result for the restart action " + actionId + " within " + Verdict.human(UNDO_BOUND)
                    + " (is the remediator running, and not paused?); restart " + drill.fault().resourceKey() + " by hand");
        }
        if (!terminal.succeeded()) {
            LOG.warn("drill {}: undo action {} ended {}: {}", id, actionId, terminal.status(), terminal.detail());
            return Optional.of("the restart action " + actionId + " ended " + terminal.status()
                    + (terminal.detail() == null ? "" : " (" + terminal.detail() + ")") + "; restart "
                    + drill.fault().resourceKey() + " by hand");
        }
        while (clock.instant().isBefore(bound)) {
            ProbeChecker.Check check = probes.check(drill.steadyState());
            if (check.ok()) {
                LOG.info("drill {}: undone: {} restarted and steady again", id, drill.fault().resourceKey());
                return Optional.empty();
            }
            feed.poll(drill.steadyState().interval());
        }
        return Optional.of("the restart succeeded (" + terminal.detail() + ") but the steady state did not come back");
    }

    private DrillReport report(DrillDefinition drill, String id, Instant injectedAt, Phases phases,
            Instant recoveredAt, Verdict verdict, boolean undone, String undoText) {
        DrillReport.PhaseMillis millis = DrillReport.PhaseMillis.of(
                Phases.between(injectedAt, phases.detectedAt()),
                Phases.between(phases.detectedAt(), phases.decidedAt()),
                Phases.between(phases.decidedAt(), phases.actedAt()),
                Phases.between(injectedAt, recoveredAt));
        return new DrillReport(drill.name(), id, drill.fault().describe(), drill.fault().resourceKey(), injectedAt,
                millis, drill.slo().toMillis(), drill.expect().describe(), phases.rulesFired(), phases.actions(),
                phases.incidentId(), verdict.passed(), verdict.reason(), undone, undoText, clock.instant());
    }

    private static Phases emptyPhases() {
        return new Phases(null, null, null, null, List.of(), List.of(), null);
    }
}
