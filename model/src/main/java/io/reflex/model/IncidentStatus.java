package io.reflex.model;

public enum IncidentStatus {
    OPEN,
    REMEDIATING,
    RESOLVED,
    ESCALATED;

    public boolean open() {
        return this != RESOLVED;
    }
}
