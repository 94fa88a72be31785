package io.reflex.drill;

/** Undoes a drill's fault that Reflex did not heal. */
public interface FaultUndo {

    /**
     * Asks for the faulted service to be restarted; the result comes back on the feed.
     *
     * @param incidentId the drill's incident, or null when none opened
     * @return the id of the action whose result tells whether it worked
     */
    String restart(Fault fault, String incidentId, String drillId);
}
