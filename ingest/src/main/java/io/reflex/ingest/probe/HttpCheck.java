package io.reflex.ingest.probe;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * One {@code GET} of a probe's URL with the Vert.x HTTP client: async, on the caller's context.
 * Healthy is a status in {@code expectStatus} (default any 2xx) within the timeout and, when
 * asked, a body whose first {@link #BODY_LIMIT} bytes contain {@code bodyContains} and match
 * {@code bodyMatches}. Everything else is described for the alert summary ({@code HTTP 503},
 * {@code connection refused}, {@code no answer within 1000 ms}). The future never fails.
 */
public final class HttpCheck implements Check {

    /** The part of the body that is read and judged: a health page is small, a wrong URL may be huge. */
    public static final int BODY_LIMIT = 64 * 1024;

    private final HttpClient client;
    private final ProbeConfig config;
    private final Pattern bodyMatches;

    public HttpCheck(HttpClient client, ProbeConfig config) {
        this.client = client;
        this.config = config;
        this.bodyMatches = config.bodyMatches() == null ? null : Pattern.compile(config.bodyMatches());
    }

    @Override
    public Future<CheckResult> run() {
        long timeoutMs = config.timeout().toMillis();
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setAbsoluteURI(config.url())
                .setConnectTimeout(timeoutMs)
                .setIdleTimeout(timeoutMs)
                .setFollowRedirects(false);
        return client.request(options)
                .compose(request -> request.send())
                .compose(response -> readPrefix(response)
                        .map(body -> judge(response.statusCode(), body.toString(StandardCharsets.UTF_8),
                                body.length() < BODY_LIMIT, config.expectStatus(), config.bodyContains(), bodyMatches)))
                .timeout(timeoutMs, TimeUnit.MILLISECONDS)
                .otherwise(error -> CheckResult.down(Failures.describe(error, timeoutMs)));
    }

    /**
     * The body up to {@link #BODY_LIMIT} bytes. Past that the request is reset, which closes the
     * connection (it is not reused anyway) instead of downloading the rest.
     */
    private static Future<Buffer> readPrefix(HttpClientResponse response) {
        Promise<Buffer> done = Promise.promise();
        Buffer prefix = Buffer.buffer();
        response.handler(chunk -> {
            int room = BODY_LIMIT - prefix.length();
            if (room > 0) {
                prefix.appendBuffer(chunk, 0, Math.min(room, chunk.length()));
            }
            if (prefix.length() >= BODY_LIMIT && done.tryComplete(prefix)) {
                response.request().reset();
            }
        });
        response.endHandler(ignored -> done.tryComplete(prefix));
        response.exceptionHandler(done::tryFail);
        return done.future();
    }

    /**
     * The verdict on one answer.
     *
     * @param body         the body, or its first {@link #BODY_LIMIT} bytes
     * @param complete     whether {@code body} is the whole body
     * @param expectStatus healthy status codes; empty means any 2xx
     * @param contains     text the body must contain, or null
     * @param matches      a pattern that must be found in the body, or null
     */
    static CheckResult judge(int status, String body, boolean complete, List<Integer> expectStatus, String contains,
            Pattern matches) {
        String detail = "HTTP " + status;
        boolean statusOk = expectStatus.isEmpty() ? status >= 200 && status < 300 : expectStatus.contains(status);
        if (!statusOk) {
            return CheckResult.down(expectStatus.isEmpty() ? detail : detail + " (expected " + expectStatus + ")");
        }
        String where = complete ? "body" : "first " + BODY_LIMIT / 1024 + " KiB of the body";
        if (contains != null && !body.contains(contains)) {
            return CheckResult.down(detail + ", " + where + " does not contain \"" + contains + "\"");
        }
        if (matches != null && !matches.matcher(body).find()) {
            return CheckResult.down(detail + ", " + where + " does not match /" + matches.pattern() + "/");
        }
        return CheckResult.up(detail);
    }
}
