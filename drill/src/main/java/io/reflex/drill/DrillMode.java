package io.reflex.drill;

/** How a drill runs. */
public enum DrillMode {
    /** A real fault; Reflex's real remediation heals it. */
    LIVE,
    /**
     * Nothing real is touched: the drill sends the synthetic alert(s) the fault would raise, tagged
     * with the drill id, and Reflex rehearses its decisions (actions in DRY_RUN, judged by the
     * guardrails in a rehearsal ledger).
     */
    DRY_RUN;

    /** As drill files and reports write it: {@code live}, {@code dry-run}. */
    public String word() {
        return this == LIVE ? "live" : "dry-run";
    }
}
