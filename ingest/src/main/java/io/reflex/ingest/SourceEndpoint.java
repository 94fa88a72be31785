package io.reflex.ingest;

import io.reflex.ingest.auth.RateLimiter;
import io.reflex.ingest.auth.WebhookAuthenticator;
import io.reflex.ingest.source.SourceAdapter;

/** One configured source, ready for webhooks: who may post, how often, and how its body reads. */
public record SourceEndpoint(String name, SourceAdapter adapter, WebhookAuthenticator authenticator,
        RateLimiter limiter) {
}
