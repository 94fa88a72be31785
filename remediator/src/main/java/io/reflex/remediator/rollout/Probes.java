package io.reflex.remediator.rollout;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** The built-in {@link Probe}: HTTP GET, TCP connect and commands run as argument lists. */
public final class Probes implements Probe {

    /** However long the gate may still wait, one check never takes longer than this. */
    static final Duration MAX_CHECK = Duration.ofSeconds(10);
    private static final Duration MIN_CHECK = Duration.ofMillis(100);

    private final HttpClient http;

    private Probes() {
        // No redirects: a gate checks the URL it was given, not wherever that sends it.
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(MAX_CHECK).build();
    }

    public static Probe builtIn() {
        return new Probes();
    }

    @Override
    public Result check(HealthGate gate, Duration timeout) throws InterruptedException {
        final Duration bounded = timeout.compareTo(MAX_CHECK) > 0 ? MAX_CHECK
                : timeout.compareTo(MIN_CHECK) < 0 ? MIN_CHECK : timeout;
        if (gate instanceof HealthGate.Http h) {
            return http(h, bounded);
        }
        if (gate instanceof HealthGate.Tcp t) {
            return tcp(t, bounded);
        }
        return command((HealthGate.Command) gate, bounded);
    }

    private Result http(HealthGate.Http gate, Duration timeout) throws InterruptedException {
        final HttpRequest request = HttpRequest.newBuilder(gate.url()).timeout(timeout).GET().build();
        try {
            final int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            return status >= 200 && status < 300 ? Result.healthy("HTTP " + status) : Result.unhealthy("HTTP " + status);
        } catch (HttpTimeoutException e) {
            return Result.unhealthy("no answer within " + PatchRollout.seconds(timeout));
        } catch (ConnectException e) {
            return Result.unhealthy("connection refused");
        } catch (IOException e) {
            return Result.unhealthy(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
    }

    private static Result tcp(HealthGate.Tcp gate, Duration timeout) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(gate.host(), gate.port()), (int) Math.max(1, timeout.toMillis()));
            return Result.healthy("connected");
        } catch (ConnectException e) {
            return Result.unhealthy("connection refused");
        } catch (IOException e) {
            return Result.unhealthy(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
    }

    private static Result command(HealthGate.Command gate, Duration timeout) throws InterruptedException {
        final Process process;
        try {
            process = new ProcessBuilder(gate.argv()).redirectInput(Redirect.from(nullFile()))
                    .redirectOutput(Redirect.DISCARD).redirectError(Redirect.DISCARD).start();
        } catch (IOException e) {
            return Result.unhealthy("cannot run " + gate.argv().get(0) + ": " + e.getMessage());
        }
        try {
            if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                process.destroyForcibly();
                return Result.unhealthy("did not exit within " + PatchRollout.seconds(timeout) + "; killed");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            throw e;
        }
        final int code = process.exitValue();
        return code == 0 ? Result.healthy("exit code 0") : Result.unhealthy("exit code " + code);
    }

    private static java.io.File nullFile() {
        return new java.io.File("/dev/null");
    }
}
