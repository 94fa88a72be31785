package io.reflex.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.reflex.ingest.auth.AuthResult;
import io.reflex.ingest.auth.RateLimiter;
import io.reflex.ingest.publish.DeadLettered;
import io.reflex.ingest.publish.PublishResult;
import io.reflex.ingest.source.Webhook;
import io.reflex.model.AlertEvent;
import io.reflex.model.ApiError;
import io.reflex.model.Json;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RequestBody;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.PlatformHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webhook surface: {@code POST /hooks/{alertmanager,grafana,cloudevents,pagerduty}} and
 * {@code POST /hooks/generic/{source}}. Every request goes through the same steps, each of which
 * can refuse it before anything is written:
 *
 * <ol>
 *   <li>size, while the body is read ({@code 413});</li>
 *   <li>the source is configured ({@code 403}, or {@code 404} for an unknown generic source);</li>
 *   <li>authentication ({@code 401} with {@code WWW-Authenticate});</li>
 *   <li>the source's rate limit ({@code 429} with {@code Retry-After});</li>
 *   <li>the sender's format ({@code 400} not JSON or nested too deep, {@code 422} wrong shape);</li>
 *   <li>limits on alerts, labels and their lengths ({@code 422});</li>
 *   <li>Kafka: {@code 202} only once every alert is committed; {@code 503} with {@code Retry-After}
 *       when Kafka did not take them (nothing of the request is visible); {@code 422} naming the
 *       alerts Kafka refused for themselves, which were kept on the dead-letter topic.</li>
 * </ol>
 */
public final class IngestRoutes {

    private static final Logger LOG = LoggerFactory.getLogger(IngestRoutes.class);

    public static final String ALERTMANAGER_PATH = "/hooks/alertmanager";
    public static final String GENERIC_PATH = "/hooks/generic/:source";

    /** Seconds a sender should wait before retrying after a 503. */
    static final int RETRY_AFTER_SECONDS = 5;

    /** Slack over the publisher's own bound before the route gives up on it. */
    private static final long GRACE_MS = 1_000;

    private static final String START = "reflex.ingest.start";
    private static final String SOURCE = "reflex.ingest.source";

    private final Map<String, SourceEndpoint> endpoints;
    private final Limits limits;
    private final AlertSink sink;
    private final IngestMetrics metrics;
    private final long maxBodyBytes;

    /**
     * @param endpoints    the configured sources by name; a built-in source missing here answers 403
     * @param maxBodyBytes the largest body accepted; larger ones get {@code 413}
     */
    public IngestRoutes(Map<String, SourceEndpoint> endpoints, Limits limits, AlertSink sink, IngestMetrics metrics,
            long maxBodyBytes) {
        if (maxBodyBytes <= 0) {
            throw new IllegalArgumentException("maxBodyBytes must be positive, got " + maxBodyBytes);
        }
        this.endpoints = Map.copyOf(endpoints);
        this.limits = limits;
        this.sink = sink;
        this.metrics = metrics;
        this.maxBodyBytes = maxBodyBytes;
    }

    public void mount(Router router) {
        for (String name : SourceConfig.BUILT_IN.stream().sorted().toList()) {
            route(router, "/hooks/" + name, ctx -> name);
        }
        route(router, GENERIC_PATH, ctx -> ctx.pathParam("source"));
    }

