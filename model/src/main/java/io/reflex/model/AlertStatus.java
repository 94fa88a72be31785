package io.reflex.model;

/** Whether the monitored condition is currently true. */
public enum AlertStatus {
    FIRING,
    RESOLVED
}
