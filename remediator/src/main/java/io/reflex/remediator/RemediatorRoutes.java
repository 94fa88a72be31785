package io.reflex.remediator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.reflex.model.Action;
import io.reflex.model.ActionStatus;
import io.reflex.model.ApiError;
import io.reflex.model.Approval;
import io.reflex.model.Json;
import io.reflex.remediator.guard.Execution;
import io.reflex.remediator.guard.Guardrails;
import io.reflex.remediator.guard.KillSwitch;
import io.reflex.remediator.guard.Silence;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The remediator over HTTP, on the application's router:
 * <ul>
 *   <li>{@code GET /api/actions?status=AWAITING_APPROVAL}: the actions waiting for approval (any
 *       status may be asked for; without one, every action known);</li>
 *   <li>{@code POST /api/actions/{id}/approve}, {@code POST /api/actions/{id}/reject}: body
 *       {@code {"reason": "..."}} optional; 200 with the approval, 404 unknown, 409 decided;</li>
 *   <li>{@code POST /api/pause}, {@code POST /api/resume}: body {@code {"reason": "..."}} optional;
 *       200 with the kill switch's state;</li>
 *   <li>{@code GET /api/guardrails}: every limit with its usage, and the pause state;</li>
 *   <li>{@code POST /api/silences}: a silence as JSON → 201 with it (and its id), 422 listing
 *       every problem; {@code DELETE /api/silences/{id}} → 204, 404 unknown;</li>
 *   <li>{@code POST /api/guardrails/release/{target}}: the target (key such as {@code host:web-1})
 *       no longer counts as disrupted → 200.</li>
 * </ul>
 * The actor is the {@code X-Reflex-Author} header ({@code anonymous} without it). Changes are
 * answered 2xx only once written to Kafka (acks=all) and applied by this process. Errors are
 * {@link ApiError} bodies.
 */
public final class RemediatorRoutes {
    static final String AUTHOR_HEADER = "X-Reflex-Author";
    static final String ANONYMOUS = "anonymous";
    static final long MAX_BODY_BYTES = 64 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(RemediatorRoutes.class);

    /** One action as the list shows it. */
    public record ActionItem(String actionId, String incidentId, String type, String target, String rule,
            ActionStatus status, Approval approval, Action action) {
    }

    /** The {@code GET /api/guardrails} body. */
    public record GuardrailsView(boolean paused, Guardrails.Status guardrails) {
    }

    private final Remediator remediator;

    public RemediatorRoutes(Remediator remediator) {
        this.remediator = remediator;
    }

