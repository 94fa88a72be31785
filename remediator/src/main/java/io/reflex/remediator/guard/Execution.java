package io.reflex.remediator.guard;

import io.reflex.model.Action;
import io.reflex.model.ActionMode;
import io.reflex.model.ActionStatus;
import io.reflex.model.ActionType;
import java.time.Instant;

/**
 * What the remediator knows of one action: the action (null while only its results have been
 * seen) joined with its latest result.
 *
 * @param status    the latest status; null while no result has been seen
 * @param seenAt    when the action was read (or first result, if that came first)
 * @param startedAt when it started; null until it did
 */
public record Execution(
        String actionId,
        String incidentId,
        ActionType type,
        Action action,
        ActionStatus status,
        int attempt,
        Instant seenAt,
        Instant startedAt,
        Instant finishedAt) {

    /** The target key ({@code kind:name}), or null while the action is unknown. */
    public String targetKey() {
        return action == null ? null : action.target().key();
    }

    public String ruleName() {
        return action == null ? null : action.rule().name();
    }

    /** Whether it ran for real: the action is known and was neither a dry run nor a shadow. */
    public boolean executes() {
        return action != null && action.mode() == ActionMode.EXECUTE;
    }

    /**
     * Whether it counts as an execution: it executes for real and started (STARTED or a terminal
     * result after starting; REJECTED, SKIPPED and AWAITING_APPROVAL never ran).
     */
    public boolean started() {
        return executes() && startedAt != null && status != null && switch (status) {
            case STARTED, SUCCEEDED, FAILED, TIMED_OUT -> true;
            default -> false;
        };
    }

    /** Started and no terminal result yet. */
    public boolean inFlight() {
        return started() && status == ActionStatus.STARTED;
    }
}
