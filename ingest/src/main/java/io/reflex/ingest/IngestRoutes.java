package io.reflex.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.reflex.ingest.alertmanager.AlertmanagerAdapter;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webhook routes of ingest. {@code POST /hooks/alertmanager}:
 *
 * <ol>
 *   <li>the body is read up to {@code maxBodyBytes} (over it: {@code 413});</li>
 *   <li>parsed and validated: {@code 400} for a body that is not JSON, {@code 422} for JSON of
 *       the wrong shape, each with every bad field named, and nothing written;</li>
 *   <li>published to Kafka; {@code 202 {"accepted": n, "ids": [...]}} only once Kafka acknowledged
 *       every alert (acks=all); {@code 503} with {@code Retry-After} when it did not within
 *       the publisher's bound, so the sender retries.</li>
 * </ol>
 *
 * <p>Every error body is an {@link ApiError}. Nothing here blocks the event loop: the publisher
 * sends on its own thread and its answer is brought back onto the request's context.
 */
public final class IngestRoutes {

    private static final Logger LOG = LoggerFactory.getLogger(IngestRoutes.class);

    public static final String ALERTMANAGER_PATH = "/hooks/alertmanager";

    /** Seconds a sender should wait before retrying after a 503. */
    static final int RETRY_AFTER_SECONDS = 5;

    /** Slack over the publisher's own bound before the route gives up on it. */
    private static final long GRACE_MS = 1_000;

    private static final String START = "reflex.ingest.start";
    private static final String SOURCE = "reflex.ingest.source";

    private final AlertmanagerAdapter alertmanager;
    private final AlertSink sink;
    private final IngestMetrics metrics;
    private final long maxBodyBytes;

    /**
     * @param maxBodyBytes the largest body accepted; larger ones get {@code 413}
     */
    public IngestRoutes(AlertmanagerAdapter alertmanager, AlertSink sink, IngestMetrics metrics, long maxBodyBytes) {
        if (maxBodyBytes <= 0) {
            throw new IllegalArgumentException("maxBodyBytes must be positive, got " + maxBodyBytes);
        }
        this.alertmanager = alertmanager;
        this.sink = sink;
        this.metrics = metrics;
        this.maxBodyBytes = maxBodyBytes;
    }

    public void mount(Router router) {
        router.post(ALERTMANAGER_PATH)
                .handler(new Timing(AlertmanagerAdapter.SOURCE))
                .handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes))
                .handler(this::alertmanager)
                .failureHandler(this::failure);
    }

    /**
     * Notes when the request arrived, before its body is read, so a 413 is timed too. A platform
     * handler: Vert.x 5 runs those before the body handler and refuses user handlers there.
     */
    private static final class Timing implements PlatformHandler {
        private final String source;

        Timing(String source) {
            this.source = source;
        }

        @Override
        public void handle(RoutingContext ctx) {
            ctx.put(START, System.nanoTime());
            ctx.put(SOURCE, source);
            ctx.next();
        }
    }

    private void alertmanager(RoutingContext ctx) {
        List<AlertEvent> events;
        try {
            events = alertmanager.parse(bytes(ctx.body()));
        } catch (InvalidPayloadException e) {
            metrics.alerts(AlertmanagerAdapter.SOURCE, IngestMetrics.INVALID, e.alertCount());
            // The details name fields, not the body: the raw body never reaches the log.
            LOG.info("rejected a webhook from {} with {}: {}", AlertmanagerAdapter.SOURCE, e.httpStatus(),
                    e.details());
            respond(ctx, e.httpStatus(), e.toApiError());
            return;
        }
        Duration bound = sink.ackTimeout().plusMillis(GRACE_MS);
        Future.fromCompletionStage(sink.publish(events), ctx.vertx().getOrCreateContext())
                .timeout(bound.toMillis(), TimeUnit.MILLISECONDS)
                .onComplete(done -> {
                    if (done.succeeded()) {
                        accepted(ctx, AlertmanagerAdapter.SOURCE, events);
                    } else {
                        notStored(ctx, AlertmanagerAdapter.SOURCE, events, done.cause());
                    }
                });
    }

    private static byte[] bytes(RequestBody body) {
        Buffer buffer = body == null ? null : body.buffer();
        return buffer == null ? new byte[0] : buffer.getBytes();
    }

    private void accepted(RoutingContext ctx, String source, List<AlertEvent> events) {
        metrics.alerts(source, IngestMetrics.ACCEPTED, events.size());
        List<String> ids = events.stream().map(AlertEvent::id).toList();
        LOG.info("accepted {} alert(s) from {}: {} ids={}", events.size(), source,
                events.stream().map(e -> e.name() + "/" + e.status() + "@" + e.resource().key()).distinct().toList(),
                ids);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("accepted", events.size());
        body.put("ids", ids);
        respond(ctx, 202, body);
    }

    private void notStored(RoutingContext ctx, String source, List<AlertEvent> events, Throwable cause) {
        metrics.alerts(source, IngestMetrics.UNAVAILABLE, events.size());
        String why = AlertPublisher.describe(cause);
        if (cause instanceof RecordTooLargeException) {
            LOG.warn("Kafka refused {} alert(s) from {} as too large: {}", events.size(), source, why);
            respond(ctx, 413, new ApiError("payload_too_large", "An alert is larger than the Kafka producer accepts "
                    + "(kafka.max.request.size). Shorten its labels and annotations or raise the limit.",
                    List.of(why)));
            return;
        }
        LOG.warn("answering 503 to {}: Kafka did not acknowledge {} alert(s): {}", source, events.size(), why);
        ctx.response().putHeader("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
        respond(ctx, 503, new ApiError("kafka_unavailable", "Kafka did not acknowledge the alerts within "
                + sink.ackTimeout().toMillis() + " ms, so they are not accepted. Retry later (Alertmanager "
                + "retries by itself) and check that Kafka is reachable from ingest.", List.of(why)));
    }

    private void failure(RoutingContext ctx) {
        int code = ctx.statusCode();
        if (code == 413) {
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

    private void respond(RoutingContext ctx, int status, Object body) {
        Long start = ctx.get(START);
        String source = ctx.get(SOURCE);
        if (start != null && source != null) {
            metrics.request(source, status, start);
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