    public void mount(Router router) {
        BodyHandler body = BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES);
        router.get("/api/actions").handler(this::list).failureHandler(this::failure);
        router.post("/api/actions/:id/approve").handler(body).handler(ctx -> decide(ctx, Approval.State.APPROVED))
                .failureHandler(this::failure);
        router.post("/api/actions/:id/reject").handler(body).handler(ctx -> decide(ctx, Approval.State.REJECTED))
                .failureHandler(this::failure);
        router.post("/api/pause").handler(body).handler(ctx -> {
            String reason = reason(ctx);
            if (reason != null) {
                answer(ctx, 200, () -> remediator.pause(author(ctx), reason));
            }
        }).failureHandler(this::failure);
        router.post("/api/resume").handler(body).handler(ctx -> {
            String reason = reason(ctx);
            if (reason != null) {
                answer(ctx, 200, () -> remediator.resume(author(ctx), reason));
            }
        }).failureHandler(this::failure);
        router.get("/api/guardrails").handler(ctx -> {
            Guardrails guardrails = remediator.guardrails();
            KillSwitch.State state = guardrails.killSwitch().state();
            respond(ctx, 200, new GuardrailsView(state.paused(), guardrails.describe()));
        }).failureHandler(this::failure);
        router.post("/api/silences").handler(body).handler(this::addSilence).failureHandler(this::failure);
        router.delete("/api/silences/:id").handler(ctx -> answer(ctx, 204,
                () -> remediator.removeSilence(ctx.pathParam("id"), author(ctx)))).failureHandler(this::failure);
        router.post("/api/guardrails/release/:target").handler(body).handler(ctx -> {
            String reason = reason(ctx);
            String target = ctx.pathParam("target");
            if (reason != null) {
                answer(ctx, 200, () -> remediator.release(target, author(ctx), reason)
                        .thenApply(v -> Map.of("released", target)));
            }
        }).failureHandler(this::failure);
    }

    // --- handlers -------------------------------------------------------------------------

    private void list(RoutingContext ctx) {
        String wanted = ctx.request().getParam("status");
        ActionStatus status = null;
        if (wanted != null && !wanted.isBlank()) {
            try {
                status = ActionStatus.valueOf(wanted.trim().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                respond(ctx, 400, new ApiError("bad_status", "Unknown status '" + wanted + "'. Use one of "
                        + Arrays.toString(ActionStatus.values()) + ", e.g. ?status=AWAITING_APPROVAL",
                        List.of("status: " + wanted)));
                return;
            }
        }
        Map<String, ActionItem> items = new LinkedHashMap<>();
        for (Execution e : remediator.guardrails().activity().executions()) {
            if (e.action() != null) {
                items.put(e.actionId(), item(e.action(), e.status() == null ? ActionStatus.PENDING : e.status(), null));
            }
        }
        for (Approval a : remediator.approvals().all()) {
            ActionItem known = items.get(a.actionId());
            ActionStatus s = switch (a.state()) {
                case AWAITING -> ActionStatus.AWAITING_APPROVAL;
                case REJECTED -> ActionStatus.REJECTED;
                case EXPIRED -> ActionStatus.SKIPPED;
                // Approved: what it did since, as far as this process knows.
                case APPROVED -> known == null || known.status() == ActionStatus.AWAITING_APPROVAL
                        ? ActionStatus.PENDING : known.status();
            };
            items.put(a.actionId(), item(a.action(), s, a));
        }
        ActionStatus filter = status;
        respond(ctx, 200, items.values().stream().filter(i -> filter == null || i.status() == filter).toList());
    }

    private static ActionItem item(Action action, ActionStatus status, Approval approval) {
        return new ActionItem(action.id(), action.incidentId(), action.type().wireName(), action.target().key(),
                action.rule().name(), status, approval, action);
    }

    private void decide(RoutingContext ctx, Approval.State decision) {
        String reason = reason(ctx);
        if (reason == null) {
            return;
        }
        answer(ctx, 200, () -> remediator.decide(ctx.pathParam("id"), decision, author(ctx),
                reason.isEmpty() ? null : reason));
    }

    private void addSilence(RoutingContext ctx) {
        String text = ctx.body().asString();
        Silence silence;
        try {
            silence = text == null || text.isBlank() ? null : Json.MAPPER.readValue(text, Silence.class);
        } catch (JsonProcessingException e) {
            respond(ctx, 422, new ApiError("invalid_silence", "The silence could not be read. Send JSON such as "
                    + "{\"matchers\":[{\"name\":\"zone\",\"value\":\"eu-1\"}],\"until\":\"2026-12-01T06:00:00Z\","
                    + "\"comment\":\"...\"}", List.of(e.getOriginalMessage())));
            return;
        }
        if (silence == null) {
            respond(ctx, 422, new ApiError("invalid_silence", "The body is empty. Send the silence as JSON with "
                    + "matchers and until.", List.of("body: empty")));
            return;
        }
        List<String> problems = silence.validate("silence");
        if (!problems.isEmpty()) {
            respond(ctx, 422, new ApiError("invalid_silence", "The silence has " + problems.size()
                    + " problem(s); fix them and send it again.", problems));
            return;
        }
        answer(ctx, 201, () -> remediator.addSilence(silence, author(ctx)));
    }

    // --- helpers --------------------------------------------------------------------------

    private static String author(RoutingContext ctx) {
        String author = ctx.request().getHeader(AUTHOR_HEADER);
        return author == null || author.isBlank() ? ANONYMOUS : author.trim();
    }

    /** The optional {@code reason} of a JSON body: "" when absent, null when the body is bad (answered 400). */
    private static String reason(RoutingContext ctx) {
        String text = ctx.body() == null ? null : ctx.body().asString();
        if (text == null || text.isBlank()) {
            return "";
        }
        try {
            JsonNode node = Json.MAPPER.readTree(text);
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException("the body is not a JSON object");
            }
            JsonNode reason = node.get("reason");
            return reason == null || reason.isNull() ? "" : reason.asText();
        } catch (JsonProcessingException | IllegalArgumentException e) {
            respond(ctx, 400, new ApiError("bad_body", "The body must be a JSON object such as "
                    + "{\"reason\": \"why\"}, or empty.", List.of(e.getMessage())));
            return null;
        }
    }

    /** Answers once the remediator's future completes, on the request's context. */
    private <T> void answer(RoutingContext ctx, int status, java.util.function.Supplier<CompletableFuture<T>> call) {
        Context context = Vertx.currentContext();
        CompletableFuture<T> future;
        try {
            future = call.get();
        } catch (RuntimeException e) {
            future = CompletableFuture.failedFuture(e);
        }
        future.whenComplete((value, error) -> context.runOnContext(v -> {
            if (error == null) {
                if (status == 204) {
                    ctx.response().setStatusCode(204).end();
                } else {
                    respond(ctx, status, value);
                }
            } else {
                error(ctx, error instanceof CompletionException && error.getCause() != null ? error.getCause() : error);
            }
        }));
    }

    private void error(RoutingContext ctx, Throwable error) {
        if (error instanceof NoSuchElementException) {
            respond(ctx, 404, ApiError.of("not_found", error.getMessage()));
        } else if (error instanceof IllegalStateException) {
            respond(ctx, 409, ApiError.of("conflict", error.getMessage()));
        } else if (error instanceof IllegalArgumentException) {
            respond(ctx, 422, new ApiError("invalid", "The request has problems; fix them and send it again.",
                    List.of(error.getMessage().split("; "))));
        } else {
            LOG.error("{} {} failed", ctx.request().method(), ctx.normalizedPath(), error);
            respond(ctx, 503, new ApiError("unavailable", "The change could not be written to Kafka (" + error
                    + "); nothing was changed. Check that Kafka is reachable and retry.", List.of()));
        }
    }

    private void failure(RoutingContext ctx) {
        int code = ctx.statusCode();
        if (code == 413) {
            respond(ctx, 413, ApiError.of("payload_too_large", "The body is larger than " + MAX_BODY_BYTES
                    + " bytes; send a smaller one."));
        } else if (code >= 400 && code < 500) {
            respond(ctx, code, ApiError.of("bad_request", "The request could not be read: "
                    + (ctx.failure() == null ? "HTTP " + code : ctx.failure().getMessage())));
        } else {
            LOG.error("unexpected failure on {} {}", ctx.request().method(), ctx.normalizedPath(), ctx.failure());
            respond(ctx, 500, ApiError.of("internal_error", "The remediator failed unexpectedly. Retry, and report "
                    + "the error Reflex logged if it persists."));
        }
    }

    private static void respond(RoutingContext ctx, int status, Object body) {
        HttpServerResponse response = ctx.response();
        if (response.ended() || response.closed()) {
            return;
        }
        String json;
        try {
            json = Json.MAPPER.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a response body of " + body.getClass().getSimpleName(), e);
        }
        response.setStatusCode(status).putHeader("Content-Type", "application/json").end(json);
    }
}
