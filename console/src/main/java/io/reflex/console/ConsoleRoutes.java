package io.reflex.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.reflex.model.ApiError;
import io.reflex.model.Incident;
import io.reflex.model.IncidentStatus;
import io.reflex.model.Json;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** The console's HTTP surface: the incidents API and the web page. */
final class ConsoleRoutes {
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 500;

    private final IncidentView view;
    private final String indexHtml;

    ConsoleRoutes(IncidentView view) {
        this.view = view;
        this.indexHtml = resource("/io/reflex/console/web/index.html");
    }

    void mount(Router router) {
        router.get("/api/incidents").handler(this::list);
        router.get("/api/incidents/:id").handler(this::get);
        router.get("/").handler(ctx -> ctx.response()
                .putHeader("content-type", "text/html; charset=utf-8")
                .putHeader("cache-control", "no-cache")
                .end(indexHtml));
    }

    private void list(RoutingContext ctx) {
        IncidentStatus status;
        int limit;
        IncidentView.Cursor cursor;
        try {
            status = parseStatus(ctx.request().getParam("status"));
            limit = parseLimit(ctx.request().getParam("limit"));
            String after = ctx.request().getParam("cursor");
            cursor = after == null || after.isBlank() ? null : IncidentView.Cursor.decode(after);
        } catch (IllegalArgumentException e) {
            error(ctx.response(), 400, ApiError.of("bad_request", e.getMessage()));
            return;
        }
        IncidentView.Page page = view.list(status, limit, cursor);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("items", page.items().stream().map(ConsoleRoutes::withoutTimeline).toList());
        body.put("next", page.next() == null ? null : page.next().encode());
        json(ctx.response(), 200, body);
    }

    private void get(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        view.find(id).ifPresentOrElse(
                incident -> json(ctx.response(), 200, incident),
                () -> error(ctx.response(), 404, ApiError.of("not_found",
                        "no incident '" + id + "'; GET /api/incidents lists the known ones")));
    }

    private static ObjectNode withoutTimeline(Incident incident) {
        ObjectNode node = Json.MAPPER.valueToTree(incident);
        node.remove("timeline");
        return node;
    }

    static IncidentStatus parseStatus(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return IncidentStatus.valueOf(text.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("status '" + text + "' is not one of "
                    + Arrays.toString(IncidentStatus.values()), e);
        }
    }

    static int parseLimit(String text) {
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
        throw new IllegalArgumentException("limit '" + text + "' must be a whole number from 1 to " + MAX_LIMIT);
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

    private static String resource(String path) {
        try (InputStream in = ConsoleRoutes.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException(path + " is missing from the console jar; rebuild it");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
