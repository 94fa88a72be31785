package io.reflex.drill.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.reflex.drill.DrillFile;
import io.reflex.drill.DrillFileException;
import io.reflex.drill.dr.DrDrillFile;
import io.reflex.drill.gameday.ReportHtml;
import io.reflex.model.ApiError;
import io.reflex.model.Json;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drills over HTTP, on the application's router:
 * <ul>
 *   <li>{@code GET /api/drills}: {@code {"files": [DrillFileInfo...], "runs": [summaries, newest first],
 *       "gamedays": [summaries, newest first]}};</li>
 *   <li>{@code POST /api/drills} with {@code {"file": "kill-demo-shop.yaml"}} (a file of the drill
 *       dir, by name only: a drill, a DR drill when it has {@code kind: dr}, or a GameDay when it has
 *       {@code drills:}) or {@code {"yaml": "<a drill or DR drill file's text>"}}:
 *       {@code 202 {"id", "kind": "drill|dr|gameday", "status": "QUEUED"}};
 *       {@code 400} naming the bad field or every problem of the drill (with its path), and nothing
 *       is queued; {@code 429} when the queue is full;</li>
 *   <li>{@code GET /api/drills/runs/{id}}: the run (state, progress lines, report once ended); 404
 *       for an unknown id (a DR drill's run has {@code kind: dr} and its report under
 *       {@code drReport}); {@code GET /api/drills/runs/{id}/report.html}: its report as a page;</li>
 *   <li>{@code GET /api/drills/gamedays/{id}}: the GameDay (state, progress, its run ids, report once
 *       ended); {@code GET /api/drills/gamedays/{id}/report.html}: its report as a page.</li>
 * </ul>
 * A drill injects a real fault: the application's permission table lets only operators and
 * admins post one. Reading files and parsing drills is file I/O, done on worker threads.
 */
public final class DrillRoutes {
    public static final long MAX_BODY_BYTES = 64 * 1024;
    static final String DRILLS_PATH = "/api/drills";
    static final String RUN_PATH = "/api/drills/runs/:id";
    static final String RUN_HTML_PATH = "/api/drills/runs/:id/report.html";
    static final String GAMEDAY_PATH = "/api/drills/gamedays/:id";
    static final String GAMEDAY_HTML_PATH = "/api/drills/gamedays/:id/report.html";
    private static final Logger LOG = LoggerFactory.getLogger(DrillRoutes.class);

    private final Vertx vertx;
    private final DrillService service;

    public DrillRoutes(Vertx vertx, DrillService service) {
        this.vertx = vertx;
        this.service = service;
    }

