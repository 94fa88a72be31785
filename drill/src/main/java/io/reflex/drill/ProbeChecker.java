package io.reflex.drill;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Runs a steady-state probe once: {@link #check} says whether the target is healthy, and if not, why. */
public final class ProbeChecker {
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
}
