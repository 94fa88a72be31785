package io.reflex.rules;

import io.reflex.model.Action;
import io.reflex.model.ActionMode;
import io.reflex.model.AlertEvent;
import io.reflex.model.Incident;
import io.reflex.model.IncidentStatus;
import io.reflex.model.RuleRef;
import io.reflex.model.RulesetVersion;
import io.reflex.model.Target;
import io.reflex.model.TimelineEntry;
import io.reflex.model.TimelineKind;
import io.reflex.rules.lifecycle.Rulesets;
import io.reflex.rules.lifecycle.RulesetsUpdater;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * <p>Everything it emits for one alert, and its store writes, commit together with the
 * alert's offset (exactly_once_v2), so an alert is decided once across crashes.
 *
 * <p>Before each record and on each tick it looks whether another ruleset version became
 * active; if so it swaps to it between two records (a new session with the stored facts
 * re-inserted), so each alert is decided by exactly one version, which its actions record.
 */
final class DecisionProcessor implements Processor<String, AlertEvent, String, Object> {
    private static final Logger LOG = LoggerFactory.getLogger(DecisionProcessor.class);

    /** How often the pseudo clock catches up with the wall clock, so time-based rules fire without alerts. */
    static final Duration TICK = Duration.ofSeconds(1);
    /** How often seen alert ids older than the retention are purged. */
    static final Duration PURGE_INTERVAL = Duration.ofMinutes(1);

