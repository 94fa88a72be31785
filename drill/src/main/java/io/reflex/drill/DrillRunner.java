package io.reflex.drill;

import io.reflex.model.Action;
import io.reflex.model.ActionResult;
import io.reflex.model.AlertEvent;
import io.reflex.model.AlertStatus;
import io.reflex.model.Ids;
import io.reflex.model.Resource;
import io.reflex.model.TimelineEntry;
import io.reflex.model.TimelineKind;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.slf4j.helpers.MessageFormatter;

/**
 * Runs one drill. Live: checks the steady state, injects the fault (itself for a process kill,
 * through the running Reflex's connectors for the others), follows Reflex's topics for the
 * incident the fault should cause (detect, decide, act), tags that incident with DRILL timeline
 * entries, polls the steady-state probe until the target recovers, grades the run
 * ({@link Verdict}) and, when the target did not heal by the timeout or an abort condition
 * stopped the drill, undoes the fault. Dry run: sends the synthetic alert(s) the fault would raise
 * and follows the rehearsal by drill id ({@link DryRunTracker}). Every progress line carries the
 * drill id (MDC {@code drillId}, the message) and goes to the run's {@link DrillProgress}.
 */
public final class DrillRunner {
    private static final Logger LOG = LoggerFactory.getLogger(DrillRunner.class);
    /** Records are read from a little before the injection: the producers' clocks are not the drill's. */
    private static final Duration READ_SLACK = Duration.ofSeconds(5);
    /** How far back an incident the fault's alert may join can have opened. */
    private static final Duration INCIDENT_LOOKBACK = Duration.ofHours(1);
    /** After the steady state is back, how long to still wait for the expected action's result. */
    private static final Duration RESULT_GRACE = Duration.ofSeconds(10);
    /** A dry run ends once nothing more of the drill's arrived for this long (and its actions are finished). */
    static final Duration SETTLE = Duration.ofSeconds(2);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration UNDO_BOUND = Duration.ofSeconds(60);
    /** How long an interrupted or failed drill waits for the ack of its undo: it is being stopped. */
    private static final Duration EMERGENCY_UNDO_BOUND = Duration.ofSeconds(5);
    /** Past the fault action's own deadline, how long to wait for its result: the remediator ends it then. */
    static final Duration FAULT_RESULT_GRACE = Duration.ofSeconds(10);
    private static final Set<String> STOPPING = Set.of("HOLD", "REFUSE");

    private final ProbeChecker probes;
    private final FaultInjector injector;
    private final Function<Instant, DrillFeed> feeds;
    private final Supplier<DrillWriter> writers;
    private final URI prometheusUrl;
    private final Clock clock;

