package io.reflex.model;

import java.util.List;

/** The topics of the pipeline. See docs/architecture.md for who writes and reads each. */
public final class Topics {
    private Topics() {
    }

    /** Normalised alerts, keyed by resource key. Written by ingest, read by rules. */
    public static final Topic<AlertEvent> ALERTS =
            new Topic<>("reflex.alerts", new JsonSerde<>(AlertEvent.class), 6, false);

    /** Alerts ingest could not store on {@link #ALERTS}, with the reason; keyed by resource key. */
    public static final Topic<DeadLetter> ALERTS_DLQ =
            new Topic<>("reflex.alerts.dlq", new JsonSerde<>(DeadLetter.class), 1, false);

    /** Decided actions, keyed by target key. Written by rules, read by the remediator. */
    public static final Topic<Action> ACTIONS =
            new Topic<>("reflex.actions", new JsonSerde<>(Action.class), 6, false);

    /** Action results, keyed by {@link Action#resultKey()} (the incident's resource key). Written by the remediator. */
    public static final Topic<ActionResult> RESULTS =
            new Topic<>("reflex.results", new JsonSerde<>(ActionResult.class), 6, false);

    /** Incident state (without actions and timeline), keyed by incident id; latest wins. */
    public static final Topic<Incident> INCIDENTS =
            new Topic<>("reflex.incidents", new JsonSerde<>(Incident.class), 6, true);

    /** Every step of every incident, keyed by incident id so one incident's steps stay in order. */
    public static final Topic<TimelineEntry> TIMELINE =
            new Topic<>("reflex.timeline", new JsonSerde<>(TimelineEntry.class), 6, false);

    /**
     * Deployed rule package versions (key {@code v<n>}) and the active one (key {@code active},
     * value: that version's record); compacted, one partition so every reader sees one order.
     */
    public static final Topic<RulesetVersion> RULESETS =
            new Topic<>("reflex.rulesets", new JsonSerde<>(RulesetVersion.class), 1, true);

    /**
     * Approvals of actions that need a person's yes, keyed by action id; compacted (the latest
     * record per action: the request, then its decision). Written and read by the remediators.
     */
    public static final Topic<Approval> APPROVALS =
            new Topic<>("reflex.approvals", new JsonSerde<>(Approval.class), 6, true);

    /**
     * The remediators' shared switches (kill switch, run-time silences, releases), keyed by
     * {@link ControlEvent#key()}; compacted, one partition so every reader applies one order.
     */
    public static final Topic<ControlEvent> CONTROL =
            new Topic<>("reflex.control", new JsonSerde<>(ControlEvent.class), 1, true);

    public static List<Topic<?>> all() {
        return List.of(ALERTS, ALERTS_DLQ, ACTIONS, RESULTS, INCIDENTS, TIMELINE, RULESETS, APPROVALS, CONTROL);
    }
}
