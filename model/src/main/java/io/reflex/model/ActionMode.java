package io.reflex.model;

/**
 * How an action is carried out: for real, rehearsed (guardrails and approvals run, the
 * connector does not), or only recorded (a ruleset deployed in shadow).
 */
public enum ActionMode {
    EXECUTE,
    DRY_RUN,
    SHADOW
}
