package io.reflex.remediator.rollout;

import java.util.Map;

/**
 * Where a rollout reports its progress. The dispatcher turns {@link #step} into timeline entries
 * and {@link #escalate} into an {@code ESCALATED} entry. Called on the thread running the
 * rollout; implementations must not block for long.
 */
public interface RolloutListener {

    /**
     * One thing that happened: a member's step ended, a gate passed, a batch started.
     *
     * @param summary for people, e.g. {@code batch 2/3: restart_service service:web-3 SUCCEEDED}
     * @param refs    references for the timeline entry: {@code actionId}, {@code group},
     *                {@code patch}, {@code batch}, and when about one member {@code member} and
     *                {@code childActionId}
     */
    void step(String incidentId, String summary, Map<String, String> refs);

    /** The rollout halted and a person must look: called at most once per run. */
    void escalate(String incidentId, String reason);
}