    private final Rulesets rulesets;
    private final RulesConfig config;
    private final Clock clock;
    private final RulesMetrics metrics;

    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, Long> seen;
    private KeyValueStore<String, Incident> open;
    private KeyValueStore<String, SessionFact> facts;
    /** The session's handle of each stored fact, to tell when it has expired. */
    private final Map<String, FactHandle> handles = new HashMap<>();
    private RuleSession session;
    /** The version deciding now. */
    private Ruleset ruleset;
    /** A version that did not compile here, so it is not tried again on every record. */
    private RulesetVersion refused;
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
        KeyValueStore<String, RulesetVersion> versions = context.getStateStore(DecisionTopology.RULESETS_STORE);
        // A restored global store does not pass its records through the updater: seed the active version here.
        // Null when the processor runs outside a topology with the global store (unit tests).
        RulesetVersion stored = versions == null ? null : versions.get(RulesetsUpdater.ACTIVE_KEY);
        if (stored != null) {
            rulesets.seedActive(stored);
        }
        this.ruleset = rulesets.initial();
        RulesetVersion active = rulesets.active();
        if (active != null) {
            Ruleset deployed = compiledOrNull(active);
            if (deployed != null) {
                this.ruleset = deployed;
            }
        }
        this.session = new RuleSession(ruleset.base());
        int rebuilt = rebuildSession();
        rulesets.taskRuns(context.taskId().toString(), ruleset.version());
        schedules.add(context.schedule(TICK, PunctuationType.WALL_CLOCK_TIME, this::tick));
        schedules.add(context.schedule(PURGE_INTERVAL, PunctuationType.WALL_CLOCK_TIME, at -> purge()));
        LOG.info("task {}: rules session ready with ruleset v{} from {}, {} stored alerts re-inserted",
                context.taskId(), ruleset.version(), ruleset.origin(), rebuilt);
    }

    /**
     * Re-inserts the stored facts in the order and at the session times they first came, so
     * windows and counts are as they were. What the rules decide meanwhile was decided before
     * the restart and is dropped: only alerts processed from now on lead to actions.
     */
    private int rebuildSession() {
        handles.clear();
        List<SessionFact> stored = new ArrayList<>();
        try (KeyValueIterator<String, SessionFact> all = facts.all()) {
            all.forEachRemaining(entry -> stored.add(entry.value));
        }
        stored.sort(Comparator.comparingLong(SessionFact::insertedAt)
                .thenComparing(fact -> fact.alert().receivedAt()));
        for (SessionFact fact : stored) {
            session.advanceTo(fact.insertedAt());
            handles.put(fact.alert().id(), session.insert(fact.alert()));
            session.fire();
        }
        return stored.size();
    }

    @Override
    public void process(Record<String, AlertEvent> record) {
        swapIfChanged();
        AlertEvent alert = record.value();
        if (alert == null) {
            LOG.debug("skipping a record without value (key {}) on the alerts topic", record.key());
            return;
        }
        if (seen.get(alert.id()) != null) {
            metrics.duplicate();
            LOG.debug("alert {} ({} {} on {}) was decided already; dropped", alert.id(), alert.name(),
                    alert.status(), alert.resource().key());
            return;
        }
        seen.put(alert.id(), clock.millis());
        metrics.decided();
        long timestamp = record.timestamp();
        session.advanceTo(timestamp);

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

        handles.put(alert.id(), session.insert(alert));
        facts.put(alert.id(), new SessionFact(session.now(), alert));
        decide(session.fire(), timestamp, alert);

        // Resolved after the rules fired, so a rule reacting to the resolution still finds the incident.
        if (!alert.firing()) {
            Incident current = open.get(key);
            if (current != null) {
                resolve(key, current, alert, timestamp);
            }
        }
    }

    /** Moves the session to wall-clock time and fires what became due: absence and once-after rules. */
    private void tick(long punctuationTimestamp) {
        swapIfChanged();
        session.advanceTo(clock.millis());
        decide(session.fire(), punctuationTimestamp, null);
    }

    /** Swaps to the active version when it is not the one deciding: a new session, the stored facts re-inserted. */
    private void swapIfChanged() {
        RulesetVersion active = rulesets.active();
        if (active == null || active.equals(refused)
                || (active.version() == ruleset.version() && active.shadow() == ruleset.shadow())) {
            return;
        }
        Ruleset next = compiledOrNull(active);
        if (next == null) {
            return;
        }
        long previous = ruleset.version();
        RuleSession old = session;
        ruleset = next;
        session = new RuleSession(next.base());
        old.close();
        int rebuilt = rebuildSession();
        rulesets.taskRuns(context.taskId().toString(), next.version());
        LOG.info("task {}: swapped ruleset v{} -> v{}{} ({}), {} stored alerts re-inserted", context.taskId(),
                previous, next.version(), next.shadow() ? " (shadow)" : "", next.origin(), rebuilt);
    }

    private Ruleset compiledOrNull(RulesetVersion version) {
        try {
            return rulesets.compiled(version);
        } catch (RuleCompilationException e) {
            refused = version;
            LOG.error("task {}: ruleset v{} by {} does not compile here, so v{} keeps deciding. Deploy a fixed"
                    + " version or roll back.", context.taskId(), version.version(), version.author(),
                    ruleset == null ? rulesets.initial().version() : ruleset.version(), e);
            return null;
        }
    }

    /**
     * @param current the alert being processed, if any: a failed condition is blamed on it,
     *                as Drools does not say which fact it was evaluating
     */
    private void decide(RuleSession.Outcome outcome, long timestamp, AlertEvent current) {
        Map<String, Integer> steps = new HashMap<>();
        for (ActionRequest request : outcome.requests()) {
            String key = correlationKey(request.trigger());
            Incident incident = open.get(key);
            if (incident == null) {
                LOG.warn("rule \"{}\" asked to {} {}:{} for alert {} ({} on {}), which belongs to no open incident;"
                                + " no action taken. Let the rule act on firing alerts only.", request.rule(),
                        request.type().wireName(), request.targetKind(), request.targetName(), request.trigger().id(),
                        request.trigger().name(), request.trigger().resource().key());
                continue;
            }
            // The n-th request of this rule for this alert: a replay asks in the same order, so gets the same id.
            int step = steps.merge(request.rule() + '\u001f' + request.trigger().id(), 1, Integer::sum) - 1;
            Instant now = clock.instant();
            Action action = new Action(
                    Action.idFor(incident.id(), request.rule(), request.trigger().id() + "#" + step),
                    incident.id(),
                    new RuleRef(request.rule(), ruleset.version()),
                    request.type(),
                    new Target(config.defaultConnector(), request.targetKind(), request.targetName()),
                    request.params(),
                    ruleset.shadow() ? ActionMode.SHADOW : ActionMode.EXECUTE,
                    request.requiresApproval(),
                    now,
                    now.plus(config.actionTimeout()),
                    incident.resource().key());
            forward(DecisionTopology.ACTIONS_SINK, action.target().key(), action, timestamp);
            forward(DecisionTopology.TIMELINE_SINK, incident.id(), ruleFired(action, request.trigger()), timestamp);
            metrics.action(action.type());
            LOG.info("incident {}: rule \"{}\" decided action {}: {} {}", incident.id(), request.rule(), action.id(),
                    action.type().wireName(), action.target().key());
            // A shadow action is only recorded: nothing remediates the incident.
            if (incident.status() == IncidentStatus.OPEN && !ruleset.shadow()) {
                Incident remediating = incident.withStatus(IncidentStatus.REMEDIATING, now);
                open.put(key, remediating);
                forward(DecisionTopology.INCIDENTS_SINK, remediating.id(), remediating, timestamp);
                LOG.info("incident {}: OPEN -> REMEDIATING", incident.id());
            }
        }
        for (RuleSession.Failure failure : outcome.failures()) {
            metrics.ruleFailed(failure.rule());
            AlertEvent trigger = failure.trigger() != null ? failure.trigger() : current;
            Incident incident = trigger == null ? null : open.get(correlationKey(trigger));
            LOG.warn("rule \"{}\" (ruleset v{}) failed on alert {} (incident {}); no action taken. Fix the rule and"
                            + " deploy it again.", failure.rule(), ruleset.version(),
                    trigger == null ? "unknown" : trigger.id(), incident == null ? "none" : incident.id(),
                    failure.error());
            if (incident != null) {
                forward(DecisionTopology.TIMELINE_SINK, incident.id(), ruleFailed(incident, failure, trigger),
                        timestamp);
            }
        }
    }

    private void resolve(String key, Incident incident, AlertEvent alert, long timestamp) {
        Incident resolved = incident.withStatus(IncidentStatus.RESOLVED, alert.receivedAt());
        open.delete(key);
        forward(DecisionTopology.INCIDENTS_SINK, resolved.id(), resolved, timestamp);
        forward(DecisionTopology.TIMELINE_SINK, resolved.id(), new TimelineEntry(resolved.id(), alert.receivedAt(),
                TimelineKind.RESOLVED, alert.name() + " resolved on " + alert.resource() + " (reported by "
                + alert.source() + ")", Map.of("alertId", alert.id())), timestamp);
        LOG.info("incident {}: {} -> RESOLVED", incident.id(), incident.status());
    }

    private void purge() {
        purgeSeen();
        purgeExpiredFacts();
    }

    /** Stored facts follow the session: an alert that expired there leaves the store. */
    private void purgeExpiredFacts() {
        List<String> expired = handles.entrySet().stream()
                .filter(entry -> !session.holds(entry.getValue()))
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
        return new TimelineEntry(incident.id(), alert.receivedAt(), TimelineKind.ALERT_RECEIVED, summary, refs);
    }

    private TimelineEntry ruleFired(Action action, AlertEvent trigger) {
        return new TimelineEntry(action.incidentId(), action.createdAt(), TimelineKind.RULE_FIRED,
                "rule \"" + action.rule().name() + "\" v" + action.rule().version() + " fired: "
                        + action.type().wireName() + " " + action.target().key(),
                Map.of("rule", action.rule().name(), "actionId", action.id(), "alertId", trigger.id()));
    }

    /*
     * A failed rule is RULE_FIRED, not ESCALATED: the rule did fire and nothing was escalated
     * to anyone. The incident stays as it was, and the summary says that no action was taken.
     */
    private TimelineEntry ruleFailed(Incident incident, RuleSession.Failure failure, AlertEvent trigger) {
        return new TimelineEntry(incident.id(), clock.instant(), TimelineKind.RULE_FIRED,
                "rule \"" + failure.rule() + "\" v" + ruleset.version() + " failed: "
                        + failure.error().getClass().getSimpleName()
                        + (failure.error().getMessage() == null ? "" : ": " + failure.error().getMessage())
                        + "; no action taken",
                Map.of("rule", failure.rule(), "alertId", trigger.id(), "outcome", "failed"));
    }

    private void forward(String sink, String key, Object value, long timestamp) {
        context.forward(new Record<>(key, value, timestamp), sink);
    }

    private static String correlationKey(AlertEvent alert) {
        return alert.resource().key() + "|" + alert.name();
    }

    @Override
    public void close() {
        schedules.forEach(Cancellable::cancel);
        if (context != null) {
            rulesets.taskClosed(context.taskId().toString());
        }
        if (session != null) {
            session.close();
        }
    }
}