    public void mount(Router router) {
        router.get(DRILLS_PATH).handler(this::list).failureHandler(this::failure);
        router.post(DRILLS_PATH).handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES))
                .handler(this::submit).failureHandler(this::failure);
        router.get(RUN_PATH).handler(this::run).failureHandler(this::failure);
        router.get(RUN_HTML_PATH).handler(this::runHtml).failureHandler(this::failure);
        router.get(GAMEDAY_PATH).handler(this::gameDay).failureHandler(this::failure);
        router.get(GAMEDAY_HTML_PATH).handler(this::gameDayHtml).failureHandler(this::failure);
    }

    private void list(RoutingContext ctx) {
        blocking(ctx, () -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("dir", service.dir().toString());
            body.put("files", service.files());
            body.put("runs", service.runs().stream().map(DrillRun::summary).toList());
            body.put("gamedays", service.gameDays().stream().map(GameDayRun::summary).toList());
            return new Answer(200, body);
        });
    }

    private void gameDay(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        respond(ctx, service.gameDay(id).<Answer>map(g -> new Answer(200, g)).orElseGet(() -> noGameDay(id)));
    }

    private void runHtml(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        var run = service.run(id);
        if (run.isEmpty()) {
            respond(ctx, noRun(id));
        } else if (!run.get().reported()) {
            respond(ctx, notYet("drill run", id, run.get().status()));
        } else if (run.get().drReport() != null) {
            html(ctx, ReportHtml.dr(run.get().drReport()));
        } else {
            html(ctx, ReportHtml.drill(run.get().report()));
        }
    }

    private void gameDayHtml(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        var day = service.gameDay(id);
        if (day.isEmpty()) {
            respond(ctx, noGameDay(id));
        } else if (day.get().report() == null) {
            respond(ctx, notYet("GameDay", id, day.get().status()));
        } else {
            html(ctx, ReportHtml.gameDay(day.get().report()));
        }
    }

    private static Answer noRun(String id) {
        return new Answer(404, ApiError.of("not_found", "No drill run '" + id + "'. GET /api/drills lists the runs"
                + " (the oldest are deleted past drill.maxRuns)."));
    }

    private static Answer noGameDay(String id) {
        return new Answer(404, ApiError.of("not_found", "No GameDay '" + id + "'. GET /api/drills lists the"
                + " GameDays (the oldest are deleted past drill.maxRuns)."));
    }

    private static Answer notYet(String what, String id, DrillRun.State status) {
        return new Answer(409, ApiError.of("not_ended", "The " + what + " '" + id + "' is " + status
                + ": its report exists once it ended. Ask again then."));
    }

    private static void html(RoutingContext ctx, String page) {
        ctx.response().setStatusCode(200).putHeader("Content-Type", "text/html; charset=utf-8")
                .putHeader("Cache-Control", "no-store").end(page);
    }

    private void run(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        respond(ctx, service.run(id).<Answer>map(r -> new Answer(200, r)).orElseGet(() -> noRun(id)));
    }

    private void submit(RoutingContext ctx) {
        String text = ctx.body() == null ? null : ctx.body().asString();
        JsonNode body;
        try {
            body = text == null || text.isBlank() ? null : Json.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            respond(ctx, bad("bad_body", "The body is not JSON: " + e.getOriginalMessage(), List.of("body: not JSON")));
            return;
        }
        if (body == null || !body.isObject()) {
            respond(ctx, bad("bad_body", "Send a JSON object: {\"file\": \"kill-demo-shop.yaml\"} (a drill file of"
                    + " the drill dir) or {\"yaml\": \"<a drill file's text>\"}.", List.of("body: not a JSON object")));
            return;
        }
        List<String> unknown = new ArrayList<>();
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!name.equals("file") && !name.equals("yaml")) {
                unknown.add(name + ": not a field here; send file or yaml");
            }
        }
        JsonNode file = body.get("file");
        JsonNode yaml = body.get("yaml");
        if (!unknown.isEmpty()) {
            respond(ctx, bad("bad_body", "The body has fields that are not file or yaml.", unknown));
            return;
        }
        if ((file == null) == (yaml == null)) {
            respond(ctx, bad("bad_body", "Send exactly one of file (a drill file's name in the drill dir) and yaml"
                    + " (a drill file's text).", List.of(file == null ? "file, yaml: both missing"
                    : "file, yaml: both given")));
            return;
        }
        JsonNode given = file != null ? file : yaml;
        String field = file != null ? "file" : "yaml";
        if (!given.isTextual() || given.asText().isBlank()) {
            respond(ctx, bad("bad_body", field + " must be a non-empty string.", List.of(field + ": not a non-empty"
                    + " string")));
            return;
        }
        blocking(ctx, () -> {
            try {
                DrillService.Submitted submitted;
                if (file != null) {
                    submitted = service.submitFile(file.asText().trim());
                } else if (DrDrillFile.isDr(yaml.asText())) {
                    // Relative pid files of a posted DR drill resolve against the drill dir, like its files'.
                    DrillRun run = service.submitDr(DrDrillFile.parse(yaml.asText(), "yaml", service.dir()), null);
                    submitted = new DrillService.Submitted(run.id(), DrillFileInfo.DR, run.status(), run.drill());
                } else {
                    DrillRun run = service.submit(DrillFile.parse(yaml.asText(), "yaml"), null);
                    submitted = new DrillService.Submitted(run.id(), DrillFileInfo.DRILL, run.status(), run.drill());
                }
                LOG.info("{} {}: requested by {}", submitted.kind(), submitted.id(), author(ctx));
                Map<String, Object> answer = new LinkedHashMap<>();
                answer.put("id", submitted.id());
                answer.put("kind", submitted.kind());
                answer.put("status", submitted.status());
                answer.put(DrillFileInfo.GAMEDAY.equals(submitted.kind()) ? "name" : "drill", submitted.name());
                return new Answer(202, answer);
            } catch (DrillFileException e) {
                return bad("invalid_drill", e.source() + " has " + e.problems().size()
                        + (e.problems().size() == 1 ? " problem" : " problems") + "; fix "
                        + (e.problems().size() == 1 ? "it" : "them") + " and send it again. Nothing was run.",
                        e.problems().stream().map(p -> (file == null ? "yaml." : "") + p).toList());
            } catch (DrillService.QueueFullException e) {
                return new Answer(429, ApiError.of("queue_full", "Not queued: " + e.getMessage() + "."));
            } catch (IllegalArgumentException e) {
                return bad("bad_file", e.getMessage().substring(e.getMessage().indexOf(':') + 2)
                        + ". Nothing was run.", List.of(e.getMessage()));
            } catch (IllegalStateException e) {
                return new Answer(503, ApiError.of("unavailable", "Not queued: " + e.getMessage() + "."));
            }
        });
    }

    private static String author(RoutingContext ctx) {
        String author = ctx.request().getHeader("X-Reflex-Author");
        return author == null || author.isBlank() ? "anonymous" : author.trim();
    }

    private static Answer bad(String code, String message, List<String> details) {
        return new Answer(400, new ApiError(code, message, details));
    }

    private record Answer(int status, Object body) {
    }

    private void blocking(RoutingContext ctx, Callable<Answer> work) {
        vertx.executeBlocking(work, false).onComplete(done -> {
            if (done.succeeded()) {
                respond(ctx, done.result());
            } else {
                LOG.error("{} {} failed", ctx.request().method(), ctx.normalizedPath(), done.cause());
                respond(ctx, new Answer(500, ApiError.of("internal_error", "The drill request failed: "
                        + done.cause().getMessage() + ". Check Reflex's log, fix the cause and retry.")));
            }
        });
    }

    private void failure(RoutingContext ctx) {
        int code = ctx.statusCode();
        if (code == 413) {
            respond(ctx, new Answer(413, ApiError.of("payload_too_large", "The body is larger than " + MAX_BODY_BYTES
                    + " bytes; a drill file is far smaller.")));
        } else if (code >= 400 && code < 500) {
            respond(ctx, new Answer(code, ApiError.of("bad_request", "The request could not be read: "
                    + (ctx.failure() == null ? "HTTP " + code : ctx.failure().getMessage()))));
        } else {
            LOG.error("unexpected failure on {} {}", ctx.request().method(), ctx.normalizedPath(), ctx.failure());
            respond(ctx, new Answer(500, ApiError.of("internal_error", "The drill API failed unexpectedly. Retry,"
                    + " and report the error Reflex logged if it persists.")));
        }
    }

    private static void respond(RoutingContext ctx, Answer answer) {
        HttpServerResponse response = ctx.response();
        if (response.ended() || response.closed()) {
            return;
        }
        String json;
        try {
            json = Json.MAPPER.writeValueAsString(answer.body());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a response body of " + answer.body().getClass(), e);
        }
        response.setStatusCode(answer.status()).putHeader("Content-Type", "application/json")
                .putHeader("Cache-Control", "no-store").end(json);
    }
}
