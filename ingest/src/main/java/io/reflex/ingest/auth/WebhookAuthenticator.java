package io.reflex.ingest.auth;

import io.reflex.ingest.source.Webhook;
import java.time.Clock;

/**
 * Decides whether a webhook comes from its source's sender. One per source, built by
 * {@link #create}; thread-safe. Call {@link #check} on the raw webhook before parsing it (the
 * signatures cover the exact body bytes), and answer {@code 401} unless the result is ok.
 *
 * <p>Order in the route: read the body (413 over the size limit), {@link #check} (401),
 * then the rate limit (429), parse (400/422), publish (202/503). Authenticating before
 * rate-limiting keeps senders without the credentials from spending the source's budget.
 * When a request that passed {@link #check} is then not accepted (any answer but 2xx), call
 * {@link #release}, so the sender's retry of the very same signed request is not taken for a
 * replay.
 */
public interface WebhookAuthenticator {

    /** The realm of every challenge; one realm for all sources, so no source name is echoed. */
    String REALM = "reflex";

    /** Whether this webhook carries valid credentials; never throws for anything a sender sends. */
    AuthResult check(Webhook webhook);

    /**
     * Forgets a webhook that passed {@link #check} but was not accepted (429, 4xx, 503), so its
     * sender may retry it unchanged. Only HMAC remembers webhooks; for the others this does nothing.
     */
    default void release(Webhook webhook) {
    }

    /** True for {@code type: none}: every webhook is accepted. The caller logs that at start-up. */
    default boolean open() {
        return false;
    }

    /** For the start-up log, e.g. {@code hmac (2 secrets, X-Reflex-Signature, tolerance 5m)}; never a secret. */
    String describe();

    /**
     * @param source  the source's name, used in messages to senders and in logs
     * @param config  its {@code auth} section
     * @param sources where {@code *Env} and {@code *File} credentials are read from
     * @param clock   ingest's clock, against which HMAC timestamps are checked
     * @throws IllegalArgumentException with every problem of the config (as {@link AuthConfig#validate(String, SecretSources)})
     */
    static WebhookAuthenticator create(String source, AuthConfig config, SecretSources sources, Clock clock) {
        java.util.List<String> credentials;
        try {
            credentials = config.credentials("auth", sources);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("source " + source + ": " + e.getMessage(), e);
        }
        return switch (config.kind()) {
            case AuthConfig.NONE -> new OpenAuthenticator();
            case AuthConfig.BEARER -> new BearerAuthenticator(source, credentials);
            case AuthConfig.BASIC -> new BasicAuthenticator(source, config.username(), credentials);
            case AuthConfig.HMAC -> new HmacAuthenticator(source, credentials, config.header(),
                    config.timestampHeader(), config.tolerance(), config.replayCapacity(), clock);
            case AuthConfig.PAGERDUTY -> new PagerDutyAuthenticator(source, credentials);
            default -> throw new IllegalStateException("type " + config.kind() + " passed validation but has no authenticator");
        };
    }
}
