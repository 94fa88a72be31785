package io.reflex.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.reflex.model.ApiError;
import io.reflex.model.Json;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The console's HTTP surface: incidents, the live stream, Kafka status and the web UI's files. */
final class ConsoleRoutes {
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 500;
    /** A status page polled by several browsers shares one sample per second. */
    static final Duration STATUS_MAX_AGE = Duration.ofSeconds(1);
    private static final Logger log = LoggerFactory.getLogger(ConsoleRoutes.class);

    private final IncidentView view;
    private final EventStream stream;
    private final KafkaStatus status;
    private final StaticFiles files;

    ConsoleRoutes(IncidentView view, EventStream stream, KafkaStatus status, StaticFiles files) {
        this.view = view;
        this.stream = stream;
        this.status = status;
        this.files = files;
    }

    void mount(Router router) {
        router.get("/api/incidents").handler(this::list);
        router.get("/api/incidents/:id").handler(this::get);
        router.get("/api/stream").handler(stream::handle);
        router.get("/api/status").handler(this::status);
        files.mount(router);
    }

    private void list(RoutingContext ctx) {
        List<String> problems = new ArrayList<>();
        IncidentFilter filter = IncidentFilter.parse(ctx.request()::getParam, problems);
        int limit = parseLimit(ctx.request().getParam("limit"), problems);
        IncidentView.Cursor cursor = null;
        String after = ctx.request().getParam("cursor");
        if (after != null && !after.isBlank()) {
            try {
                cursor = IncidentView.Cursor.decode(after.trim());
            } catch (IllegalArgumentException e) {
                problems.add("cursor: " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            error(ctx.response(), 400, badRequest(problems));
            return;
        }
        IncidentView.Page page = view.list(filter, limit, cursor);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("items", page.items().stream().map(IncidentItem::summaryJson).toList());
        body.put("next", page.next() == null ? null : page.next().encode());
        json(ctx.response(), 200, body);
    }

    private void get(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        view.findItem(id).ifPresentOrElse(
                item -> json(ctx.response(), 200, item.detailJson()),
                () -> error(ctx.response(), 404, ApiError.of("not_found",
                        "no incident '" + id + "'; GET /api/incidents lists the known ones")));
    }

    /* The Kafka calls block (with short timeouts): never on the event loop. */
    private void status(RoutingContext ctx) {
        ctx.vertx().executeBlocking(() -> status.current(STATUS_MAX_AGE), false).onComplete(done -> {
            if (done.succeeded()) {
                json(ctx.response(), 200, done.result());
            } else {
                log.warn("GET /api/status failed: {}", done.cause().toString(), done.cause());
                error(ctx.response(), 500, ApiError.of("status_unavailable",
                        "cannot read the Kafka status: " + done.cause().getMessage() + "; see the console's log"));
            }
        });
    }

    /** One 400 naming every bad parameter; the message lists their names, the details say what is wrong. */
    static ApiError badRequest(List<String> problems) {
        List<String> names = problems.stream().map(p -> p.substring(0, Math.max(0, p.indexOf(':')))).distinct().toList();
        return new ApiError("bad_request", "invalid query parameter" + (names.size() == 1 ? " " : "s ")
                + String.join(", ", names) + ": " + String.join("; ", problems), problems);
    }

    static int parseLimit(String text, List<String> problems) {
        if (text == null || text.isBlank()) {
            return DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(text.trim());
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // reported below with the allowed range
        }
        problems.add("limit: '" + text + "' must be a whole number from 1 to " + MAX_LIMIT);
        return DEFAULT_LIMIT;
    }

    static void json(HttpServerResponse response, int status, Object body) {
        try {
            response.setStatusCode(status)
                    .putHeader("content-type", "application/json")
                    .end(Json.MAPPER.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void error(HttpServerResponse response, int status, ApiError error) {
        json(response, status, error);
    }
}
