package io.reflex.remediator;

import io.reflex.model.Action;
import io.reflex.model.ActionResult;
import java.time.Instant;

/**
 * Hears every action decided and every result written, by any remediator process of the
 * deployment (the remediator's observer reads {@code reflex.actions} and {@code reflex.results}
 * from the beginning), so guardrails count what the whole deployment did, also before a restart.
 *
 * <p>Called from one thread (the observer's), in topic order per partition; {@code at} is the
 * record's timestamp. Must not block.
 */
public interface ActivityListener {

    ActivityListener NONE = new ActivityListener() {
        @Override
        public void onAction(Action action, Instant at) {
        }

        @Override
        public void onResult(ActionResult result, Instant at) {
        }
    };

    void onAction(Action action, Instant at);

    void onResult(ActionResult result, Instant at);
}
