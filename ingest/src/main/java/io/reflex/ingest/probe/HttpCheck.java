package io.reflex.ingest.probe;

import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.RequestOptions;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One {@code GET} of a probe's URL with the Vert.x HTTP client: async, on the caller's context.
 * Healthy is any 2xx within the timeout; everything else is described for the alert summary
 * ({@code HTTP 503}, {@code connection refused}, {@code no answer within 1000 ms}). The future
 * never fails.
 */
public final class HttpCheck implements Supplier<Future<CheckResult>> {

    private final HttpClient client;
    private final ProbeConfig config;

    public HttpCheck(HttpClient client, ProbeConfig config) {
        this.client = client;
        this.config = config;
    }

    @Override
    public Future<CheckResult> get() {
        long timeoutMs = config.timeout().toMillis();
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setAbsoluteURI(config.url())
                .setConnectTimeout(timeoutMs)
                .setIdleTimeout(timeoutMs)
                .setFollowRedirects(false);
        return client.request(options)
                .compose(request -> request.send())
                .compose(response -> response.body().map(ignored -> response))
                .timeout(timeoutMs, TimeUnit.MILLISECONDS)
                .map(HttpCheck::judge)
                .otherwise(error -> CheckResult.down(describe(error, timeoutMs)));
    }

    private static CheckResult judge(HttpClientResponse response) {
        int code = response.statusCode();
        String detail = "HTTP " + code;
        return code >= 200 && code < 300 ? CheckResult.up(detail) : CheckResult.down(detail);
    }

    /** Short, stable descriptions: they end up in alert annotations that people read. */
    static String describe(Throwable error, long timeoutMs) {
        if (error instanceof ConnectException && String.valueOf(error.getMessage()).contains("refused")) {
            return "connection refused";
        }
        if (error instanceof UnknownHostException) {
            return "unknown host " + error.getMessage();
        }
        if (error instanceof java.util.concurrent.TimeoutException
                || error.getClass().getSimpleName().contains("Timeout")) {
            return "no answer within " + timeoutMs + " ms";
        }
        String message = error.getMessage();
        return message == null ? error.getClass().getSimpleName() : message;
    }
}
