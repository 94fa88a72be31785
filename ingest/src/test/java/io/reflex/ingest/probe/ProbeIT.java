package io.reflex.ingest.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.reflex.ingest.AlertSink;
import io.reflex.ingest.IngestMetrics;
import io.reflex.ingest.ResourceMapper;
import io.reflex.model.AlertEvent;
import io.reflex.model.AlertStatus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each kind of probe against a real target: a TCP port that closes and opens again, real
 * programs (coreutils, run without a shell) and an HTTP server whose body changes. The probes
 * run in a deployed {@link ProbeRunner}; the Kafka path is {@code HttpProbeIT}'s.
 */
class ProbeIT {

    private static final Duration BOUND = Duration.ofSeconds(30);
    private static final Duration FAST = Duration.ofMillis(200);

    private Vertx vertx;
    private final CollectingSink sink = new CollectingSink();

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void stop() throws Exception {
        join(vertx.close());
    }

    @Test
    void tcpProbeFiresWhenThePortClosesAndResolvesWhenItListensAgain() throws Exception {
        ServerSocket listening = listen(0);
        int port = listening.getLocalPort();
        run(ProbeConfig.tcp("orders-db", "127.0.0.1", port, Map.of("service", "orders-db"))
                .withTiming(FAST, Duration.ofMillis(500), 2, 1));
        Probe probe = runner.running().get(0);
        await().atMost(BOUND).until(() -> probe.checks() >= 3);
        assertThat(sink.events()).as("a listening port is healthy").isEmpty();

        listening.close();
        await().atMost(BOUND).until(() -> sink.events().size() == 1);
        assertThat(sink.events().get(0).status()).isEqualTo(AlertStatus.FIRING);
        assertThat(sink.events().get(0).annotations())
                .containsEntry("summary", "TCP connect 127.0.0.1:" + port + ": connection refused")
                .containsEntry("address", "127.0.0.1:" + port);

        ServerSocket again = listen(port);
        try {
            await().atMost(BOUND).until(() -> sink.events().size() == 2);
        } finally {
            again.close();
        }
        assertThat(sink.events().get(1).status()).isEqualTo(AlertStatus.RESOLVED);
        assertThat(sink.events().get(1).annotations())
                .containsEntry("summary", "TCP connect 127.0.0.1:" + port + ": healthy again (connected)");
    }

    @Test
    void commandProbeFollowsTheExitCodeOfARealProgram(@TempDir Path dir) throws Exception {
        Path ready = Files.createFile(dir.resolve("ready"));
        run(ProbeConfig.command("ready-file", List.of("test", "-e", ready.toString()), Map.of("service", "batch"))
                .withTiming(FAST, Duration.ofSeconds(5), 1, 1));
        Probe probe = runner.running().get(0);
        await().atMost(BOUND).until(() -> probe.checks() >= 2);
        assertThat(sink.events()).as("exit code 0 is healthy").isEmpty();

        Files.delete(ready);
        await().atMost(BOUND).until(() -> sink.events().size() == 1);
        assertThat(sink.events().get(0).annotations())
                .containsEntry("summary", "run test -e " + ready + ": exit code 1")
                .containsEntry("command", "test -e " + ready);

        Files.createFile(ready);
        await().atMost(BOUND).until(() -> sink.events().size() == 2);
        assertThat(sink.events()).extracting(AlertEvent::status)
                .containsExactly(AlertStatus.FIRING, AlertStatus.RESOLVED);
    }

