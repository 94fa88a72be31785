/**
 * Who may post to a source, and how often: plain Java, no Vert.x, so the route calls it and
 * tests drive it without a server.
 *
 * <ul>
 *   <li>{@link io.reflex.ingest.auth.AuthConfig} (YAML {@code auth} of a source) and
 *       {@link io.reflex.ingest.auth.WebhookAuthenticator#create}: bearer, basic, Reflex's HMAC
 *       signature, PagerDuty v3 signatures, or explicitly none. Credentials come from the config,
 *       environment variables or files ({@link io.reflex.ingest.auth.SecretSources}); several
 *       may be active at once, so they rotate without downtime. Comparisons are constant-time.</li>
 *   <li>{@link io.reflex.ingest.auth.RateLimitConfig} (YAML {@code rateLimit} of a source) and
 *       {@link io.reflex.ingest.auth.RateLimiter}: a token bucket per source, one permit per
 *       webhook, answering with the {@code Retry-After} of the 429.</li>
 * </ul>
 *
 * <pre>{@code
 * sources:
 *   grafana:
 *     auth: {type: bearer, tokenEnv: REFLEX_GRAFANA_TOKEN}
 *     rateLimit: {ratePerSecond: 10, burst: 20}
 * }</pre>
 *
 * <p>In the route, per request: read the body (413) → {@code check} (401 with
 * {@code WWW-Authenticate}) → {@code tryAcquire} (429 with {@code Retry-After}) → parse (400/422)
 * → publish (202/503); after a successful {@code check}, any answer but 202 calls
 * {@code release}, so the sender's unchanged retry of an HMAC-signed request is not a replay.
 */
package io.reflex.ingest.auth;