    private void route(Router router, String path, Function<RoutingContext, String> source) {
        router.post(path)
                .handler(new Timing(source))
                .handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes))
                .handler(ctx -> handle(ctx, ctx.get(SOURCE)))
                .failureHandler(this::failure);
    }

    /**
     * Notes when the request arrived and for which source, before its body is read, so a 413 is
     * timed too. A platform handler: Vert.x 5 runs those before the body handler and refuses user
     * handlers there.
     */
    private static final class Timing implements PlatformHandler {
        private final Function<RoutingContext, String> source;

        Timing(Function<RoutingContext, String> source) {
            this.source = source;
        }

        @Override
        public void handle(RoutingContext ctx) {
            ctx.put(START, System.nanoTime());
            ctx.put(SOURCE, source.apply(ctx));
            ctx.next();
        }
    }

    private void handle(RoutingContext ctx, String name) {
        SourceEndpoint endpoint = endpoints.get(name);
        if (endpoint == null) {
            refuseUnknown(ctx, name);
            return;
        }
        Webhook webhook = webhook(ctx, name);
        AuthResult auth = endpoint.authenticator().check(webhook);
        if (!auth.ok()) {
            metrics.rejected(name, auth.code());
            // DEBUG: anyone can cause these, so they must not set the log's volume; rejected_total counts them.
            LOG.debug("refused a webhook for {} with 401: {}", name, auth.code());
            ctx.response().putHeader("WWW-Authenticate", auth.challenge());
            respond(ctx, 401, auth.toApiError());
            return;
        }
        RateLimiter.Decision rate = endpoint.limiter().tryAcquire();
        if (!rate.allowed()) {
            endpoint.authenticator().release(webhook);
            metrics.rejected(name, "rate_limited");
            ctx.response().putHeader("Retry-After", Long.toString(rate.retryAfterSeconds()));
            respond(ctx, 429, ApiError.of("rate_limited", "Source " + name + " sends more webhooks than its rate "
                    + "limit (ingest.sources." + name + ".rateLimit) allows; nothing was stored. Retry after "
                    + rate.retryAfterSeconds() + " s, or raise the limit."));
            return;
        }
        List<AlertEvent> events;
        try {
            events = endpoint.adapter().parse(webhook);
        } catch (InvalidPayloadException e) {
            endpoint.authenticator().release(webhook);
            metrics.alerts(name, IngestMetrics.INVALID, e.alertCount());
            metrics.rejected(name, e.reason().code());
            // Only the paths reach the log: the details quote values from the body, which stays out of logs.
            LOG.info("rejected a webhook from {} with {}: problems at {}", name, e.httpStatus(), paths(e.details()));
            respond(ctx, e.httpStatus(), e.toApiError());
            return;
        }
        List<String> overLimit = limits.check(events);
        if (!overLimit.isEmpty()) {
            endpoint.authenticator().release(webhook);
            metrics.alerts(name, IngestMetrics.INVALID, events.size());
            metrics.rejected(name, "limit_exceeded");
            LOG.info("rejected a webhook from {} with 422: over limits at {}", name, paths(overLimit));
            respond(ctx, 422, new ApiError("limit_exceeded", "The webhook is over ingest's limits (listed in "
                    + "details); nothing was stored. Send fewer or smaller alerts, or raise ingest.limits.",
                    overLimit));
            return;
        }
        if (events.isEmpty()) {
            // A sender's notice that carries no alert (a PagerDuty ping or annotation): taken, nothing to store.
            respond(ctx, 202, Map.of("accepted", 0, "ids", List.of()));
            return;
        }
        Duration bound = sink.ackTimeout().plusMillis(GRACE_MS);
        Future.fromCompletionStage(sink.publishEach(events), ctx.vertx().getOrCreateContext())
                .timeout(bound.toMillis(), TimeUnit.MILLISECONDS)
                .onComplete(done -> {
                    try {
                        if (done.succeeded()) {
                            stored(ctx, endpoint, webhook, done.result());
                        } else {
                            endpoint.authenticator().release(webhook);
                            notStored(ctx, name, events, done.cause());
                        }
                    } catch (RuntimeException e) {
                        // Never leave a sender without an answer: it would retry into the same failure.
                        LOG.error("answering a webhook from {} failed", name, e);
                        respond(ctx, 500, ApiError.of("internal_error", "Ingest failed while answering; the alerts "
                                + "may be stored. Retry: a resend carries the same ids and changes nothing."));
                    }
                });
    }

    private void refuseUnknown(RoutingContext ctx, String name) {
        metrics.rejected(metricSource(name), "not_configured");
        if (name != null && SourceConfig.BUILT_IN.contains(name)) {
            respond(ctx, 403, ApiError.of("source_not_configured", "Source " + name + " is not configured, so "
                    + "Reflex takes no webhooks from it. Add ingest.sources." + name + ".auth to the configuration "
                    + "(type bearer, basic, hmac" + (name.equals("pagerduty") ? ", pagerduty" : "")
                    + ", or none to accept unauthenticated webhooks)."));
        } else {
            respond(ctx, 404, ApiError.of("unknown_source", "No generic source named '" + name + "'. Configure "
                    + "ingest.sources." + name + " with auth and a mapping of its JSON fields (docs/ingest.md)."));
        }
    }

    private static Webhook webhook(RoutingContext ctx, String name) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        ctx.request().headers().forEach(h -> headers.computeIfAbsent(h.getKey(), k -> new ArrayList<>()).add(h.getValue()));
        return new Webhook(name, headers, bytes(ctx.body()), ctx.pathParams());
    }

    private static byte[] bytes(RequestBody body) {
        Buffer buffer = body == null ? null : body.buffer();
        return buffer == null ? new byte[0] : buffer.getBytes();
    }

    private void stored(RoutingContext ctx, SourceEndpoint endpoint, Webhook webhook, PublishResult result) {
        String name = endpoint.name();
        List<AlertEvent> stored = result.stored();
        metrics.alerts(name, IngestMetrics.ACCEPTED, stored.size());
        List<String> ids = stored.stream().map(AlertEvent::id).toList();
        if (!stored.isEmpty()) {
            LOG.info("accepted {} alert(s) from {}: {} ids={}", stored.size(), name,
                    stored.stream().map(e -> e.name() + "/" + e.status() + "@" + e.resource().key()).distinct().toList(),
                    ids);
        }
        Integer truncated = truncatedAlerts(name, stored);
        if (truncated != null) {
            LOG.warn("{} left {} alert(s) out of a group it sent (max_alerts): they never reached Reflex", name,
                    truncated);
        }
        if (result.allStored()) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("accepted", stored.size());
            body.put("ids", ids);
            if (truncated != null) {
                body.put("truncatedAlerts", truncated);
            }
            respond(ctx, 202, body);
            return;
        }
        // Some alerts are too large for Kafka themselves: kept on the dead-letter topic, never silently dropped.
        // The signature is not released: part of the request is stored, so a replay of it is refused.
        metrics.alerts(name, "dead_lettered", result.deadLettered().size());
        metrics.rejected(name, "dead_lettered");
        List<String> details = new ArrayList<>();
        for (DeadLettered dead : result.deadLettered()) {
            details.add("alert " + dead.alert().id() + " (" + dead.alert().name() + " on " + dead.alert().resource().key()
                    + "): " + dead.reason() + ": " + dead.detail());
        }
        ids.forEach(id -> details.add("alert " + id + ": stored"));
        LOG.warn("{} alert(s) from {} could not be stored and went to reflex.alerts.dlq: {}",
                result.deadLettered().size(), name, details);
        respond(ctx, 422, new ApiError("alerts_dead_lettered", result.deadLettered().size() + " of "
                + (stored.size() + result.deadLettered().size()) + " alerts could not be stored (too large for Kafka) "
                + "and were kept on reflex.alerts.dlq, where an escalated incident shows them; the others were stored. "
                + "Shorten those alerts' labels and annotations; resending changes nothing for the stored ones.",
                details));
    }

    private static List<String> paths(List<String> details) {
        return details.stream().map(d -> d.indexOf(':') > 0 ? d.substring(0, d.indexOf(':')) : "body").distinct().toList();
    }

    /** What Alertmanager or Grafana said they left out of the group; null for other sources or a value not theirs. */
    private static Integer truncatedAlerts(String source, List<AlertEvent> stored) {
        if (stored.isEmpty() || !(source.equals("alertmanager") || source.equals("grafana"))) {
            return null;
        }
        String value = stored.get(0).annotations().get(io.reflex.ingest.alertmanager.AlertmanagerAdapter.TRUNCATED_ANNOTATION);
        try {
            return value == null ? null : Integer.valueOf(value);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private void notStored(RoutingContext ctx, String source, List<AlertEvent> events, Throwable cause) {
        metrics.alerts(source, IngestMetrics.UNAVAILABLE, events.size());
        String why = AlertPublisher.describe(cause);
        metrics.rejected(source, "kafka_unavailable");
        LOG.warn("answering 503 to {}: Kafka did not take {} alert(s): {}", source, events.size(), why);
        ctx.response().putHeader("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
        respond(ctx, 503, new ApiError("kafka_unavailable", "Kafka did not acknowledge the alerts within "
                + sink.ackTimeout().toMillis() + " ms, so none of them was stored. Retry later (Alertmanager "
                + "retries by itself) and check that Kafka is reachable from ingest.", List.of(why)));
    }

    private void failure(RoutingContext ctx) {
        int code = ctx.statusCode();
        String source = ctx.get(SOURCE);
        if (code == 413) {
            metrics.rejected(metricSource(source), "body_too_large");
            respond(ctx, 413, new ApiError("payload_too_large", "The body is larger than " + maxBodyBytes
                    + " bytes (ingest.maxBodyBytes). Send fewer alerts per request (Alertmanager: max_alerts "
                    + "in webhook_configs) or raise the limit.", List.of("body: larger than " + maxBodyBytes + " bytes")));
        } else if (code >= 400 && code < 500) {
            respond(ctx, code, new ApiError("bad_request", "The request could not be read: "
                    + (ctx.failure() == null ? "HTTP " + code : ctx.failure().getMessage())
                    + ". Send a JSON body with Content-Type: application/json.", List.of()));
        } else {
            LOG.error("unexpected failure on {} {}", ctx.request().method(), ctx.normalizedPath(), ctx.failure());
            respond(ctx, 500, ApiError.of("internal_error", "Ingest failed unexpectedly; nothing was accepted. "
                    + "Retry, and report the error logged by ingest if it persists."));
        }
    }

    /** Metric labels name configured or built-in sources only: a path parameter must not mint new series. */
    private String metricSource(String name) {
        return name != null && (endpoints.containsKey(name) || SourceConfig.BUILT_IN.contains(name)) ? name : "unknown";
    }

    private void respond(RoutingContext ctx, int status, Object body) {
        Long start = ctx.get(START);
        String source = ctx.get(SOURCE);
        if (start != null && source != null) {
            metrics.request(metricSource(source), status, start);
        }
        HttpServerResponse response = ctx.response();
        if (response.ended() || response.closed()) {
            return; // the sender hung up; it will retry, and a repeat carries the same ids
        }
        String json;
        try {
            json = Json.MAPPER.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a response body of " + body.getClass().getSimpleName(), e);
        }
        response.setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .end(json);
    }
}