    @Test
    void httpProbeFiresWhenTheBodyStopsMatchingThoughTheStatusStays200() throws Exception {
        StringBuilder body = new StringBuilder("cache: ok\ndb: ok\n");
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/health", exchange -> {
            byte[] bytes;
            synchronized (body) {
                bytes = body.toString().getBytes(StandardCharsets.UTF_8);
            }
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/health";
            run(ProbeConfig.http("shop", url, Map.of("service", "shop"))
                    .withExpectations(null, "cache: ok", "(?m)^db: (ok|degraded)$")
                    .withTiming(FAST, Duration.ofSeconds(2), 2, 1));
            Probe probe = runner.running().get(0);
            await().atMost(BOUND).until(() -> probe.checks() >= 3);
            assertThat(sink.events()).isEmpty();

            synchronized (body) {
                body.replace(0, body.length(), "cache: ok\ndb: down\n");
            }
            await().atMost(BOUND).until(() -> sink.events().size() == 1);
            assertThat(sink.events().get(0).annotations()).containsEntry("summary",
                    "GET " + url + ": HTTP 200, body does not match /(?m)^db: (ok|degraded)$/");

            synchronized (body) {
                body.replace(0, body.length(), "cache: ok\ndb: degraded\n");
            }
            await().atMost(BOUND).until(() -> sink.events().size() == 2);
            assertThat(sink.events().get(1).status()).isEqualTo(AlertStatus.RESOLVED);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void httpProbeReadsOnlyTheStartOfAHugeBodyAndHangsUp() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        byte[] chunk = "x".repeat(64 * 1024).getBytes(StandardCharsets.UTF_8);
        AtomicBoolean hungUp = new AtomicBoolean();
        server.createContext("/huge", exchange -> {
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                for (int i = 0; i < 4 * 1024; i++) { // 256 MiB, unless the client hangs up first
                    out.write(chunk);
                }
            } catch (IOException e) {
                hungUp.set(true);
            }
        });
        server.start();
        HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false));
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/huge";
            ProbeConfig config = ProbeConfig.http("huge", url, Map.of())
                    .withExpectations(null, "needle", null)
                    .withTiming(FAST, Duration.ofSeconds(10), 1, 1);

            CheckResult result = join(new HttpCheck(client, config).run());

            assertThat(result).isEqualTo(
                    CheckResult.down("HTTP 200, first 64 KiB of the body does not contain \"needle\""));
            await("the server sees the client hang up before the end").atMost(BOUND).untilTrue(hungUp);
        } finally {
            join(client.close());
            server.stop(0);
        }
    }

    @Test
    void theLastLinesOfACommandsOutputReachTheSummary() throws Exception {
        // ls writes its complaints to stderr and exits 2.
        CheckResult result = check(ProbeConfig.command("listing",
                List.of("ls", "/reflex-no-such-dir-1", "/reflex-no-such-dir-2"), Map.of()));

        assertThat(result.healthy()).isFalse();
        assertThat(result.detail()).isEqualTo("exit code 2");
        // Matched loosely: ls quotes the names differently in other locales.
        assertThat(result.output().lines().toList()).satisfiesExactly(
                line -> assertThat(line).startsWith("ls: ").contains("/reflex-no-such-dir-1", "No such file"),
                line -> assertThat(line).startsWith("ls: ").contains("/reflex-no-such-dir-2", "No such file"));
    }

    @Test
    void aChattyCommandNeitherBlocksNorFloodsTheSummary() throws Exception {
        // About 7 MB of output: a pipe nobody reads would stop it after 64 KiB.
        CheckResult result = check(ProbeConfig.command("chatty", List.of("seq", "1", "1000000"), Map.of())
                .withExpectExitCode(1).withTiming(FAST, Duration.ofSeconds(20), 1, 1));

        assertThat(result).isEqualTo(CheckResult.down("exit code 0 (expected 1)",
                "999996\n999997\n999998\n999999\n1000000"));
    }

    @Test
    void healthyAndUnhealthyExitCodesOfTrueAndFalse() throws Exception {
        assertThat(check(ProbeConfig.command("t", List.of("true"), Map.of()))).isEqualTo(CheckResult.up("exit code 0"));
        assertThat(check(ProbeConfig.command("f", List.of("false"), Map.of())))
                .isEqualTo(CheckResult.down("exit code 1"));
        assertThat(check(ProbeConfig.command("f", List.of("false"), Map.of()).withExpectExitCode(1)))
                .isEqualTo(CheckResult.up("exit code 1"));
    }

    @Test
    void aMissingProgramIsAnUnhealthyCheckThatSaysSo() throws Exception {
        assertThat(check(ProbeConfig.command("missing", List.of("reflex-no-such-program", "--flag"), Map.of())))
                .isEqualTo(CheckResult.down("cannot run reflex-no-such-program: No such file or directory"));
    }

    @Test
    void argumentsReachTheProgramAsTheyAreWithoutAShell() throws Exception {
        // A shell would expand the glob, the variable and the command substitution. Expecting
        // exit code 1 makes the check fail, so that it keeps the output.
        CheckResult result = check(ProbeConfig.command("echo", List.of("printf", "%s|", "*", "$HOME", "$(id)", "a b"),
                Map.of()).withExpectExitCode(1));

        assertThat(result.output()).isEqualTo("*|$HOME|$(id)|a b|");
    }

    @Test
    void aCommandPastItsTimeoutIsKilledWithTheProcessesItStarted() throws Exception {
        // coreutils' timeout runs sleep as its child: killing only timeout would leave sleep behind.
        String marker = "987.654321";
        ProbeConfig config = ProbeConfig.command("hangs", List.of("timeout", "600", "sleep", marker), Map.of())
                .withTiming(FAST, Duration.ofSeconds(3), 1, 1);

        try {
            CompletableFuture<CheckResult> result = start(config);
            ProcessHandle sleeper = await().atMost(BOUND).until(() -> sleepWith(marker), Optional::isPresent)
                    .orElseThrow();
            CheckResult outcome = result.get(BOUND.toSeconds(), TimeUnit.SECONDS);

            assertThat(outcome).isEqualTo(CheckResult.down("no exit within 3000 ms; killed it", ""));
            await().atMost(BOUND).until(() -> !sleeper.isAlive());
        } finally {
            sleepWith(marker).ifPresent(ProcessHandle::destroyForcibly); // only if the test failed
        }
    }

    @Test
    void stoppingTheRunnerKillsACommandStillRunning() throws Exception {
        String marker = "876.54321";
        try {
            run(ProbeConfig.command("long", List.of("sleep", marker), Map.of())
                    .withTiming(FAST, Duration.ofMinutes(5), 1, 1));
            ProcessHandle sleeper = await().atMost(BOUND).until(() -> sleepWith(marker), Optional::isPresent)
                    .orElseThrow();

            join(vertx.undeploy(deployment));

            await().atMost(BOUND).until(() -> !sleeper.isAlive());
        } finally {
            sleepWith(marker).ifPresent(ProcessHandle::destroyForcibly); // only if the test failed
        }
    }

    // --- harness ---

    private ProbeRunner runner;
    private String deployment;

    private void run(ProbeConfig config) throws Exception {
        assertThat(config.problems("probe")).isEmpty();
        runner = new ProbeRunner(List.of(config), new ResourceMapper(), sink, new IngestMetrics(new PrometheusRegistry()),
                Clock.systemUTC());
        deployment = join(vertx.deployVerticle(runner));
    }

    /** One check of a command, on a worker pool as the runner does it. */
    private CheckResult check(ProbeConfig config) throws Exception {
        return start(config).get(BOUND.toSeconds(), TimeUnit.SECONDS);
    }

    private CompletableFuture<CheckResult> start(ProbeConfig config) {
        assertThat(config.problems("probe")).isEmpty();
        WorkerExecutor workers = vertx.createSharedWorkerExecutor("probe-it", 2);
        return new CommandCheck(workers, config).run().toCompletionStage().toCompletableFuture();
    }

    private static Optional<ProcessHandle> sleepWith(String marker) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().command().map(c -> c.endsWith("/sleep")).orElse(false))
                .filter(p -> p.info().arguments().map(a -> List.of(a).contains(marker)).orElse(false))
                .findFirst();
    }

    private static ServerSocket listen(int port) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return socket;
    }

    private static <T> T join(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(1, TimeUnit.MINUTES);
    }

    /** Keeps what the probes send, in order; the runner calls it from its context. */
    private static final class CollectingSink implements AlertSink {
        private final List<AlertEvent> events = new CopyOnWriteArrayList<>();

        @Override
        public CompletionStage<Void> publish(List<AlertEvent> batch) {
            events.addAll(batch);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public Duration ackTimeout() {
            return Duration.ofSeconds(5);
        }

        List<AlertEvent> events() {
            return List.copyOf(events);
        }
    }
}
