package io.reflex.drill;

/**
 * What a drill does when its target has not healed by the timeout.
 */
public enum Undo {
    /** Restart the faulted service through its connector (an action the running Reflex executes). */
    RESTART,
    /** Leave it as it is (someone wants to look at it). */
    NONE
}
