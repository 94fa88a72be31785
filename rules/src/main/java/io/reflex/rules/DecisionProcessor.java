package io.reflex.rules;

import io.reflex.model.Action;
import io.reflex.model.ActionMode;
import io.reflex.model.ActionResult;
import io.reflex.model.ActionType;
import io.reflex.model.AlertEvent;
import io.reflex.model.Incident;
import io.reflex.model.IncidentStatus;
import io.reflex.model.Ids;
import io.reflex.model.RuleRef;
import io.reflex.model.RulesetVersion;
import io.reflex.model.Target;
import io.reflex.model.TimelineEntry;
import io.reflex.model.TimelineKind;
import io.reflex.rules.lifecycle.Rulesets;
import io.reflex.rules.lifecycle.RulesetsUpdater;
import io.reflex.rules.vocabulary.ActionOutcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.kie.api.runtime.rule.FactHandle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what to do about each alert of one stream task: drops redeliveries, opens, joins
 * and resolves incidents, lets the rules fire and turns their requests into actions.
 *
 * <p>It also reads the results of the actions on {@code reflex.results} (keyed, like the alerts,
 * by the incident's resource key, so they reach the task holding the incident): a terminal one
 * goes into the session as an {@link ActionOutcome}, so rules can react to what an action did.
 *
 * <p>Everything it emits for one record, and its store writes, commit together with the
 * record's offset (exactly_once_v2), so an alert is decided once across crashes.
 *
 * <p>Before each record and on each tick it looks whether another ruleset version became
 * active; if so it swaps to it between two records (a new session with the stored facts
 * re-inserted), so each alert is decided by exactly one version, which its actions record.
 * A version running in shadow beside the active one gets a session of its own, fed the same
 * alerts and outcomes; its actions are recorded with mode SHADOW and change no incident.
 *
 * <p>Verification is built in rather than left to rules, so no ruleset can forget it: an
 * executed action that succeeded must see its incident recover (the alert resolve) within
 * {@link RulesConfig#verifyWithin()}. In time, the timeline says VERIFIED; too late, the
 * incident is ESCALATED to a person. What is being watched is in a logged store, checked on
 * each record and each tick, so a restart keeps watching.
 *
 * <p>An alert with a {@code drillId} is a rehearsal: it opens or joins an incident of that drill
 * only (its key and id name the drill, it lives in the same stores so a restart keeps it), its
 * facts go to a lane of that drill running the active version, never to the active or shadow
 * session, and its actions are DRY_RUN with the label {@code drillId}; nothing verifies them.
 */
final class DecisionProcessor implements Processor<String, Object, String, Object> {
    private static final Logger LOG = LoggerFactory.getLogger(DecisionProcessor.class);

    /** How often the pseudo clock catches up with the wall clock, so time-based rules fire without alerts. */
    static final Duration TICK = Duration.ofSeconds(1);
    /** ALERT_RECEIVED refs carry each label of the alert as {@code label.<name>}. */
    static final String LABEL_REF_PREFIX = "label.";
    /** How often seen alert ids older than the retention are purged. */
    static final Duration PURGE_INTERVAL = Duration.ofMinutes(1);
    /** Drill lanes a task keeps at most: a further drill closes the one used least recently. */
    static final int MAX_DRILL_LANES = 8;
    /** A drill lane without a record for this long is closed (its drill is over, or stalled). */
    static final Duration DRILL_LANE_IDLE = Duration.ofMinutes(10);
    /** The label (on actions) and the ref (on timeline entries) naming the drill that caused them. */
    static final String DRILL_ID = "drillId";
    /** Marks the incident key of a drill's incident: {@code <resource>|<alert name>|drill=<drill id>}. */
    static final String DRILL_KEY_MARK = "|drill=";

    /**
     * A session and the version it decides with.
     *
     * @param beside  whether it runs beside the active session (a shadow, or a drill's lane): its
     *                throttles are its own and are not stored
     * @param drillId the drill whose rehearsal it decides, or null for the active and shadow lanes
     */
    private record Lane(Ruleset ruleset, RuleSession session, boolean beside, String drillId) {
        /** Whether its actions are only recorded: a shadow beside the active one, or a shadow-flagged active version. */
        boolean shadowMode() {
            return drillId == null && (beside || ruleset.shadow());
        }

        boolean drill() {
            return drillId != null;
        }

        ActionMode mode() {
            return drill() ? ActionMode.DRY_RUN : shadowMode() ? ActionMode.SHADOW : ActionMode.EXECUTE;
        }

        String describe() {
            return (drill() ? "drill " + drillId + " " : shadowMode() ? "shadow " : "") + "ruleset v"
                    + ruleset.version();
        }
    }

    private final Rulesets rulesets;
    private final RulesConfig config;
    private final Clock clock;
    private final RulesMetrics metrics;

    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, Long> seen;
    private KeyValueStore<String, Incident> open;
    private KeyValueStore<String, SessionFact> facts;
    private KeyValueStore<String, Verification> verifications;
    /**
     * The stored verifications whose action succeeded, by store key: the few with a deadline, so
     * the check on every record does not scan the store (which also holds every action still
     * waiting for its result).
     */
    private final Map<String, Verification> watching = new HashMap<>();
    /** The global store of {@code reflex.rulesets}; null outside a topology with it (unit tests). */
    private KeyValueStore<String, RulesetVersion> versions;
    /** The active session's handle of each stored fact, to tell when it has left the session. */
    private final Map<String, FactHandle> handles = new HashMap<>();
    /** The active version's session: its actions are executed. */
    private Lane active;
    /** The session of the version running in shadow beside the active one, or null. */
    private Lane shadow;
    /** A version that did not compile here, so it is not tried again on every record. */
    private RulesetVersion refused;
    private RulesetVersion refusedShadow;
    /** The lane of each drill rehearsing here, least recently used first. */
    private final LinkedHashMap<String, Lane> drills = new LinkedHashMap<>(16, 0.75f, true);
    /** When each drill lane last got a record, to close it once idle. */
    private final Map<String, Instant> drillUsed = new HashMap<>();
    private final List<Cancellable> schedules = new ArrayList<>();

    /** A processor that decides with the ruleset alone (no versions shared with other tasks). */
    DecisionProcessor(Ruleset ruleset, RulesConfig config, Clock clock, RulesMetrics metrics) {
        this(new Rulesets(ruleset), config, clock, metrics);
    }

    DecisionProcessor(Rulesets rulesets, RulesConfig config, Clock clock, RulesMetrics metrics) {
        this.rulesets = rulesets;
        this.config = config;
        this.clock = clock;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.seen = context.getStateStore(DecisionTopology.SEEN_STORE);
        this.open = context.getStateStore(DecisionTopology.OPEN_INCIDENTS_STORE);
        this.facts = context.getStateStore(DecisionTopology.FACTS_STORE);
        this.verifications = context.getStateStore(DecisionTopology.VERIFICATIONS_STORE);
        try (KeyValueIterator<String, Verification> all = verifications.all()) {
            all.forEachRemaining(entry -> {
                if (entry.value.watching()) {
                    watching.put(entry.key, entry.value);
                }
            });
        }
        this.versions = context.getStateStore(DecisionTopology.RULESETS_STORE);
        // A restored global store does not pass its records through the updater: seed the active version here.
        RulesetVersion stored = versions == null ? null : versions.get(RulesetsUpdater.ACTIVE_KEY);
        if (stored != null) {
            rulesets.seedActive(stored);
        }
        Ruleset ruleset = rulesets.initial();
        RulesetVersion activeVersion = rulesets.active();
        if (activeVersion != null) {
            Ruleset deployed = compiledOrNull(activeVersion, ruleset.version());
            if (deployed != null) {
                ruleset = deployed;
            } else {
                refused = activeVersion;
            }
        }
        this.active = newLane(ruleset, false);
        int rebuilt = rebuild(active);
        rulesets.taskRuns(context.taskId().toString(), ruleset.version());
        swapShadowIfChanged();
        schedules.add(context.schedule(TICK, PunctuationType.WALL_CLOCK_TIME, this::tick));
        schedules.add(context.schedule(PURGE_INTERVAL, PunctuationType.WALL_CLOCK_TIME, at -> purge()));
        LOG.info("task {}: rules session ready with ruleset v{} from {}{}, {} stored facts re-inserted",
                context.taskId(), ruleset.version(), ruleset.origin(),
                shadow == null ? "" : ", v" + shadow.ruleset().version() + " in shadow beside it", rebuilt);
    }

    private Lane newLane(Ruleset ruleset, boolean beside) {
        RuleSession session = new RuleSession(ruleset.base());
        if (!beside) {
            session.trackInsertedThrottles();
        }
        return new Lane(ruleset, session, beside, null);
    }

    /**
     * The lane of a drill, opened with the active version on its first alert. At most
     * {@link #MAX_DRILL_LANES} are open: a further one closes the one used least recently.
     */
    private Lane drillLane(String drillId) {
        Lane lane = drills.get(drillId);
        if (lane == null) {
            if (drills.size() >= MAX_DRILL_LANES) {
                Iterator<Map.Entry<String, Lane>> eldest = drills.entrySet().iterator();
                Map.Entry<String, Lane> evicted = eldest.next();
                eldest.remove();
                closeDrillLane(evicted.getKey(), evicted.getValue(), MAX_DRILL_LANES
                        + " drill lanes are open at most per task and it was used least recently");
            }
            lane = new Lane(active.ruleset(), new RuleSession(active.ruleset().base()), true, drillId);
            drills.put(drillId, lane);
            LOG.info("task {}: drill {} rehearses in a lane of its own with ruleset v{} ({} drill lanes open)",
                    context.taskId(), drillId, active.ruleset().version(), drills.size());
        }
        drillUsed.put(drillId, clock.instant());
        return lane;
    }

    private void closeDrillLane(String drillId, Lane lane, String why) {
        drillUsed.remove(drillId);
        lane.session().close();
        LOG.info("task {}: drill {}: lane closed ({}); its rehearsal facts are gone, its incidents stay open."
                + " A later alert of the drill opens a new lane.", context.taskId(), drillId, why);
    }

    /** Closes the drill lanes that got no record for {@link #DRILL_LANE_IDLE}. */
    private void closeIdleDrillLanes() {
        Instant cutoff = clock.instant().minus(DRILL_LANE_IDLE);
        List<String> idle = drillUsed.entrySet().stream()
                .filter(entry -> entry.getValue().isBefore(cutoff))
                .map(Map.Entry::getKey)
                .toList();
        for (String drillId : idle) {
            Lane lane = drills.remove(drillId);
            if (lane != null) {
                closeDrillLane(drillId, lane, "idle for " + DRILL_LANE_IDLE.toMinutes() + " minutes");
            } else {
                drillUsed.remove(drillId);
            }
        }
    }

    /** Closes every drill lane: they rehearse with the active version, which changed. */
    private void closeDrillLanes(String why) {
        List<Map.Entry<String, Lane>> all = new ArrayList<>(drills.entrySet());
        drills.clear();
        all.forEach(entry -> closeDrillLane(entry.getKey(), entry.getValue(), why));
    }

    /**
     * Re-inserts the stored facts in the order and at the session times they first came, so
     * windows, counts and throttles are as they were. What the rules decide meanwhile was
     * decided before the restart and is dropped: only records processed from now on lead to
     * actions. A shadow session gets the alerts and outcomes only: the throttles stored are the
     * active session's.
     */
    private int rebuild(Lane lane) {
        if (!lane.beside()) {
            handles.clear();
        }
        List<KeyValue<String, SessionFact>> stored = new ArrayList<>();
        try (KeyValueIterator<String, SessionFact> all = facts.all()) {
            all.forEachRemaining(stored::add);
        }
        stored.sort(Comparator.comparing((KeyValue<String, SessionFact> entry) -> entry.value,
                SessionFact.REPLAY_ORDER));
        int inserted = 0;
        for (KeyValue<String, SessionFact> entry : stored) {
            SessionFact fact = entry.value;
            if (lane.beside() && fact.throttle() != null) {
                continue;
            }
            lane.session().advanceTo(fact.insertedAt());
            FactHandle handle = insert(lane.session(), fact);
            if (!lane.beside()) {
                handles.put(entry.key, handle);
            }
            fire(lane);
            inserted++;
        }
        return inserted;
    }

    private static FactHandle insert(RuleSession session, SessionFact fact) {
        if (fact.alert() != null) {
            return session.insert(fact.alert());
        }
        if (fact.outcome() != null) {
            return session.insert(fact.outcome());
        }
        return session.insert(fact.throttle());
    }

    @Override
    public void process(Record<String, Object> record) {
        swapIfChanged();
        checkVerifications(record.timestamp());
        Object value = record.value();
        if (value instanceof AlertEvent alert) {
            processAlert(alert, record.timestamp());
        } else if (value instanceof ActionResult result) {
            processResult(result, record.timestamp());
        } else {
            LOG.debug("skipping a record without value (key {})", record.key());
        }
    }

    private void processAlert(AlertEvent alert, long timestamp) {
        if (seen.get(alert.id()) != null) {
            metrics.duplicate();
            LOG.debug("alert {} ({} {} on {}) was decided already; dropped", alert.id(), alert.name(),
                    alert.status(), alert.resource().key());
            return;
        }
        seen.put(alert.id(), clock.millis());
        if (alert.drillId() != null) {
            processDrillAlert(alert, timestamp);
            return;
        }
        metrics.decided();
        advanceTo(timestamp);

        String key = correlationKey(alert);
        Incident incident = open.get(key);
        if (alert.firing()) {
            if (incident == null) {
                incident = opened(alert);
                open.put(key, incident);
                forward(DecisionTopology.INCIDENTS_SINK, incident.id(), incident, timestamp);
                LOG.info("incident {} opened: {}", incident.id(), incident.title());
            } else {
                LOG.info("incident {}: alert {} joins it", incident.id(), alert.id());
            }
            forward(DecisionTopology.TIMELINE_SINK, incident.id(), received(incident, alert), timestamp);
        } else if (incident != null) {
            forward(DecisionTopology.TIMELINE_SINK, incident.id(), received(incident, alert), timestamp);
        } else {
            LOG.debug("alert {} resolved {} on {}, which has no open incident; nothing to resolve", alert.id(),
                    alert.name(), alert.resource().key());
        }

        handles.put(alert.id(), active.session().insert(alert));
        facts.put(alert.id(), new SessionFact(active.session().now(), alert));
        if (shadow != null) {
            shadow.session().insert(alert);
        }
        fireAndDecide(timestamp, alert);

        // Resolved after the rules fired, so a rule reacting to the resolution still finds the incident.
        if (!alert.firing()) {
            Incident current = open.get(key);
            if (current != null) {
                resolve(key, current, alert, timestamp);
            }
        }
    }

    /**
     * A rehearsal: the alert opens, joins or resolves its drill's incident (in the same store as
     * real ones, so a restart keeps it), and goes to its drill's lane only.
     */
    private void processDrillAlert(AlertEvent alert, long timestamp) {
        metrics.drillAlert();
        String key = correlationKey(alert);
        Incident incident = open.get(key);
        if (alert.firing()) {
            if (incident == null) {
                incident = opened(alert);
                open.put(key, incident);
                forward(DecisionTopology.INCIDENTS_SINK, incident.id(), incident, timestamp);
                LOG.info("drill {}: rehearsal incident {} opened: {}", alert.drillId(), incident.id(),
                        incident.title());
            } else {
                LOG.info("drill {}: incident {}: alert {} joins it", alert.drillId(), incident.id(), alert.id());
            }
            forward(DecisionTopology.TIMELINE_SINK, incident.id(), received(incident, alert), timestamp);
        } else if (incident != null) {
            forward(DecisionTopology.TIMELINE_SINK, incident.id(), received(incident, alert), timestamp);
        } else {
            LOG.debug("drill {}: alert {} resolved {} on {}, which has no open incident of the drill", alert.drillId(),
                    alert.id(), alert.name(), alert.resource().key());
        }

        // A drill's facts live in its lane only, not in the facts store: a restart loses a rehearsal's
        // half-filled windows (the drill can be run again), while its incidents, in the open store, are kept.
        Lane lane = drillLane(alert.drillId());
        lane.session().advanceTo(timestamp);
        lane.session().insert(alert);
        decide(lane, fire(lane), timestamp, alert);

        if (!alert.firing()) {
            Incident current = open.get(key);
            if (current != null) {
                resolve(key, current, alert, timestamp);
            }
        }
    }

    /**
     * A terminal result of an action of an open incident becomes an {@link ActionOutcome} in the
     * sessions; the steps before it (started, awaiting approval) tell the rules nothing yet.
     */
    private void processResult(ActionResult result, long timestamp) {
        if (!result.status().terminal()) {
            metrics.result("not_terminal");
            LOG.debug("action {} (incident {}) is {}; only its final result goes to the rules", result.actionId(),
                    result.incidentId(), result.status());
            return;
        }
        String seenKey = "result:" + result.actionId() + "/" + result.status();
        if (seen.get(seenKey) != null) {
            metrics.result("duplicate");
            LOG.debug("result {} of action {} was read already; dropped", result.status(), result.actionId());
            return;
        }
        seen.put(seenKey, clock.millis());
        KeyValue<String, Incident> found = openIncident(result.incidentId());
        Incident incident = found == null ? null : found.value;
        if (incident != null && found.key.contains(DRILL_KEY_MARK)) {
            drillResult(result, found.key, incident, timestamp);
            return;
        }
        if (incident == null) {
            metrics.result("no_incident");
            LOG.debug("action {} ended {}, but its incident {} is no longer open here; the rules are not told",
                    result.actionId(), result.status(), result.incidentId());
            return;
        }
        metrics.result("fact");
        watchRecovery(result, incident);
        advanceTo(timestamp);
        ActionOutcome outcome = ActionOutcome.of(result, incident.resource(), incident.alertName());
        String key = SessionFact.outcomeKey(outcome);
        handles.put(key, active.session().insert(outcome));
        facts.put(key, new SessionFact(active.session().now(), outcome));
        if (shadow != null) {
            shadow.session().insert(outcome);
        }
        LOG.info("incident {}: action {} ({}) ended {}; told the rules", incident.id(), result.actionId(),
                result.type() == null ? "type unknown" : result.type().wireName(), result.status());
        fireAndDecide(timestamp, null);
    }

    /** A result of a drill's (dry-run) action goes to that drill's lane only, and nothing verifies it. */
    private void drillResult(ActionResult result, String incidentKey, Incident incident, long timestamp) {
        String drillId = incidentKey.substring(incidentKey.indexOf(DRILL_KEY_MARK) + DRILL_KEY_MARK.length());
        Lane lane = drills.get(drillId);
        if (lane == null) {
            metrics.result("drill_no_lane");
            LOG.debug("drill {}: action {} ended {}, but the drill's lane is closed; its rules are not told",
                    drillId, result.actionId(), result.status());
            return;
        }
        metrics.result("drill_fact");
        drillUsed.put(drillId, clock.instant());
        lane.session().advanceTo(timestamp);
        lane.session().insert(ActionOutcome.of(result, incident.resource(), incident.alertName()));
        LOG.info("drill {}: incident {}: action {} ended {}; told the drill's rules", drillId, incident.id(),
                result.actionId(), result.status());
        decide(lane, fire(lane), timestamp, null);
    }

    /**
     * An executed action of the incident ended: if it succeeded, the incident has
     * {@code verifyWithin} from its end to recover; if not, there is nothing to verify (what to do
     * about a failure is the rules' business, told by the outcome).
     */
    private void watchRecovery(ActionResult result, Incident incident) {
        String key = Verification.key(incident.id(), result.actionId());
        Verification waiting = verifications.get(key);
        if (waiting == null || waiting.watching()) {
            return;
        }
        if (!result.succeeded()) {
            verifications.delete(key);
            return;
        }
        Instant succeededAt = result.finishedAt() != null ? result.finishedAt() : clock.instant();
        Verification succeeded = waiting.succeeded(succeededAt, config.verifyWithin());
        verifications.put(key, succeeded);
        watching.put(key, succeeded);
        LOG.info("incident {}: action {} ({}) succeeded; it must recover by {}", incident.id(), result.actionId(),
                succeeded.what(), succeeded.deadline());
    }

    /**
     * Escalates each incident still not recovered at the deadline of an action that succeeded.
     * An incident escalated already (by a rule, or by another of its actions) is not escalated
     * twice; one resolved meanwhile was verified when it resolved.
     */
    private void checkVerifications(long timestamp) {
        Instant now = clock.instant();
        List<Verification> overdue = watching.values().stream().filter(v -> v.overdue(now)).toList();
        for (Verification verification : overdue) {
            forget(verification.key());
            Incident incident = open.get(verification.incidentKey());
            if (incident == null || !incident.id().equals(verification.incidentId())) {
                continue;
            }
            if (incident.status() == IncidentStatus.ESCALATED) {
                metrics.verification("already_escalated");
                LOG.info("incident {}: not recovered {} after {} succeeded; escalated already", incident.id(),
                        Verification.human(config.verifyWithin()), verification.what());
                continue;
            }
            metrics.verification("escalated");
            Incident escalated = incident.withStatus(IncidentStatus.ESCALATED, now);
            open.put(verification.incidentKey(), escalated);
            forward(DecisionTopology.INCIDENTS_SINK, escalated.id(), escalated, timestamp);
            String summary = "not recovered " + Verification.human(config.verifyWithin()) + " after "
                    + verification.what() + " succeeded; a person must look";
            forward(DecisionTopology.TIMELINE_SINK, escalated.id(), new TimelineEntry(escalated.id(), now,
                    TimelineKind.ESCALATED, summary,
                    Map.of("actionId", verification.actionId(), "rule", verification.rule())), timestamp);
            LOG.warn("incident {}: {} -> ESCALATED: {} (action {})", incident.id(), incident.status(), summary,
                    verification.actionId());
        }
    }

    /**
     * The incident resolved: each of its actions that succeeded and is still watched is verified
     * (once: it leaves the store); those whose result has not come are no longer watched.
     */
    private void verifyRecovery(Incident incident, AlertEvent alert, long timestamp) {
        List<Verification> watched = new ArrayList<>();
        try (KeyValueIterator<String, Verification> all = verifications.prefixScan(
                Verification.prefix(incident.id()), new StringSerializer())) {
            all.forEachRemaining(entry -> watched.add(entry.value));
        }
        for (Verification verification : watched) {
            forget(verification.key());
            if (!verification.watching()) {
                continue;
            }
            metrics.verification("verified");
            String summary = "recovered " + Verification.human(Duration.between(verification.succeededAt(),
                    alert.receivedAt())) + " after " + verification.what() + " succeeded";
            forward(DecisionTopology.TIMELINE_SINK, incident.id(), new TimelineEntry(incident.id(),
                    alert.receivedAt(), TimelineKind.VERIFIED, summary,
                    Map.of("actionId", verification.actionId(), "rule", verification.rule(), "alertId", alert.id())),
                    timestamp);
            LOG.info("incident {}: {} (action {})", incident.id(), summary, verification.actionId());
        }
    }

    private void forget(String key) {
        verifications.delete(key);
        watching.remove(key);
    }

    /** The open incident with this id and its key: a scan of the task's open incidents, which are few. */
    private KeyValue<String, Incident> openIncident(String incidentId) {
        try (KeyValueIterator<String, Incident> all = open.all()) {
            while (all.hasNext()) {
                KeyValue<String, Incident> entry = all.next();
                if (entry.value.id().equals(incidentId)) {
                    return entry;
                }
            }
        }
        return null;
    }

    private void advanceTo(long epochMillis) {
        active.session().advanceTo(epochMillis);
        if (shadow != null) {
            shadow.session().advanceTo(epochMillis);
        }
    }

    /** Fires the active session, then the shadow one, and turns what they asked for into actions. */
    private void fireAndDecide(long timestamp, AlertEvent current) {
        decide(active, fire(active), timestamp, current);
        if (shadow != null) {
            decide(shadow, fire(shadow), timestamp, current);
        }
    }

    /** Fires a session; the throttles the active one's rules inserted go to the store, to survive a restart. */
    private RuleSession.Outcome fire(Lane lane) {
        RuleSession.Outcome outcome = lane.session().fire();
        if (!lane.beside()) {
            lane.session().drainInsertedThrottles().forEach(this::keep);
        }
        return outcome;
    }

    private void keep(RuleSession.InsertedThrottle inserted) {
        long at = active.session().now();
        String base = SessionFact.throttleKey(inserted.throttle(), at);
        String key = base;
        for (int n = 1; facts.get(key) != null; n++) {
            key = base + "#" + n;
        }
        facts.put(key, new SessionFact(at, inserted.throttle()));
        handles.put(key, inserted.handle());
    }

    /** Moves the sessions to wall-clock time and fires what became due: absence and once-after rules. */
    private void tick(long punctuationTimestamp) {
        swapIfChanged();
        advanceTo(clock.millis());
        fireAndDecide(punctuationTimestamp, null);
        for (Lane lane : List.copyOf(drills.values())) {
            lane.session().advanceTo(clock.millis());
            decide(lane, fire(lane), punctuationTimestamp, null);
        }
        closeIdleDrillLanes();
        checkVerifications(punctuationTimestamp);
    }

    /** Swaps the active and shadow sessions to the versions that should run, between two records. */
    private void swapIfChanged() {
        swapActiveIfChanged();
        swapShadowIfChanged();
    }

    /** Swaps to the active version when it is not the one deciding: a new session, the stored facts re-inserted. */
    private void swapActiveIfChanged() {
        RulesetVersion wanted = rulesets.active();
        Ruleset current = active.ruleset();
        if (wanted == null || wanted.equals(refused)
                || (wanted.version() == current.version() && wanted.shadow() == current.shadow())) {
            return;
        }
        Ruleset next = compiledOrNull(wanted, current.version());
        if (next == null) {
            refused = wanted;
            return;
        }
        Lane old = active;
        active = newLane(next, false);
        old.session().close();
        int rebuilt = rebuild(active);
        if (!drills.isEmpty()) {
            closeDrillLanes("drills rehearse with the active version, and v" + next.version() + " is active now");
        }
        rulesets.taskRuns(context.taskId().toString(), next.version());
        LOG.info("task {}: swapped ruleset v{} -> v{}{} ({}), {} stored facts re-inserted", context.taskId(),
                current.version(), next.version(), next.shadow() ? " (shadow)" : "", next.origin(), rebuilt);
    }

    /**
     * Starts, swaps or stops the shadow session as {@code reflex.rulesets} says. A shadow of the
     * version that is active already would only repeat its decisions: it is not run.
     */
    private void swapShadowIfChanged() {
        RulesetVersion wanted = shadowVersion();
        if (wanted != null && wanted.version() == active.ruleset().version()) {
            wanted = null;
        }
        if (wanted == null) {
            if (shadow != null) {
                LOG.info("task {}: shadow ruleset v{} stopped", context.taskId(), shadow.ruleset().version());
                shadow.session().close();
                shadow = null;
            }
            return;
        }
        if ((shadow != null && shadow.ruleset().version() == wanted.version()) || wanted.equals(refusedShadow)) {
            return;
        }
        Ruleset next = compiledOrNull(wanted, active.ruleset().version());
        if (next == null) {
            refusedShadow = wanted;
            return;
        }
        if (shadow != null) {
            shadow.session().close();
        }
        shadow = newLane(next, true);
        int rebuilt = rebuild(shadow);
        LOG.info("task {}: ruleset v{} ({}) runs in shadow beside v{}, {} stored facts re-inserted",
                context.taskId(), next.version(), next.origin(), active.ruleset().version(), rebuilt);
    }

    /**
     * The version in shadow: as the updater last told, or as the global store holds it when the
     * store was restored rather than read (a restore does not pass through the updater).
     */
    private RulesetVersion shadowVersion() {
        RulesetVersion told = rulesets.shadow();
        if (told != null || versions == null) {
            return told;
        }
        return versions.get(RulesetsUpdater.SHADOW_KEY);
    }

    private Ruleset compiledOrNull(RulesetVersion version, long deciding) {
        try {
            return rulesets.compiled(version);
        } catch (RuleCompilationException e) {
            LOG.error("task {}: ruleset v{} by {} does not compile here, so v{} keeps deciding{}. Deploy a fixed"
                    + " version or roll back.", context.taskId(), version.version(), version.author(), deciding,
                    version.shadow() ? " and it does not run in shadow" : "", e);
            return null;
        }
    }

    /**
     * @param current the alert being processed, if any: a failed condition is blamed on it,
     *                as Drools does not say which fact it was evaluating
     */
    private void decide(Lane lane, RuleSession.Outcome outcome, long timestamp, AlertEvent current) {
        Map<String, Integer> steps = new HashMap<>();
        long version = lane.ruleset().version();
        boolean shadowMode = lane.shadowMode();
        boolean drill = lane.drill();
        for (ActionRequest request : outcome.requests()) {
            String key = correlationKey(request.trigger());
            Incident incident = open.get(key);
            if (incident == null) {
                LOG.warn("{} rule \"{}\" asked to {} {}:{} for alert {} ({} on {}), which belongs to no open"
                                + " incident; no action taken. Let the rule act on firing alerts only.",
                        lane.describe(), request.rule(), request.type().wireName(), request.targetKind(),
                        request.targetName(), request.trigger().id(), request.trigger().name(),
                        request.trigger().resource().key());
                continue;
            }
            // The n-th request of this rule for this alert: a replay asks in the same order, so gets the same id.
            // A shadow decision has ids of its own, so it never takes the id of the active version's action.
            int step = steps.merge(request.rule() + '\u001f' + request.trigger().id(), 1, Integer::sum) - 1;
            String stepId = (shadowMode ? "shadow-v" + version + "/" : "") + request.trigger().id() + "#" + step;
            Instant now = clock.instant();
            Map<String, String> labels = request.trigger().labels();
            if (drill) {
                labels = new LinkedHashMap<>(labels);
                labels.put(DRILL_ID, lane.drillId());
            }
            Action action = new Action(
                    Action.idFor(incident.id(), request.rule(), stepId),
                    incident.id(),
                    new RuleRef(request.rule(), version),
                    request.type(),
                    new Target(config.connectorFor(request.type()), request.targetKind(), request.targetName()),
                    request.params(),
                    lane.mode(),
                    request.requiresApproval(),
                    now,
                    now.plus(config.actionTimeout()),
                    incident.resource().key(),
                    labels);
            forward(DecisionTopology.ACTIONS_SINK, action.target().key(), action, timestamp);
            forward(DecisionTopology.TIMELINE_SINK, incident.id(), ruleFired(action, request), timestamp);
            if (shadowMode) {
                // Only recorded: nothing remediates or escalates the incident.
                metrics.shadowAction(action.type());
                LOG.info("incident {}: shadow rule \"{}\" v{} would {} {} (action {}, not executed)", incident.id(),
                        request.rule(), version, action.type().wireName(), action.target().key(), action.id());
                continue;
            }
            if (drill) {
                metrics.drillAction(action.type());
                LOG.info("drill {}: incident {}: rule \"{}\" v{} decided dry-run action {}: {} {}", lane.drillId(),
                        incident.id(), request.rule(), version, action.id(), action.type().wireName(),
                        action.target().key());
            } else {
                metrics.action(action.type());
                LOG.info("incident {}: rule \"{}\" decided action {}: {} {}", incident.id(), request.rule(),
                        action.id(), action.type().wireName(), action.target().key());
            }
            // A rehearsal is never verified: a dry run changes nothing that could recover.
            if (!drill && config.verifies() && Verification.verifies(action.type())) {
                Verification waiting = Verification.awaitingResult(action, key);
                // Ids are deterministic: an action decided again (a replay) keeps what is watched of it.
                if (verifications.get(waiting.key()) == null) {
                    verifications.put(waiting.key(), waiting);
                }
            }
            if (action.type() == ActionType.ESCALATE && incident.status() != IncidentStatus.ESCALATED) {
                escalate(key, incident, action, timestamp);
            } else if (incident.status() == IncidentStatus.OPEN) {
                Incident remediating = incident.withStatus(IncidentStatus.REMEDIATING, now);
                open.put(key, remediating);
                forward(DecisionTopology.INCIDENTS_SINK, remediating.id(), remediating, timestamp);
                LOG.info("incident {}: OPEN -> REMEDIATING", incident.id());
            }
        }
        for (RuleSession.Failure failure : outcome.failures()) {
            if (!shadowMode && !drill) {
                metrics.ruleFailed(failure.rule());
            }
            AlertEvent trigger = failure.trigger() != null ? failure.trigger() : current;
            Incident incident = trigger == null ? null : open.get(correlationKey(trigger));
            LOG.warn("{} rule \"{}\" (v{}) failed on alert {} (incident {}); no action taken. Fix the rule and"
                            + " deploy it again.", drill ? "drill " + lane.drillId() : shadowMode ? "shadow" : "active",
                    failure.rule(), version,
                    trigger == null ? "unknown" : trigger.id(), incident == null ? "none" : incident.id(),
                    failure.error());
            if (incident != null) {
                forward(DecisionTopology.TIMELINE_SINK, incident.id(),
                        ruleFailed(lane, incident, failure, trigger), timestamp);
            }
        }
    }

    /**
     * A rule handed the incident to a human: it is ESCALATED (it still resolves when its alert
     * does), and the timeline says why.
     */
    private void escalate(String key, Incident incident, Action action, long timestamp) {
        Incident escalated = incident.withStatus(IncidentStatus.ESCALATED, action.createdAt());
        open.put(key, escalated);
        forward(DecisionTopology.INCIDENTS_SINK, escalated.id(), escalated, timestamp);
        String reason = action.params().getOrDefault("reason", "no reason given");
        Map<String, String> refs = new LinkedHashMap<>();
        refs.put("rule", action.rule().name());
        refs.put("actionId", action.id());
        if (action.label(DRILL_ID) != null) {
            refs.put(DRILL_ID, action.label(DRILL_ID));
        }
        forward(DecisionTopology.TIMELINE_SINK, escalated.id(), new TimelineEntry(escalated.id(), action.createdAt(),
                TimelineKind.ESCALATED, "escalated by rule \"" + action.rule().name() + "\" v"
                + action.rule().version() + ": " + reason, refs), timestamp);
        LOG.info("incident {}: {} -> ESCALATED ({})", incident.id(), incident.status(), reason);
    }

    private void resolve(String key, Incident incident, AlertEvent alert, long timestamp) {
        Incident resolved = incident.withStatus(IncidentStatus.RESOLVED, alert.receivedAt());
        open.delete(key);
        Map<String, String> refs = new LinkedHashMap<>();
        refs.put("alertId", alert.id());
        if (alert.drillId() != null) {
            refs.put(DRILL_ID, alert.drillId());
        } else {
            verifyRecovery(incident, alert, timestamp);
        }
        forward(DecisionTopology.INCIDENTS_SINK, resolved.id(), resolved, timestamp);
        forward(DecisionTopology.TIMELINE_SINK, resolved.id(), new TimelineEntry(resolved.id(), alert.receivedAt(),
                TimelineKind.RESOLVED, alert.name() + " resolved on " + alert.resource() + " (reported by "
                + alert.source() + ")", refs), timestamp);
        LOG.info("incident {}: {} -> RESOLVED", incident.id(), incident.status());
    }

    private void purge() {
        purgeSeen();
        purgeExpiredFacts();
        purgeVerifications();
    }

    /**
     * Forgets the actions whose incident is no longer open here (one that resolved took its own
     * along, but the store may hold some from before), and those whose result has not come within
     * the dedupe retention: no remediator holds an action that long, so it never will.
     */
    private void purgeVerifications() {
        Instant cutoff = clock.instant().minus(config.dedupeRetention());
        List<String> stale = new ArrayList<>();
        try (KeyValueIterator<String, Verification> all = verifications.all()) {
            all.forEachRemaining(entry -> {
                Verification verification = entry.value;
                Incident incident = open.get(verification.incidentKey());
                boolean orphan = incident == null || !incident.id().equals(verification.incidentId());
                boolean abandoned = !verification.watching() && verification.decidedAt().isBefore(cutoff);
                if (orphan || abandoned) {
                    stale.add(entry.key);
                }
            });
        }
        stale.forEach(this::forget);
        if (!stale.isEmpty()) {
            LOG.debug("task {}: stopped verifying {} actions whose incident closed or whose result never came",
                    context.taskId(), stale.size());
        }
    }

    /** Stored facts follow the session: an alert that expired there leaves the store. */
    private void purgeExpiredFacts() {
        List<String> expired = handles.entrySet().stream()
                .filter(entry -> !active.session().holds(entry.getValue()))
                .map(Map.Entry::getKey)
                .toList();
        for (String id : expired) {
            handles.remove(id);
            facts.delete(id);
        }
    }

    /** Forgets alert ids seen longer ago than the retention, so the store stays bounded. */
    private void purgeSeen() {
        long cutoff = clock.millis() - config.dedupeRetention().toMillis();
        List<String> expired = new ArrayList<>();
        try (KeyValueIterator<String, Long> all = seen.all()) {
            while (all.hasNext()) {
                KeyValue<String, Long> entry = all.next();
                if (entry.value < cutoff) {
                    expired.add(entry.key);
                }
            }
        }
        expired.forEach(seen::delete);
        if (!expired.isEmpty()) {
            LOG.debug("task {}: forgot {} alert ids older than {}", context.taskId(), expired.size(),
                    config.dedupeRetention());
        }
    }

    /*
     * openedAt is the alert's receivedAt rather than its startsAt: the incident cannot have
     * opened before Reflex heard of it, receivedAt comes from Reflex's own clock like every
     * other timeline time (startsAt comes from the sender's, and is hours old for an alert
     * that was pending or silenced), and it comes with the alert, so a replay opens the same
     * incident at the same time.
     */
    private static Incident opened(AlertEvent alert) {
        if (alert.drillId() != null) {
            // Ids of their own: a drill's incident never takes the id a real one could have.
            return new Incident(Ids.stable("inc", alert.resource().key(), alert.name(), alert.id(), DRILL_ID,
                    alert.drillId()), IncidentStatus.OPEN,
                    alert.name() + " on " + alert.resource() + " (drill " + alert.drillId() + ")", alert.resource(),
                    alert.name(), alert.receivedAt(), null, List.of(), List.of());
        }
        return new Incident(Incident.idFor(alert.resource(), alert.name(), alert.id()), IncidentStatus.OPEN,
                alert.name() + " on " + alert.resource(), alert.resource(), alert.name(), alert.receivedAt(), null,
                List.of(), List.of());
    }

    private static TimelineEntry received(Incident incident, AlertEvent alert) {
        String summary = alert.name() + " " + alert.status() + " from " + alert.source()
                + (alert.severity() == null ? "" : " (severity " + alert.severity() + ")");
        Map<String, String> refs = new LinkedHashMap<>();
        refs.put("alertId", alert.id());
        refs.put("source", alert.source());
        refs.put("fingerprint", alert.fingerprint());
        if (alert.drillId() != null) {
            refs.put("drillId", alert.drillId());
        }
        // The sender's start, so the console can tell the time to detect (startsAt to receivedAt),
        // and the labels, so it can show them and ask why no rule acted without reading the alert topic.
        if (alert.startsAt() != null) {
            refs.put("startsAt", alert.startsAt().toString());
        }
        new TreeMap<>(alert.labels()).forEach((name, value) -> refs.put(LABEL_REF_PREFIX + name, value));
        return new TimelineEntry(incident.id(), alert.receivedAt(), TimelineKind.ALERT_RECEIVED, summary, refs);
    }

    /**
     * Says which rule fired, and on which facts: {@code matched} names them for people,
     * {@code matchedIds} lists the alerts' and actions' ids for links. Both are left out when
     * Drools told no fact.
     */
    private TimelineEntry ruleFired(Action action, ActionRequest request) {
        Map<String, String> refs = new LinkedHashMap<>();
        refs.put("rule", action.rule().name());
        refs.put("actionId", action.id());
        refs.put("alertId", request.trigger().id());
        if (action.mode() == ActionMode.SHADOW) {
            refs.put("mode", "shadow");
        }
        String drillId = action.label(DRILL_ID);
        if (drillId != null) {
            refs.put("mode", "dry_run");
            refs.put(DRILL_ID, drillId);
        }
        String matched = request.matchedSummary();
        if (!matched.isEmpty()) {
            refs.put("matched", matched);
        }
        String matchedIds = request.matchedIds();
        if (!matchedIds.isEmpty()) {
            refs.put("matchedIds", matchedIds);
        }
        if (action.mode() == ActionMode.SHADOW) {
            return new TimelineEntry(action.incidentId(), action.createdAt(), TimelineKind.RULE_FIRED,
                    "shadow rule \"" + action.rule().name() + "\" v" + action.rule().version() + " would "
                            + action.type().wireName() + " " + action.target().key() + " (not executed)", refs);
        }
        if (drillId != null) {
            return new TimelineEntry(action.incidentId(), action.createdAt(), TimelineKind.RULE_FIRED,
                    "drill " + drillId + ": rule \"" + action.rule().name() + "\" v" + action.rule().version()
                            + " fired: " + action.type().wireName() + " " + action.target().key() + " (dry run)",
                    refs);
        }
        return new TimelineEntry(action.incidentId(), action.createdAt(), TimelineKind.RULE_FIRED,
                "rule \"" + action.rule().name() + "\" v" + action.rule().version() + " fired: "
                        + action.type().wireName() + " " + action.target().key(), refs);
    }

    /*
     * A failed rule is RULE_FIRED, not ESCALATED: the rule did fire and nothing was escalated
     * to anyone. The incident stays as it was, and the summary says that no action was taken.
     */
    private TimelineEntry ruleFailed(Lane lane, Incident incident, RuleSession.Failure failure, AlertEvent trigger) {
        Map<String, String> refs = new LinkedHashMap<>();
        refs.put("rule", failure.rule());
        refs.put("alertId", trigger.id());
        refs.put("outcome", "failed");
        if (lane.shadowMode()) {
            refs.put("mode", "shadow");
        }
        if (lane.drill()) {
            refs.put(DRILL_ID, lane.drillId());
        }
        return new TimelineEntry(incident.id(), clock.instant(), TimelineKind.RULE_FIRED,
                (lane.drill() ? "drill " + lane.drillId() + ": " : lane.shadowMode() ? "shadow " : "") + "rule \"" + failure.rule() + "\" v" + lane.ruleset().version()
                        + " failed: "
                        + failure.error().getClass().getSimpleName()
                        + (failure.error().getMessage() == null ? "" : ": " + failure.error().getMessage())
                        + "; no action taken",
                refs);
    }

    private void forward(String sink, String key, Object value, long timestamp) {
        context.forward(new Record<>(key, value, timestamp), sink);
    }

    /** The key of the incident an alert opens or joins; a drill's alerts key incidents of that drill only. */
    private static String correlationKey(AlertEvent alert) {
        String key = alert.resource().key() + "|" + alert.name();
        return alert.drillId() == null ? key : key + DRILL_KEY_MARK + alert.drillId();
    }

    @Override
    public void close() {
        schedules.forEach(Cancellable::cancel);
        if (context != null) {
            rulesets.taskClosed(context.taskId().toString());
        }
        if (active != null) {
            active.session().close();
        }
        if (shadow != null) {
            shadow.session().close();
        }
        drills.values().forEach(lane -> lane.session().close());
        drills.clear();
    }
}
