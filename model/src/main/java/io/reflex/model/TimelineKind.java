package io.reflex.model;

public enum TimelineKind {
    ALERT_RECEIVED,
    RULE_FIRED,
    ACTION_DISPATCHED,
    ACTION_RESULT,
    GUARDRAIL,
    APPROVAL,
    VERIFIED,
    ESCALATED,
    RESOLVED,
    DRILL
}
