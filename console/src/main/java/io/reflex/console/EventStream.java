package io.reflex.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.reflex.model.Json;
import io.reflex.model.TimelineEntry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/stream}: the view's changes as server-sent events, {@code event: timeline}
 * (a timeline entry) and {@code event: incident} (an incident summary as in the list), optionally
 * for one incident ({@code ?incident=ID}). One view listener per connection, removed when it
 * closes. A client that does not keep up is disconnected rather than buffered for without bound;
 * EventSource clients reconnect by themselves and reload the list.
 */
final class EventStream {
    static final Duration PING_EVERY = Duration.ofSeconds(15);
    /** Events handed to the connection's event loop but not yet written; past it the client is dropped. */
    static final int MAX_PENDING = 1_000;
    private static final Logger log = LoggerFactory.getLogger(EventStream.class);

    private final IncidentView view;
    private final Duration pingEvery;

    EventStream(IncidentView view, Duration pingEvery) {
        this.view = view;
        this.pingEvery = pingEvery;
    }

    void handle(RoutingContext ctx) {
        String param = ctx.request().getParam("incident");
        String incidentId = param == null || param.isBlank() ? null : param.trim();
        HttpServerResponse response = ctx.response()
                .setChunked(true)
                .putHeader("content-type", "text/event-stream; charset=utf-8")
                .putHeader("cache-control", "no-cache")
                .putHeader("x-accel-buffering", "no"); // nginx would otherwise hold events back
        // The first bytes send the headers, so a client knows at once that the stream is open.
        response.write(Sse.comment(incidentId == null ? "stream open" : "stream open for incident " + incidentId));
        new Client(ctx.vertx(), ctx, incidentId).open();
    }

    /** One open stream; all writes happen on the connection's own context. */
    private final class Client implements IncidentView.Listener {
        private final Vertx vertx;
        private final Context context;
        private final RoutingContext ctx;
        private final String incidentId;
        private final AtomicInteger pending = new AtomicInteger();
        private final AtomicBoolean closed = new AtomicBoolean();
        private Runnable unsubscribe;
        private long pingTimer;

        Client(Vertx vertx, RoutingContext ctx, String incidentId) {
            this.vertx = vertx;
            this.context = vertx.getOrCreateContext();
            this.ctx = ctx;
            this.incidentId = incidentId;
        }

        /* Runs on the connection's event loop, like its close handler, so the two cannot interleave. */
        void open() {
            HttpServerResponse response = ctx.response();
            if (response.closed()) { // the client left already
                closed.set(true);
                return;
            }
            response.closeHandler(v -> close());
            response.exceptionHandler(e -> close());
            unsubscribe = view.subscribe(this);
            pingTimer = vertx.setPeriodic(pingEvery.toMillis(), id -> send(Sse.comment("ping")));
        }

        @Override
        public void timeline(TimelineEntry entry) {
            if (incidentId == null || incidentId.equals(entry.incidentId())) {
                enqueue("timeline", Json.MAPPER.valueToTree(entry));
            }
        }

        @Override
        public void incident(IncidentItem item) {
            if (incidentId == null || incidentId.equals(item.incident().id())) {
                enqueue("incident", item.summaryJson());
            }
        }

        /* Called on the feed thread: format there, write on the connection's event loop. */
        private void enqueue(String name, JsonNode data) {
            if (closed.get()) {
                return;
            }
            if (pending.incrementAndGet() > MAX_PENDING) {
                context.runOnContext(v -> drop(MAX_PENDING + " events waiting to be handed to the connection"));
                return;
            }
            String frame = Sse.event(name, json(data));
            context.runOnContext(v -> {
                pending.decrementAndGet();
                send(frame);
            });
        }

        private void send(String frame) {
            if (closed.get()) {
                return;
            }
            HttpServerResponse response = ctx.response();
            if (response.writeQueueFull()) {
                drop("its write queue is full");
            } else {
                response.write(frame);
            }
        }

        private void drop(String why) {
            if (close()) {
                log.info("Dropping /api/stream client {}: it reads too slowly ({}); it may reconnect",
                        ctx.request().remoteAddress(), why);
                if (ctx.request().version() == HttpVersion.HTTP_2) {
                    ctx.response().reset(); // one stream of a shared connection: end only this one
                } else {
                    ctx.request().connection().close();
                }
            }
        }

        /** Returns whether this call closed it. */
        private boolean close() {
            if (!closed.compareAndSet(false, true)) {
                return false;
            }
            vertx.cancelTimer(pingTimer);
            if (unsubscribe != null) {
                unsubscribe.run();
            }
            return true;
        }
    }

    private static String json(JsonNode node) {
        try {
            return Json.MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
