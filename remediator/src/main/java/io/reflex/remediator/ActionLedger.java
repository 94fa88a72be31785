package io.reflex.remediator;

import java.time.Instant;
import java.util.Optional;

/** What the deployment knows about an action id from {@code reflex.results}: finished, or started and never finished. */
interface ActionLedger {

    /** Knows nothing: every action is new. */
    ActionLedger EMPTY = actionId -> Optional.empty();

    /**
     * @param finished  a terminal result was written
     * @param startedAt for a started, unfinished action: when its last attempt started
     * @param attempt   the last attempt number written
     */
    record Entry(boolean finished, Instant startedAt, int attempt) {
    }

    Optional<Entry> lookup(String actionId);
}
