package io.reflex.ingest.source;

import io.reflex.ingest.InvalidPayloadException;
import io.reflex.model.AlertEvent;
import java.util.List;

/**
 * Turns the webhooks of one sender's format into normalised alert events. Adapters are pure:
 * no I/O, the clock and resource mapping are given to their constructors. Authentication and
 * limits on size, rate and shape are checked before an adapter sees a webhook.
 */
public interface SourceAdapter {

    /** The {@code source} of the events it makes: alertmanager, grafana, cloudevents, pagerduty, generic. */
    String source();

    /**
     * @return the events the webhook carries, in order; never empty
     * @throws InvalidPayloadException listing every problem with its JSON path, when the webhook is not valid
     */
    List<AlertEvent> parse(Webhook webhook);
}
