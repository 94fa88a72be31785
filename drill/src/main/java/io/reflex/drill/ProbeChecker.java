package io.reflex.drill;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflex.model.Json;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Runs a steady-state probe once: {@link #check} says whether the target is healthy, and if not,
 * why. Not final: runner tests answer checks without a network.
 */
public class ProbeChecker {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** The outcome of one check; {@code detail} says what was seen. */
    public record Check(boolean ok, String detail) {
    }

    public Check check(SteadyState steady) {
        Duration timeout = steady.timeout();
        try {
            SteadyState.Probe probe = steady.probe();
            if (probe instanceof SteadyState.Http h) {
                HttpResponse<Void> answer = http.send(HttpRequest.newBuilder(URI.create(h.url())).timeout(timeout)
                        .GET().build(), HttpResponse.BodyHandlers.discarding());
                return new Check(answer.statusCode() == h.expectStatus(), "HTTP " + answer.statusCode());
            }
            if (probe instanceof SteadyState.Prometheus p) {
                return prometheus(p, timeout);
            }
            if (probe instanceof SteadyState.Tcp t) {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(t.host(), t.port()), (int) timeout.toMillis());
                    return new Check(true, "connected");
                }
            }
            SteadyState.Command c = (SteadyState.Command) probe;
            Process process = new ProcessBuilder(c.argv()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                return new Check(false, "still running after " + Verdict.human(timeout));
            }
            return new Check(process.exitValue() == 0, "exit code " + process.exitValue());
        } catch (IOException e) {
            return new Check(false, e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Check(false, "interrupted");
        }
    }

    /** Steady when the instant query returns at least one sample and every value is non-zero. */
    private Check prometheus(SteadyState.Prometheus p, Duration timeout) throws IOException, InterruptedException {
        if (p.url() == null) {
            return new Check(false, "no Prometheus URL: set prometheus.url in the drill file or the runner's");
        }
        String base = p.url().toString().replaceAll("/+$", "");
        URI uri = URI.create(base + "/api/v1/query?query=" + URLEncoder.encode(p.query(), StandardCharsets.UTF_8));
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(uri).timeout(timeout).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode body;
        try {
            body = Json.MAPPER.readTree(answer.body());
        } catch (IOException e) {
            return new Check(false, "HTTP " + answer.statusCode() + " from " + base + ", not Prometheus JSON");
        }
        if (answer.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
            return new Check(false, "query failed (HTTP " + answer.statusCode() + "): " + body.path("error").asText("?"));
        }
        JsonNode data = body.path("data");
        JsonNode result = data.path("result");
        if ("scalar".equals(data.path("resultType").asText())) {
            return value(result.path(1).asText());
        }
        if (!result.isArray() || result.isEmpty()) {
            return new Check(false, "no samples");
        }
        for (JsonNode sample : result) {
            Check one = value(sample.path("value").path(1).asText());
            if (!one.ok()) {
                return new Check(false, one.detail() + " for " + sample.path("metric"));
            }
        }
        return new Check(true, result.size() + (result.size() == 1 ? " sample" : " samples") + ", all non-zero");
    }

    private static Check value(String text) {
        try {
            double v = Double.parseDouble(text);
            return Double.isNaN(v) || v == 0 ? new Check(false, "value " + text) : new Check(true, "value " + text);
        } catch (NumberFormatException e) {
            return new Check(false, "value '" + text + "' is not a number");
        }
    }
}
