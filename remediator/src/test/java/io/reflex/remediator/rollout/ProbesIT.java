package io.reflex.remediator.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built-in gate checks against a real HTTP server, a real socket and real programs. */
class ProbesIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private final Probe probe = Probes.builtIn();

    @TempDir
    Path dir;

    @Test
    void httpIsHealthyOn2xxOnly() throws Exception {
        final HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/ok", e -> { e.sendResponseHeaders(204, -1); e.close(); });
        server.createContext("/moved", e -> { e.getResponseHeaders().add("Location", "/ok"); e.sendResponseHeaders(302, -1); e.close(); });
        server.createContext("/down", e -> { e.sendResponseHeaders(503, -1); e.close(); });
        server.start();
        try {
            final String base = "http://127.0.0.1:" + server.getAddress().getPort();
            assertThat(probe.check(new HealthGate.Http(URI.create(base + "/ok")), TIMEOUT)).isEqualTo(Probe.Result.healthy("HTTP 204"));
            assertThat(probe.check(new HealthGate.Http(URI.create(base + "/moved")), TIMEOUT)).isEqualTo(Probe.Result.unhealthy("HTTP 302"));
            assertThat(probe.check(new HealthGate.Http(URI.create(base + "/down")), TIMEOUT)).isEqualTo(Probe.Result.unhealthy("HTTP 503"));
        } finally {
            server.stop(0);
        }
        assertThat(probe.check(new HealthGate.Http(URI.create("http://127.0.0.1:" + closedPort() + "/ok")), TIMEOUT))
                .isEqualTo(Probe.Result.unhealthy("connection refused"));
    }

    @Test
    void tcpIsHealthyWhenAConnectionIsAccepted() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThat(probe.check(new HealthGate.Tcp("127.0.0.1", socket.getLocalPort()), TIMEOUT))
                    .isEqualTo(Probe.Result.healthy("connected"));
        }
        assertThat(probe.check(new HealthGate.Tcp("127.0.0.1", closedPort()), TIMEOUT))
                .isEqualTo(Probe.Result.unhealthy("connection refused"));
    }

    @Test
    void aCommandIsHealthyOnExitZeroAndItsArgumentsReachNoShell() throws Exception {
        final Path marker = dir.resolve("pwned");
        assertThat(probe.check(new HealthGate.Command(List.of("true")), TIMEOUT)).isEqualTo(Probe.Result.healthy("exit code 0"));
        assertThat(probe.check(new HealthGate.Command(List.of("false")), TIMEOUT)).isEqualTo(Probe.Result.unhealthy("exit code 1"));
        // One argument, passed as is: without a shell, "; touch" is text for echo, not a second command.
        assertThat(probe.check(new HealthGate.Command(List.of("echo", "x; touch " + marker)), TIMEOUT).healthy()).isTrue();
        assertThat(Files.exists(marker)).isFalse();
        assertThat(probe.check(new HealthGate.Command(List.of("sleep", "30")), Duration.ofMillis(300)))
                .isEqualTo(Probe.Result.unhealthy("did not exit within 0.3s; killed"));
        assertThat(probe.check(new HealthGate.Command(List.of(dir.resolve("missing").toString())), TIMEOUT).detail())
                .startsWith("cannot run " + dir.resolve("missing"));
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
