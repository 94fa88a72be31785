package io.reflex.model;

/** The state of one action. Only the console's summary uses {@link #PENDING}: no result carries it. */
public enum ActionStatus {
    PENDING,
    AWAITING_APPROVAL,
    STARTED,
    SUCCEEDED,
    FAILED,
    TIMED_OUT,
    REJECTED,
    SKIPPED;

    /** Whether no further result will follow for this action. */
    public boolean terminal() {
        return switch (this) {
            case SUCCEEDED, FAILED, TIMED_OUT, REJECTED, SKIPPED -> true;
            default -> false;
        };
    }
}
