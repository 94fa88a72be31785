package io.reflex.connectors.spi;

import java.util.Objects;

/**
 * What a connector can tell about an action that was started but whose result was never
 * written (the remediator died in between): whether the change it makes is in place.
 *
 * @param state  what the connector found on the target
 * @param detail for people: what was looked at and what was found
 */
public record Reconciliation(State state, String detail) {

    public enum State {
        /** The action's effect is in place (the process was restarted after the action started): report SUCCEEDED. */
        APPLIED,
        /** The effect is not in place and running the action again is safe. */
        NOT_APPLIED,
        /** The connector cannot tell: a person must look, the action is not run again. */
        UNKNOWN
    }

    public Reconciliation {
        Objects.requireNonNull(state, "state");
        if (detail == null || detail.isBlank()) {
            throw new IllegalArgumentException("detail must say what was found");
        }
    }

    public static Reconciliation applied(String detail) {
        return new Reconciliation(State.APPLIED, detail);
    }

    public static Reconciliation notApplied(String detail) {
        return new Reconciliation(State.NOT_APPLIED, detail);
    }

    public static Reconciliation unknown(String detail) {
        return new Reconciliation(State.UNKNOWN, detail);
    }
}
