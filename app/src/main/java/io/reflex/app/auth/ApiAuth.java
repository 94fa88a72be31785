package io.reflex.app.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.reflex.model.ApiError;
import io.reflex.model.Json;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Guards every {@code /api} route of the router: a request needs {@code Authorization: Bearer
 * <token>} of a configured {@link ApiToken} ({@code 401} otherwise) whose role has the
 * {@link Permission} the {@link PermissionTable} names ({@code 403} otherwise). It then overwrites
 * {@code X-Reflex-Author} with the token's name, so the routes record who made each change
 * whatever the caller claimed. {@code /health}, {@code /metrics}, {@code /hooks} (their own
 * credentials) and the console's static files are not under {@code /api} and pass untouched.
 *
 * <p>Tokens travel only in the header (never cookies) and CORS is not enabled, so a page of
 * another site cannot make an authenticated call: no CSRF token is needed.
 */
public final class ApiAuth {
    public static final String AUTHOR_HEADER = "X-Reflex-Author";
    /** The routing-context key under which the caller's {@link ApiToken} is kept for later handlers. */
    public static final String TOKEN_KEY = "reflex.apiToken";
    private static final Logger log = LoggerFactory.getLogger(ApiAuth.class);
    private static final String BEARER = "bearer ";

    private final List<ApiToken> tokens;
    private final List<byte[]> digests;

    public ApiAuth(List<ApiToken> tokens) {
        if (tokens.isEmpty()) {
            throw new IllegalArgumentException("ApiAuth needs at least one token; without, nothing could call /api");
        }
        this.tokens = List.copyOf(tokens);
        this.digests = this.tokens.stream().map(ApiToken::digest).toList();
    }

    /** Puts the guard before every route, whenever those are added, and adds {@code GET /api/whoami}. */
    public void mount(Router router) {
        router.route().order(Integer.MIN_VALUE).handler(this::handle);
        router.get("/api/whoami").handler(this::whoami);
    }

    /** The token the bearer value is, compared in constant time; null when none is. */
    ApiToken authenticate(String authorization) {
        if (authorization == null || authorization.length() <= BEARER.length()
                || !authorization.substring(0, BEARER.length()).toLowerCase(Locale.ROOT).equals(BEARER)) {
            return null;
        }
        byte[] presented = ApiToken.sha256(authorization.substring(BEARER.length()).strip());
        ApiToken found = null;
        // No early exit: every token is compared, so the time does not tell which one matched.
        for (int i = 0; i < digests.size(); i++) {
            if (MessageDigest.isEqual(digests.get(i), presented) && found == null) {
                found = tokens.get(i);
            }
        }
        return found;
    }

    private void handle(RoutingContext ctx) {
        String path = ctx.normalizedPath();
        if (!PermissionTable.isApi(path)) {
            ctx.next();
            return;
        }
        String method = ctx.request().method().name();
        String authorization = ctx.request().getHeader("Authorization");
        ApiToken token = authenticate(authorization);
        if (token == null) {
            boolean missing = authorization == null || authorization.isBlank();
            log.info("Refused {} {}: {}", method, path, missing ? "no token" : "not a valid bearer token");
            ctx.response().putHeader("WWW-Authenticate", missing ? "Bearer realm=\"reflex\""
                    : "Bearer realm=\"reflex\", error=\"invalid_token\"");
            respond(ctx, 401, ApiError.of("unauthorized", missing
                    ? "This API needs a token: send it as the header Authorization: Bearer <token>. Tokens are"
                    + " configured under auth.tokens; without any, `reflex up` prints where its admin token is."
                    : "The token is not valid. Send a configured token as Authorization: Bearer <token>."));
            return;
        }
        Permission needed = PermissionTable.required(method, path);
        if (!token.role().has(needed)) {
            log.info("Refused {} {} to token '{}': role {} lacks {}", method, path, token.name(), token.role().id(),
                    needed.id());
            respond(ctx, 403, ApiError.of("forbidden", method + " " + path + " needs role "
                    + needed.leastRole().id() + (needed == Permission.ADMIN ? "" : " or admin") + "; token '"
                    + token.name() + "' has role " + token.role().id() + "."));
            return;
        }
        ctx.request().headers().set(AUTHOR_HEADER, token.name());
        ctx.put(TOKEN_KEY, token);
        ctx.next();
    }

    private void whoami(RoutingContext ctx) {
        ApiToken token = ctx.get(TOKEN_KEY);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", token.name());
        body.put("role", token.role().id());
        body.put("permissions", token.role().permissionIds());
        respond(ctx, 200, body);
    }

    private static void respond(RoutingContext ctx, int status, Object body) {
        try {
            ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                    .putHeader("Cache-Control", "no-store").end(Json.MAPPER.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            ctx.fail(e);
        }
    }
}
