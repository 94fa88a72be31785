package io.reflex.drill;

/** How a drill runs. Only {@link #LIVE} is implemented; a dry-run drill file is refused with "not yet". */
public enum DrillMode {
    /** A real fault; Reflex's real remediation heals it. */
    LIVE,
    /** Synthetic alerts tagged with the drill id and actions in DRY_RUN (not yet implemented). */
    DRY_RUN
}