    /**
     * @param injector      injects process kills and stops ({@link ProcessSignalInjector})
     * @param feeds         opens a feed of Reflex's records from a time on ({@link KafkaDrillFeed})
     * @param writers       opens a writer for one run: fault and undo actions, synthetic alerts, DRILL entries
     * @param prometheusUrl asked by prometheus probes that name no URL; may be null
     */
    public DrillRunner(ProbeChecker probes, FaultInjector injector, Function<Instant, DrillFeed> feeds,
            Supplier<DrillWriter> writers, URI prometheusUrl, Clock clock) {
        this.probes = Objects.requireNonNull(probes, "probes");
        this.injector = Objects.requireNonNull(injector, "injector");
        this.feeds = Objects.requireNonNull(feeds, "feeds");
        this.writers = Objects.requireNonNull(writers, "writers");
        this.prometheusUrl = prometheusUrl;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The runner of a Reflex whose Kafka clients use {@code kafka} and whose data dir is {@code dataDir}. */
    public static DrillRunner connectedTo(Map<String, Object> kafka, Path dataDir, Clock clock) {
        return connectedTo(new DrillContext(kafka, dataDir, null), clock);
    }

    public static DrillRunner connectedTo(DrillContext context, Clock clock) {
        Map<String, Object> kafka = context.kafka();
        return new DrillRunner(new ProbeChecker(), new ProcessSignalInjector(context.dataDir(), clock),
                from -> new KafkaDrillFeed(kafka, from, INCIDENT_LOOKBACK), () -> new KafkaDrillWriter(kafka),
                context.prometheusUrl(), clock);
    }

    /** The id a drill run gets: {@code drill-<name>-<UTC time>}. */
    public String idFor(DrillDefinition drill) {
        return DrillIds.of("drill", drill.name(), clock.instant());
    }

    /** What keeps this runner from running the drill (a prometheus probe without a URL); empty when it can run. */
    public List<DrillProblem> problems(DrillDefinition drill) {
        List<DrillProblem> problems = new ArrayList<>();
        if (prometheusUrl == null) {
            if (drill.steadyState() != null && drill.steadyState().probe() instanceof SteadyState.Prometheus p
                    && p.url() == null) {
                problems.add(new DrillProblem("steadyState.prometheus.url", "is missing and the runner has no"
                        + " Prometheus URL; write url: http://HOST:9090 (or configure the drill runner's prometheus URL)"));
            }
            if (drill.abort().probe() != null && drill.abort().probe().probe() instanceof SteadyState.Prometheus p
                    && p.url() == null) {
                problems.add(new DrillProblem("abort.probe.prometheus.url", "is missing and the runner has no"
                        + " Prometheus URL; write url: http://HOST:9090 (or configure the drill runner's prometheus URL)"));
            }
        }
        return problems;
    }

    public DrillReport run(DrillDefinition drill) {
        return run(drill, idFor(drill), DrillProgress.NONE);
    }

    /**
     * Runs the drill under the given id; every progress line also goes to {@code progress}.
     *
     * @throws DrillFileException when the drill cannot run here ({@link #problems})
     */
    public DrillReport run(DrillDefinition drill, String id, DrillProgress progress) {
        List<DrillProblem> problems = problems(drill);
        if (!problems.isEmpty()) {
            throw new DrillFileException(drill.name(), problems);
        }
        try (MDC.MDCCloseable ignored = MDC.putCloseable("drillId", id)) {
            Run run = new Run(resolve(drill), id, progress == null ? DrillProgress.NONE : progress);
            return drill.mode() == DrillMode.DRY_RUN ? run.dryRun() : run.live();
        }
    }

    /** The drill with its prometheus probes asking the runner's URL when they name none. */
    private DrillDefinition resolve(DrillDefinition drill) {
        SteadyState steady = withUrl(drill.steadyState());
        Abort abort = drill.abort().probe() == null ? drill.abort()
                : new Abort(drill.abort().onGuardrail(), withUrl(drill.abort().probe()));
        return new DrillDefinition(drill.name(), steady, drill.fault(), drill.expect(), drill.slo(), drill.timeout(),
                drill.undo(), drill.mode(), drill.alert(), abort);
    }

    private SteadyState withUrl(SteadyState steady) {
        return steady != null && steady.probe() instanceof SteadyState.Prometheus p
                ? steady.withProbe(p.orUrl(prometheusUrl)) : steady;
    }

    /** One run: its drill, id and progress, and what it learned so far. */
    private final class Run {
        private final DrillDefinition drill;
        private final String id;
        private final DrillProgress progress;
        private DrillWriter writer;
        private String taggedIncident;
        private final Map<String, Action> actions = new HashMap<>();
        private final List<TimelineEntry> guardrailEntries = new ArrayList<>();
        /** The drill's own fault and undo actions: guardrail decisions on them are no reason to abort. */
        private final Set<String> ownActions = new java.util.HashSet<>();
        /** The undo action written, once one is: an interrupted drill does not send a second. */
        private Action undoSent;
        private Instant injectedAt;

        Run(DrillDefinition drill, String id, DrillProgress progress) {
            this.drill = drill;
            this.id = id;
            this.progress = progress;
        }

        void step(String format, Object... args) {
            String message = MessageFormatter.arrayFormat(format, args).getMessage();
            LOG.info("drill {}: {}", id, message);
            try {
                progress.step(id, message);
            } catch (RuntimeException e) {
                LOG.warn("drill {}: the progress listener failed: {}", id, e.toString());
            }
        }

        // ------------------------------------------------------------------ live

        DrillReport live() {
            Fault fault = drill.fault();
            SteadyState steady = drill.steadyState();
            step("checking the steady state ({})", steady.probe().describe());
            ProbeChecker.Check before = probes.check(steady);
            if (!before.ok()) {
                step("not steady ({}); nothing injected", before.detail());
                return notInjected("not in the steady state before the fault (" + steady.probe().describe() + " gave "
                        + before.detail() + "); nothing was injected: heal the target first, or fix the steadyState probe");
            }
            SteadyState abortProbe = drill.abort().probe();
            if (abortProbe != null) {
                ProbeChecker.Check check = probes.check(abortProbe);
                if (!check.ok()) {
                    step("the abort probe fails already ({}); nothing injected", check.detail());
                    return notInjected("the abort probe (" + abortProbe.probe().describe() + ") fails before the fault ("
                            + check.detail() + "); nothing was injected");
                }
            }
            try (DrillWriter opened = writers.get();
                 DrillFeed feed = feeds.apply(clock.instant().minus(READ_SLACK))) {
                writer = opened;
                List<Object> early = new ArrayList<>();
                FaultInjector.Injection injection;
                try {
                    injection = fault instanceof Fault.ThroughConnector c ? throughConnector(c, feed, early)
                            : injector.inject(fault);
                } catch (FaultInjector.FaultException e) {
                    step("could not inject {}: {}", fault.describe(), e.getMessage());
                    return notInjected("could not inject: " + e.getMessage());
                }
                injectedAt = injection.at();
                step("injected at {}: {}", injectedAt, injection.detail());
                PhaseTracker tracker = new PhaseTracker(fault.resourceKey(), injectedAt, drill.expect());
                // From here on the fault is in place: whatever stops the drill (an interrupt from a closing
                // scheduler, a Kafka error), it is undone unless the target is known to have recovered.
                boolean settled = false;
                Instant[] recovered = new Instant[1];
                try {
                    DrillReport report = afterInjection(fault, feed, tracker, early, injection, recovered);
                    settled = true;
                    return report;
                } catch (RuntimeException e) {
                    boolean interrupted = Thread.currentThread().isInterrupted()
                            || e instanceof org.apache.kafka.common.errors.InterruptException;
                    String why = (interrupted ? "interrupted: " : "failed: ") + e.getMessage();
                    step("the drill stopped after the injection: {}", why);
                    String undoText = recovered[0] != null ? "none needed: the steady state was back"
                            : emergencyUndo(fault, tracker.phases().incidentId());
                    settled = true;
                    Phases phases = tracker.phases();
                    return report(injectedAt, phases, recovered[0], new Verdict(false, why + "; " + undoText), false,
                            undoText, null, guardrailLines(phases.incidentId()), null);
                } finally {
                    if (!settled && recovered[0] == null) {
                        emergencyUndo(fault, tracker.phases().incidentId());
                    }
                }
            }
        }

        /** The rest of a live run once the fault is in; {@code recovered[0]} is set as soon as the target is back. */
        private DrillReport afterInjection(Fault fault, DrillFeed feed, PhaseTracker tracker, List<Object> early,
                FaultInjector.Injection injection, Instant[] recovered) {
            early.forEach(r -> accept(r, tracker));
            Follow follow = follow(feed, tracker, injectedAt, injection.detail());
            recovered[0] = follow.recoveredAt;
            Phases phases = tracker.phases();
            tagInjected(phases.incidentId(), injectedAt, injection.detail());
            Verdict verdict = follow.abortReason != null ? new Verdict(false, "aborted: " + follow.abortReason)
                    : Verdict.grade(drill, phases, injectedAt, follow.recoveredAt);
            step("{}: {}", verdict.passed() ? "PASSED" : "FAILED", verdict.reason());
            tag(follow.abortReason != null ? "aborted" : "verdict", (verdict.passed() ? "drill passed: "
                    : "drill failed: ") + verdict.reason());
            boolean undone = false;
            String undoText = null;
            if (follow.abortReason != null || follow.recoveredAt == null) {
                String why = follow.abortReason != null ? "aborted" : "not healed by the timeout "
                        + Verdict.human(drill.timeout());
                if (drill.undo() == Undo.RESTART || follow.abortReason != null) {
                    Action undo = FaultActions.undo(fault, phases.incidentId(), id, clock.instant());
                    Optional<String> failure = undo(undo, feed, tracker);
                    undone = failure.isEmpty();
                    undoText = undone ? FaultActions.describe(undo) + " (" + why + ")" : "undo failed: " + failure.get();
                    tag("undo", undone ? "drill undid its fault: " + undoText : "drill " + undoText);
                } else {
                    undoText = "none (undo: none): " + fault.resourceKey() + " is left as the fault left it";
                    step("{}", undoText);
                }
            }
            return report(injectedAt, tracker.phases(), follow.recoveredAt, verdict, undone, undoText,
                    follow.abortReason, guardrailLines(tracker.phases().incidentId()), null);
        }

        /**
         * Sends the undo of a drill that stopped after its injection, waiting only briefly for its ack
         * (the interrupt flag is cleared meanwhile, so the producer can send, and restored after).
         * Does not wait for its result. Returns what to report.
         */
        private String emergencyUndo(Fault fault, String incidentId) {
            if (undoSent != null) {
                return "undo sent (action " + undoSent.id() + ")";
            }
            boolean interrupted = Thread.interrupted();
            try {
                Action undo = FaultActions.undo(fault, incidentId, id, clock.instant());
                ownActions.add(undo.id());
                writer.action(undo, EMERGENCY_UNDO_BOUND);
                undoSent = undo;
                step("undo sent: {} (action {}); its result is not awaited", FaultActions.describe(undo), undo.id());
                return "undo sent (action " + undo.id() + ")";
            } catch (RuntimeException e) {
                LOG.error("drill {}: could not send the undo of {}: {}", id, fault.describe(), e.toString());
                return "the undo could not be sent (" + e.getMessage() + "); undo " + fault.resourceKey() + " by hand";
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        /** Writes the fault's action and waits for its terminal result; the records read meanwhile go to {@code early}. */
        FaultInjector.Injection throughConnector(Fault.ThroughConnector fault, DrillFeed feed, List<Object> early) {
            Instant sent = clock.instant();
            Action action = FaultActions.fault(fault, id, sent);
            step("injecting {} through Reflex: action {} ({})", fault.describe(), action.id(), FaultActions.describe(action));
            try {
                writer.action(action);
            } catch (RuntimeException e) {
                throw new FaultInjector.FaultException(e.getMessage());
            }
            ownActions.add(action.id());
            // Past the action's own deadline: a held fault ends (SKIPPED) at its deadline, and that result must be read.
            Duration wait = FaultActions.DEADLINE.plus(FAULT_RESULT_GRACE);
            ActionResult terminal;
            try {
                terminal = awaitTerminal(action.id(), feed, early::add, sent.plus(wait));
            } catch (RuntimeException e) {
                // Stopped while the fault may be running: undo it, as after an injection.
                boolean interrupted = Thread.currentThread().isInterrupted()
                        || e instanceof org.apache.kafka.common.errors.InterruptException;
                String undoText = emergencyUndo(fault, null);
                throw new FaultInjector.FaultException((interrupted ? "interrupted" : "failed")
                        + " while waiting for the fault action " + action.id() + ": " + e.getMessage() + "; " + undoText);
            }
            if (terminal == null) {
                // Same target key, so the same partition, behind the fault: if the fault still runs, the undo follows it.
                Action undo = FaultActions.undo(fault, null, id, clock.instant());
                ownActions.add(undo.id());
                String undoText;
                try {
                    writer.action(undo);
                    undoSent = undo;
                    undoText = "the undo was sent anyway (action " + undo.id() + ", " + FaultActions.describe(undo)
                            + "), in case the fault runs late";
                } catch (RuntimeException e) {
                    undoText = "the undo could not be sent (" + e.getMessage() + "): check " + fault.resourceKey();
                }
                step("no result for the fault action {}; {}", action.id(), undoText);
                throw new FaultInjector.FaultException("no result for the fault action " + action.id() + " within "
                        + Verdict.human(wait) + " (is the remediator running, and not paused?); " + undoText);
            }
            if (!terminal.succeeded()) {
                throw new FaultInjector.FaultException(terminal.status() + (terminal.detail() == null ? ""
                        : ": " + terminal.detail()));
            }
            Instant at = terminal.startedAt() != null ? terminal.startedAt() : sent;
            return new FaultInjector.Injection(at, FaultActions.describe(action) + ": "
                    + (terminal.detail() == null ? "succeeded" : terminal.detail()));
        }

        private ActionResult awaitTerminal(String actionId, DrillFeed feed, java.util.function.Consumer<Object> sink,
                Instant bound) {
            List<ActionResult> results = new ArrayList<>();
            while (clock.instant().isBefore(bound)) {
                for (Object record : feed.poll(POLL)) {
                    sink.accept(record);
                    if (record instanceof ActionResult r && r.actionId().equals(actionId) && r.status().terminal()) {
                        results.add(r);
                    }
                }
                if (!results.isEmpty()) {
                    return results.get(0);
                }
            }
            return null;
        }

        private void accept(Object record, PhaseTracker tracker) {
            tracker.accept(record);
            if (record instanceof Action a) {
                actions.putIfAbsent(a.id(), a);
            } else if (record instanceof TimelineEntry e && e.kind() == TimelineKind.GUARDRAIL) {
                guardrailEntries.add(e);
            }
        }

        /** The guardrail decisions on the drill's actions: its own, and those of the incident it follows. */
        private List<String> guardrailLines(String incidentId) {
            List<String> lines = new ArrayList<>();
            for (TimelineEntry e : guardrailEntries) {
                if (ours(e, incidentId)) {
                    lines.add(e.refs().getOrDefault("guardrail", "?") + " " + e.refs().getOrDefault("decision", "?")
                            + ": " + e.summary());
                }
            }
            return lines;
        }

        /** Whether a GUARDRAIL entry is about the drill: one of its actions, or one on the incident it follows. */
        private boolean ours(TimelineEntry e, String incidentId) {
            Action action = actions.get(e.refs().get("actionId"));
            return id.equals(e.refs().get("drillId")) || action != null && (id.equals(action.label("drillId"))
                    || action.incidentId().equals(incidentId));
        }

        private record Follow(Instant recoveredAt, String abortReason) {
        }

        /** Reads the feed and probes until the target recovered (and its action is known), an abort, or the timeout. */
        private Follow follow(DrillFeed feed, PhaseTracker tracker, Instant injectedAt, String injected) {
            Instant deadline = injectedAt.plus(drill.timeout());
            Instant nextProbe = clock.instant();
            Instant nextAbortProbe = clock.instant();
            Instant recoveredAt = null;
            boolean sawDown = false;
            Phases logged = new Phases(null, null, null, null, List.of(), List.of(), null);
            SteadyState abortProbe = drill.abort().probe();
            while (clock.instant().isBefore(deadline)) {
                feed.poll(POLL).forEach(r -> accept(r, tracker));
                Phases now = tracker.phases();
                logged = logProgress(injectedAt, logged, now);
                tagInjected(now.incidentId(), injectedAt, injected);
                if (drill.abort().onGuardrail()) {
                    String stopped = guardrailStop(now.incidentId());
                    if (stopped != null) {
                        step("aborting: {}", stopped);
                        return new Follow(recoveredAt, stopped);
                    }
                }
                if (abortProbe != null && !clock.instant().isBefore(nextAbortProbe)) {
                    ProbeChecker.Check check = probes.check(abortProbe);
                    nextAbortProbe = clock.instant().plus(abortProbe.interval());
                    if (!check.ok()) {
                        String why = "the abort probe " + abortProbe.probe().describe() + " failed (" + check.detail() + ")";
                        step("aborting: {}", why);
                        return new Follow(recoveredAt, why);
                    }
                }
                if (recoveredAt == null && !clock.instant().isBefore(nextProbe)) {
                    ProbeChecker.Check check = probes.check(drill.steadyState());
                    nextProbe = clock.instant().plus(drill.steadyState().interval());
                    if (!check.ok()) {
                        if (!sawDown) {
                            step("steady state lost ({})", check.detail());
                        }
                        sawDown = true;
                    } else if (sawDown || now.actedAt() != null) {
                        // Up again after it was seen down, or after the remediation: not merely "not dead yet".
                        recoveredAt = clock.instant();
                        step("steady state back after {}", Verdict.human(Duration.between(injectedAt, recoveredAt)));
                    }
                }
                if (recoveredAt != null && (now.actedAt() != null
                        || !clock.instant().isBefore(recoveredAt.plus(RESULT_GRACE)))) {
                    break;
                }
            }
            feed.poll(Duration.ZERO).forEach(r -> accept(r, tracker));
            if (recoveredAt == null) {
                step("not recovered within the timeout {}", Verdict.human(drill.timeout()));
            }
            return new Follow(recoveredAt, null);
        }

        /** A guardrail that held or refused one of the drill's actions, as the abort reason; null when none. */
        private String guardrailStop(String incidentId) {
            for (TimelineEntry e : guardrailEntries) {
                Action action = actions.get(e.refs().get("actionId"));
                // The drill's own fault and undo (a rate limit that briefly held the fault) are no reason to
                // abort, nor is anything decided before the injection.
                boolean own = ownActions.contains(e.refs().get("actionId")) || action != null
                        && (FaultActions.FAULT_RULE.equals(action.rule().name())
                        || FaultActions.UNDO_RULE.equals(action.rule().name()));
                boolean before = injectedAt != null && e.at().isBefore(injectedAt);
                if (ours(e, incidentId) && !own && !before && STOPPING.contains(e.refs().get("decision"))) {
                    return "guardrail " + e.refs().getOrDefault("guardrail", "?") + " "
                            + ("HOLD".equals(e.refs().get("decision")) ? "held" : "refused") + " action "
                            + e.refs().get("actionId") + ": " + e.summary();
                }
            }
            return null;
        }

        private Phases logProgress(Instant injectedAt, Phases before, Phases now) {
            if (before.detectedAt() == null && now.detectedAt() != null) {
                step("detected after {}: incident {}", Verdict.human(Duration.between(injectedAt, now.detectedAt())),
                        now.incidentId());
            }
            if (before.decidedAt() == null && now.decidedAt() != null) {
                step("decided after {}: rules fired {}", Verdict.human(Duration.between(injectedAt, now.decidedAt())),
                        now.rulesFired());
            }
            if (before.actedAt() == null && now.actedAt() != null) {
                step("acted after {}: {}", Verdict.human(Duration.between(injectedAt, now.actedAt())), now.actions());
            }
            return now;
        }

        /** The first DRILL entry on the followed incident, once it is known. */
        private void tagInjected(String incidentId, Instant injectedAt, String injected) {
            if (incidentId != null && taggedIncident == null) {
                taggedIncident = incidentId;
                write(new TimelineEntry(incidentId, injectedAt, TimelineKind.DRILL, "drill " + drill.name()
                        + " injected " + drill.fault().describe() + ": " + injected, refs("injected")));
            }
        }

        /** A DRILL entry on the followed incident; none when no incident is known. */
        private void tag(String phase, String summary) {
            if (taggedIncident != null) {
                write(new TimelineEntry(taggedIncident, clock.instant(), TimelineKind.DRILL, summary, refs(phase)));
            }
        }

        private Map<String, String> refs(String phase) {
            return Map.of("drillId", id, "phase", phase);
        }

        private void write(TimelineEntry entry) {
            try {
                writer.timeline(entry);
            } catch (RuntimeException e) {
                // The tag marks the incident for people; the drill itself goes on without it.
                LOG.warn("drill {}: could not write the DRILL {} entry on incident {}: {}", id, entry.refs().get("phase"),
                        entry.incidentId(), e.getMessage());
            }
        }

        /** Undoes the fault through Reflex; empty when the target is healthy again, else why not. */
        private Optional<String> undo(Action undo, DrillFeed feed, PhaseTracker tracker) {
            String what = FaultActions.describe(undo);
            step("undoing the fault: {} (action {})", what, undo.id());
            ownActions.add(undo.id());
            try {
                writer.action(undo);
                undoSent = undo;
            } catch (RuntimeException e) {
                step("undo failed: {}", e.getMessage());
                return Optional.of(e.getMessage() + "; undo " + drill.fault().resourceKey() + " by hand (" + what + ")");
            }
            ActionResult terminal = awaitTerminal(undo.id(), feed, r -> accept(r, tracker),
                    clock.instant().plus(UNDO_BOUND));
            if (terminal == null) {
                return Optional.of("no result for the undo action " + undo.id() + " within " + Verdict.human(UNDO_BOUND)
                        + " (is the remediator running, and not paused?); " + what + " by hand");
            }
            if (!terminal.succeeded()) {
                step("undo action {} ended {}: {}", undo.id(), terminal.status(), terminal.detail());
                return Optional.of("the undo action " + undo.id() + " (" + what + ") ended " + terminal.status()
                        + (terminal.detail() == null ? "" : " (" + terminal.detail() + ")") + "; undo it by hand");
            }
            Instant bound = clock.instant().plus(UNDO_BOUND);
            while (clock.instant().isBefore(bound)) {
                ProbeChecker.Check check = probes.check(drill.steadyState());
                if (check.ok()) {
                    step("undone: {} and steady again", what);
                    return Optional.empty();
                }
                feed.poll(drill.steadyState().interval());
            }
            return Optional.of("the undo succeeded (" + terminal.detail() + ") but the steady state did not come back");
        }

        private DrillReport notInjected(String reason) {
            return report(null, new Phases(null, null, null, null, List.of(), List.of(), null), null,
                    new Verdict(false, reason), false, null, null, List.of(), null);
        }

        private DrillReport report(Instant injectedAt, Phases phases, Instant recoveredAt, Verdict verdict,
                boolean undone, String undoText, String abortReason, List<String> guardrails,
                DrillReport.StormCounts storm) {
            DrillReport.PhaseMillis millis = DrillReport.PhaseMillis.of(
                    Phases.between(injectedAt, phases.detectedAt()),
                    Phases.between(phases.detectedAt(), phases.decidedAt()),
                    Phases.between(phases.decidedAt(), phases.actedAt()),
                    Phases.between(injectedAt, recoveredAt));
            boolean dry = drill.mode() == DrillMode.DRY_RUN;
            return new DrillReport(drill.name(), id, drill.fault().describe(), drill.fault().resourceKey(), injectedAt,
                    millis, dry ? null : drill.slo().toMillis(), drill.expect().describe(), phases.rulesFired(),
                    phases.actions(), phases.incidentId(), verdict.passed(), verdict.reason(), undone, undoText,
                    clock.instant(), drill.mode().word(), abortReason != null, abortReason, guardrails, storm);
        }

        // ------------------------------------------------------------------ dry run

        DrillReport dryRun() {
            Fault fault = drill.fault();
            if (drill.abort().any()) {
                step("abort conditions apply to live drills only; this dry run touches nothing to abort");
            }
            Fault.AlertStorm storm = fault instanceof Fault.AlertStorm s ? s : null;
            int total = storm == null ? 1 : storm.alerts();
            step("dry run: nothing real is touched; sending {} synthetic {} tagged with the drill id", total,
                    total == 1 ? "alert" : "alerts");
            DryRunTracker tracker = new DryRunTracker(id, drill.expect());
            Instant start = clock.instant();
            try (DrillWriter opened = writers.get(); DrillFeed feed = feeds.apply(start.minus(READ_SLACK))) {
                writer = opened;
                Instant deadline = start.plus(drill.timeout()).plus(storm == null ? Duration.ZERO : storm.over());
                int sent = 0;
                Instant firstSent = null;
                Instant lastSeen = start;
                Instant detected = null;
                Instant decided = null;
                Instant acted = null;
                List<AlertEvent> firing = new ArrayList<>();
                while (clock.instant().isBefore(deadline)) {
                    // Handed over without waiting for each ack (flushed below), so the storm keeps its pace.
                    while (sent < total && clock.instant().isBefore(deadline)
                            && !clock.instant().isBefore(dueAt(storm, start, sent))) {
                        AlertEvent alert = alert(storm, sent, clock.instant());
                        try {
                            writer.alertNoWait(alert);
                        } catch (RuntimeException e) {
                            step("could not send alert {} of {}: {}", sent + 1, total, e.getMessage());
                            resolve(firing);
                            return dryReport(null, tracker, sent, storm, new Verdict(false, "could not send the synthetic"
                                    + " alert: " + e.getMessage()));
                        }
                        firing.add(alert);
                        firstSent = firstSent == null ? alert.receivedAt() : firstSent;
                        sent++;
                        if (sent == total) {
                            step("sent {} {}", total, total == 1 ? "alert: " + alert.name() + " on "
                                    + alert.resource().key() : "alerts");
                            String unacked = flush();
                            if (unacked != null) {
                                resolve(firing);
                                return dryReport(firstSent, tracker, sent, storm, new Verdict(false, unacked));
                            }
                        }
                    }
                    for (Object record : feed.poll(POLL)) {
                        if (tracker.accept(record)) {
                            lastSeen = clock.instant();
                        }
                    }
                    if (detected == null && tracker.detectedAt() != null) {
                        detected = tracker.detectedAt();
                        step("detected: rehearsal incident {}", tracker.firstIncident());
                    }
                    if (decided == null && tracker.decidedAt() != null) {
                        decided = tracker.decidedAt();
                        step("decided: rules fired {}", tracker.rulesFired());
                    }
                    if (acted == null && tracker.actedAt() != null) {
                        acted = tracker.actedAt();
                        step("acted (dry run): {}", tracker.actions().get(0));
                    }
                    boolean expectationSettled = tracker.actedAt() != null || tracker.expectedActionOutcome() != null;
                    boolean guardrailSettled = drill.expect().guardrail() == null
                            || tracker.guardrailStopped(drill.expect().guardrail());
                    if (sent == total && expectationSettled && guardrailSettled && tracker.allActionsFinished()
                            && !clock.instant().isBefore(lastSeen.plus(SETTLE))) {
                        break;
                    }
                }
                String unacked = sent < total ? flush() : null;
                resolve(firing);
                if (sent < total) {
                    return dryReport(firstSent, tracker, sent, storm, new Verdict(false, "sent " + sent + " of " + total
                            + " alerts before the timeout; raise timeout or lower the rate"
                            + (unacked == null ? "" : "; " + unacked)));
                }
                return dryReport(firstSent, tracker, sent, storm, gradeDryRun(tracker, sent));
            }
        }

        /** Waits for the acks of the alerts sent; null when all came, else why not. */
        private String flush() {
            try {
                writer.flushAlerts();
                return null;
            } catch (RuntimeException e) {
                step("{}", e.getMessage());
                return e.getMessage();
            }
        }

        /**
         * Resolves the drill's synthetic alerts (same resource, name, fingerprint and drill id), so the
         * rules stage resolves the rehearsal incidents they opened instead of keeping them open for good.
         */
        private void resolve(List<AlertEvent> firing) {
            if (firing.isEmpty()) {
                return;
            }
            try {
                for (AlertEvent alert : firing) {
                    writer.alertNoWait(resolved(alert, clock.instant()));
                }
                writer.flushAlerts();
                step("resolved the {} synthetic {}", firing.size(), firing.size() == 1 ? "alert" : "alerts");
            } catch (RuntimeException e) {
                // The verdict stands; the open rehearsal incidents are only clutter, but say so.
                step("could not resolve the synthetic alerts ({}); their rehearsal incidents stay open", e.getMessage());
            }
        }

        private Verdict gradeDryRun(DryRunTracker t, int sent) {
            String note = "; recovery is not measured and the SLO not graded in a dry run";
            Expectation expect = drill.expect();
            if (t.detectedAt() == null) {
                return new Verdict(false, "no rehearsal incident for drill " + id + " within " + Verdict.human(drill.timeout())
                        + " of " + sent + " synthetic alert(s) (no ALERT_RECEIVED with ref drillId); is Reflex's rules"
                        + " stage running, and does this version rehearse drill alerts?");
            }
            if (t.decidedAt() == null) {
                String fired = t.rulesFired().isEmpty() ? "no rule fired" : "rules that fired: "
                        + String.join(", ", t.rulesFired());
                return new Verdict(false, (expect.rule() != null ? "the expected rule \"" + expect.rule() + "\" did not fire"
                        : "no rule asked for the expected " + expect.describe()) + " for the rehearsal (" + fired
                        + "); is the rule deployed and does it match the alert?");
            }
            if (t.actedAt() == null) {
                String outcome = t.expectedActionOutcome();
                return new Verdict(false, "the expected " + expect.describe() + " would not run"
                        + (outcome != null ? " (" + outcome + ")" : ": no dry-run result for it") + "; actions: "
                        + (t.actions().isEmpty() ? "none" : String.join("; ", t.actions())));
            }
            if (expect.guardrail() != null && !t.guardrailStopped(expect.guardrail())) {
                return new Verdict(false, "guardrail " + expect.guardrail() + " held or refused none of the drill's "
                        + t.actions().size() + " actions" + (t.guardrails().isEmpty() ? "" : " (guardrail decisions: "
                        + String.join("; ", t.guardrails()) + ")"));
            }
            return new Verdict(true, "rehearsed: " + expect.describe() + " would run"
                    + (expect.guardrail() == null ? "" : " and guardrail " + expect.guardrail() + " held or refused some")
                    + note);
        }

        private DrillReport dryReport(Instant firstSent, DryRunTracker t, int sent, Fault.AlertStorm storm,
                Verdict verdict) {
            step("{}: {}", verdict.passed() ? "PASSED" : "FAILED", verdict.reason());
            Phases phases = new Phases(t.firstIncident(), t.detectedAt(), t.decidedAt(), t.actedAt(), t.rulesFired(),
                    t.actions(), null);
            return report(firstSent, phases, null, verdict, false, null, null, t.guardrails(),
                    storm == null ? null : t.counts(sent));
        }

        /** The RESOLVED counterpart of a synthetic alert. */
        private static AlertEvent resolved(AlertEvent alert, Instant now) {
            return new AlertEvent(AlertEvent.idFor(alert.source(), alert.fingerprint(), now, AlertStatus.RESOLVED),
                    alert.source(), alert.name(), AlertStatus.RESOLVED, alert.severity(), alert.resource(), alert.labels(),
                    alert.annotations(), alert.startsAt(), now, now, alert.fingerprint(), alert.drillId());
        }

        /** When alert {@code i} is due: a storm spreads its alerts evenly over its duration. */
        private Instant dueAt(Fault.AlertStorm storm, Instant start, int i) {
            return storm == null ? start : start.plus(storm.over().multipliedBy(i).dividedBy(storm.alerts()));
        }

        private AlertEvent alert(Fault.AlertStorm storm, int i, Instant now) {
            String name;
            String key;
            Map<String, String> labels;
            String severity;
            String namespace = null;
            if (storm != null) {
                name = storm.alertName();
                key = storm.resourceKey(i);
                labels = storm.labels(i);
                severity = storm.severity();
            } else {
                SyntheticAlert alert = drill.alert();
                name = alert.name();
                key = drill.fault().resourceKey();
                labels = alert.labels();
                severity = alert.severity();
                if (drill.fault() instanceof Fault.ScaleToZero s) {
                    namespace = s.namespace();
                }
            }
            int colon = key.indexOf(':');
            Resource resource = new Resource(key.substring(0, colon), key.substring(colon + 1), namespace, null);
            String fingerprint = Ids.stable("fp", id, name, key);
            return new AlertEvent(AlertEvent.idFor("drill", fingerprint, now, AlertStatus.FIRING), "drill", name,
                    AlertStatus.FIRING, severity, resource, labels, Map.of("summary", "synthetic alert of drill " + id),
                    now, null, now, fingerprint, id);
        }
    }
}
