package io.reflex.connectors.spi;

import io.reflex.model.ActionStatus;
import java.util.Objects;

/**
 * How one {@link Connector#execute} call ended.
 *
 * @param status    {@code SUCCEEDED}, {@code FAILED} or {@code REJECTED}
 * @param detail    for people: what happened and, on failure, what to do next
 * @param retriable only for {@code FAILED}: whether trying again may help (a service that did
 *                  not come up in time) or not (a missing executable)
 */
public record Outcome(ActionStatus status, String detail, boolean retriable) {

    public Outcome {
        Objects.requireNonNull(status, "status");
        if (status != ActionStatus.SUCCEEDED && status != ActionStatus.FAILED && status != ActionStatus.REJECTED) {
            throw new IllegalArgumentException("a connector outcome is SUCCEEDED, FAILED or REJECTED, not " + status
                    + "; the remediator owns the other states");
        }
        if (detail == null || detail.isBlank()) {
            throw new IllegalArgumentException("detail must say what happened");
        }
        if (retriable && status != ActionStatus.FAILED) {
            throw new IllegalArgumentException("only a FAILED outcome can be retriable, not " + status);
        }
    }

    public static Outcome succeeded(String detail) {
        return new Outcome(ActionStatus.SUCCEEDED, detail, false);
    }

    public static Outcome failed(String detail, boolean retriable) {
        return new Outcome(ActionStatus.FAILED, detail, retriable);
    }

    /** The action is invalid or not allowed (unknown or hostile target, unsupported type): never retried. */
    public static Outcome refused(String detail) {
        return new Outcome(ActionStatus.REJECTED, detail, false);
    }
}
