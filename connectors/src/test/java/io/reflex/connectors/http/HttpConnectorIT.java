package io.reflex.connectors.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.reflex.connectors.spi.Connector;
import io.reflex.connectors.spi.ConnectorContext;
import io.reflex.connectors.spi.Outcome;
import io.reflex.model.ActionMode;
import io.reflex.model.ActionStatus;
import io.reflex.model.ActionType;
import io.reflex.model.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The http connector against a real HTTP server on loopback, created through its provider. */
class HttpConnectorIT {

    private static final Clock CLOCK = Clock.systemUTC();
    private static final String TOKEN = "tok-5ecr3t-0nca11";
    private static final Secrets SECRETS = new Secrets(Map.of("ONCALL_TOKEN", TOKEN)::get);

    @TempDir
    Path dataDir;

    /** What the server received, one entry per request. */
    private record Received(String method, String path, Map<String, List<String>> headers, String body) {
        String header(String name) {
            final List<String> values = headers.get(name);
            return values == null ? null : String.join(",", values);
        }
    }

    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    /** Released at the end, so a handler kept waiting (the timeout test) lets the server stop. */
    private final CountDownLatch release = new CountDownLatch(1);
    private final ExecutorService handlers = Executors.newCachedThreadPool();
    private final StringWriter logs = new StringWriter();
    private HttpServer server;
    private String base;
    private Connector connector;
    private WriterAppender capture;
    private Level levelBefore;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(handlers);
        server.createContext("/hook", exchange -> answer(exchange, 200, "ok, queued as msg-17"));
        server.createContext("/echo", exchange -> answer(exchange, 200, "you sent Authorization="
                + exchange.getRequestHeaders().getFirst("Authorization")));
        server.createContext("/status/", exchange -> {
            final String path = exchange.getRequestURI().getPath();
            answer(exchange, Integer.parseInt(path.substring(path.lastIndexOf('/') + 1)), "status page");
        });
        server.createContext("/moved", exchange -> {
            exchange.getResponseHeaders().add("Location", base + "/hook");
            answer(exchange, 302, "");
        });
        server.createContext("/slow", exchange -> {
            record(exchange);
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();

        // Every line this module logs, at every level, to look for secrets in.
        final LoggerContext context = LoggerContext.getContext(false);
        capture = WriterAppender.newBuilder().setName("capture-" + System.nanoTime()).setTarget(logs)
                .setLayout(PatternLayout.newBuilder().withPattern("%level %msg %throwable%n").build()).build();
        capture.start();
        final LoggerConfig reflex = context.getConfiguration().getLoggerConfig("io.reflex");
        levelBefore = reflex.getLevel();
        reflex.setLevel(Level.ALL);
        reflex.addAppender(capture, Level.ALL, null);
        context.updateLoggers();
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (connector != null) {
            connector.close();
        }
        release.countDown();
        server.stop(0);
        handlers.shutdownNow();
        assertThat(handlers.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        final LoggerContext context = LoggerContext.getContext(false);
        final LoggerConfig reflex = context.getConfiguration().getLoggerConfig("io.reflex");
        reflex.removeAppender(capture.getName());
        reflex.setLevel(levelBefore);
        context.updateLoggers();
        capture.stop();
        assertThat(logs.toString()).as("log lines").doesNotContain(TOKEN).doesNotContain("file-secret-77");
    }

    @Test
    void notifyPostsTheFilledBodyWithItsSecretHeaders() throws Exception {
        final Path keyFile = Files.writeString(dataDir.resolve("api-key"), "file-secret-77\n");
        final Map<String, Object> oncall = endpoint("/hook");
        oncall.put("headers", Map.of("Authorization", "Bearer ${env:ONCALL_TOKEN}", "X-Api-Key", "${file:" + keyFile + "}"));
        oncall.put("body", "{\"text\": \"${params.message}\", \"incident\": \"${incidentId}\", \"action\": \"${actionId}\","
                + " \"type\": \"${type}\", \"target\": \"${target}\"}");
        connector = create(Map.of("endpoints", Map.of("oncall", oncall)));

        final Outcome outcome = connector.execute(HttpActions.notify("oncall", "checkout is down", CLOCK.instant(),
                Duration.ofSeconds(30)));

        assertThat(outcome.status()).as(outcome.detail()).isEqualTo(ActionStatus.SUCCEEDED);
        assertThat(outcome.detail()).matches("notify sent via endpoint oncall \\(http://127\\.0\\.0\\.1:\\d+\\): HTTP 200"
                + " after \\d+\\.\\ds; response: ok, queued as msg-17");
        final Received request = received.poll(10, TimeUnit.SECONDS);
        assertThat(request).isNotNull();
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/hook");
        assertThat(request.header("Authorization")).isEqualTo("Bearer " + TOKEN);
        assertThat(request.header("X-api-key")).isEqualTo("file-secret-77");
        assertThat(request.header("Content-type")).isEqualTo("application/json");
        assertThat(Json.MAPPER.readTree(request.body())).isEqualTo(Json.MAPPER.readTree("{\"text\": \"checkout is down\","
                + " \"incident\": \"inc-42\", \"action\": \"act-notify-" + Math.abs("oncall".hashCode()) + "\", \"type\":"
                + " \"notify\", \"target\": \"channel:oncall\"}"));
        assertThat(outcome.detail()).doesNotContain(TOKEN).doesNotContain("file-secret-77").doesNotContain("/hook");
        assertThat(logs.toString()).contains("notify for action act-notify-");
    }

    @Test
    void aSecretTheReceiverEchoesIsCutOutOfTheOutcome() throws Exception {
        final Map<String, Object> oncall = endpoint("/echo");
        oncall.put("headers", Map.of("Authorization", "Bearer ${env:ONCALL_TOKEN}"));
        connector = create(Map.of("endpoints", Map.of("oncall", oncall)));

        final Outcome outcome = connector.execute(HttpActions.notify("oncall", "hi", CLOCK.instant(), Duration.ofSeconds(30)));

        assertThat(outcome.status()).isEqualTo(ActionStatus.SUCCEEDED);
        assertThat(outcome.detail()).endsWith("; response: you sent Authorization=Bearer <secret>");
        assertThat(received.poll(10, TimeUnit.SECONDS).header("Authorization")).isEqualTo("Bearer " + TOKEN);
    }

    @Test
    void hostileMessageTextArrivesAsOneValidJsonString() throws Exception {
        connector = create(Map.of("endpoints", Map.of("oncall", endpoint("/hook"))));
        final String hostile = "He said \"stop\"\n}, \"admin\": true, {\"x\": \"\\u0000 ${env:ONCALL_TOKEN} \u0007 😀";

        final Outcome outcome = connector.execute(HttpActions.notify("oncall", hostile, CLOCK.instant(), Duration.ofSeconds(30)));

        assertThat(outcome.status()).as(outcome.detail()).isEqualTo(ActionStatus.SUCCEEDED);
        final JsonNode body = Json.MAPPER.readTree(received.poll(10, TimeUnit.SECONDS).body());
        assertThat(body.get("message").textValue()).isEqualTo(hostile);
        assertThat(body.fieldNames()).toIterable()
                .containsExactly("incidentId", "actionId", "type", "target", "message", "reason");
        assertThat(body.toString()).doesNotContain(TOKEN);
    }

    @Test
    void escalateCallsEscalateToWithTheResourceAndReason() throws Exception {
        connector = create(Map.of("escalateTo", "pager", "endpoints", Map.of(
                "pager", endpoint("/hook"), "oncall", endpoint("/status/500"))));

        final Outcome outcome = connector.execute(HttpActions.escalate("checkout", "restarted 3 times in 1h",
                CLOCK.instant(), Duration.ofSeconds(30)));

        assertThat(outcome.status()).as(outcome.detail()).isEqualTo(ActionStatus.SUCCEEDED);
        final JsonNode body = Json.MAPPER.readTree(received.poll(10, TimeUnit.SECONDS).body());
        assertThat(body.get("target").textValue()).isEqualTo("service:checkout");
        assertThat(body.get("reason").textValue()).isEqualTo("restarted 3 times in 1h");
        assertThat(body.get("type").textValue()).isEqualTo("escalate");
    }

    @Test
    void runScriptTriggersARunbookEndpointWithPut() throws Exception {
        final Map<String, Object> runbook = endpoint("/hook");
        runbook.put("method", "PUT");
        runbook.put("actions", List.of("run_script"));
        runbook.put("expectedStatuses", List.of(200));
        runbook.put("body", Map.of("runbook", "flush-cache", "incident", "${incidentId}"));
        connector = create(Map.of("endpoints", Map.of("flush-cache", runbook)));

        final Outcome outcome = connector.execute(HttpActions.action(ActionType.RUN_SCRIPT, "runbook", "flush-cache",
                Map.of(), ActionMode.EXECUTE, CLOCK.instant(), Duration.ofSeconds(30)));

        assertThat(outcome.status()).as(outcome.detail()).isEqualTo(ActionStatus.SUCCEEDED);
        final Received request = received.poll(10, TimeUnit.SECONDS);
        assertThat(request.method()).isEqualTo("PUT");
        assertThat(Json.MAPPER.readTree(request.body()))
                .isEqualTo(Json.MAPPER.readTree("{\"runbook\": \"flush-cache\", \"incident\": \"inc-42\"}"));
    }

    @ParameterizedTest
    @ValueSource(ints = {500, 502, 503, 429, 408})
    void serverErrorsAndBusyAnswersAreRetriable(int status) throws Exception {
        connector = create(Map.of("endpoints", Map.of("oncall", endpoint("/status/" + status))));

        final Outcome outcome = connector.execute(HttpActions.notify("oncall", "hi", CLOCK.instant(), Duration.ofSeconds(30)));

        assertThat(outcome.status()).isEqualTo(ActionStatus.FAILED);
        assertThat(outcome.retriable()).as(outcome.detail()).isTrue();
        assertThat(outcome.detail()).matches("notify via endpoint oncall \\(http://127\\.0\\.0\\.1:\\d+\\) failed: HTTP "
                + status + " after \\d+\\.\\ds; response: status page\\. The receiver is unavailable or busy; retry may help");
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 401, 403, 404, 422})
    void clientErrorsAreNotRetriable(int status) throws Exception {
        connector = create(Map.of("endpoints", Map.of("oncall", endpoint("/status/" + status))));

        final Outcome outcome = connector.execute(HttpActions.notify("oncall", "hi", CLOCK.instant(), Duration.ofSeconds(30)));

        assertThat(outcome.status()).isEqualTo(ActionStatus.FAILED);
        assertThat(outcome.retriable()).as(outcome.detail()).isFalse();
        assertThat(outcome.detail()).contains("failed: HTTP " + status + " after ")
                .endsWith(". The receiver refused the request; sending it again will not help: check"
                        + " connectors.http.endpoints.oncall (url, headers, body)");
    }

    @Test
    void aStatusOutsideExpectedStatusesFails() throws Exception {
        final Map<String, Object> oncall = endpoint("/status/200");
        oncall.put("expectedStatuses", List.of(202));
        connector = create(Map.of("endpoints", Map.of("oncall", oncall)));

        final Outcome outcome = connector.execute(HttpActions.notify("oncall", "hi", CLOCK.instant(), Duration.ofSeconds(30)));

        assertThat(outcome.status()).isEqualTo(ActionStatus.FAILED);
        assertThat(outcome.retriable()).isFalse();
        assertThat(outcome.detail()).contains("HTTP 200").endsWith("(url, headers, body, expectedStatuses)");
    }

    @Test
    void redirectsAreNotFollowed() throws Exception {
        connector = create(Map.of("endpoints", Map.of("oncall", endpoint("/moved"))));

        final Outcome outcome = connector.execute(HttpActions.notify("oncall", "hi", CLOCK.instant(), Duration.ofSeconds(30)));

        assertThat(outcome.status()).isEqualTo(ActionStatus.FAILED);
        assertThat(outcome.retriable()).isFalse();
        assertThat(outcome.detail()).contains("HTTP 302").contains("Redirects are not followed");
        assertThat(received).extracting(Received::path).as("the redirect target was never called").containsExactly("/moved");
    }

    @Test
    void aReceiverThatDoesNotAnswerInTimeIsARetriableFailure() throws Exception {
        final Map<String, Object> oncall = endpoint("/slow");
        oncall.put("timeout", "1s");
        connector = create(Map.of("endpoints", Map.of("oncall", oncall)));

        final Outcome outcome = connector.execute(HttpActions.notify("oncall", "hi", CLOCK.instant(), Duration.ofSeconds(30)));

        assertThat(outcome.status()).isEqualTo(ActionStatus.FAILED);
        assertThat(outcome.retriable()).isTrue();
        assertThat(outcome.detail()).matches("notify via endpoint oncall \\(http://127\\.0\\.0\\.1:\\d+\\) failed: no"
                + " (complete )?answer within 1\\.0s.*");
        assertThat(received.poll(10, TimeUnit.SECONDS)).as("the request reached the server").isNotNull();
    }

    @Test
    void theActionsDeadlineCutsTheTimeoutShort() throws Exception {
        final Map<String, Object> oncall = endpoint("/slow");
        oncall.put("timeout", "10m");
        connector = create(Map.of("endpoints", Map.of("oncall", oncall)));

        final Outcome outcome = connector.execute(HttpActions.notify("oncall", "hi", CLOCK.instant(), Duration.ofSeconds(2)));

        assertThat(outcome.status()).isEqualTo(ActionStatus.FAILED);
        assertThat(outcome.retriable()).isTrue();
        assertThat(outcome.detail()).containsPattern("answer within [0-2]\\.\\ds");
    }

    @Test
    void nothingListeningIsARetriableFailure() throws Exception {
        final int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        final Map<String, Object> oncall = new LinkedHashMap<>();
        oncall.put("url", "http://127.0.0.1:" + closedPort + "/hook");
        connector = create(Map.of("endpoints", Map.of("oncall", oncall)));

        final Outcome outcome = connector.execute(HttpActions.notify("oncall", "hi", CLOCK.instant(), Duration.ofSeconds(30)));

        assertThat(outcome.status()).isEqualTo(ActionStatus.FAILED);
        assertThat(outcome.retriable()).as(outcome.detail()).isTrue();
        assertThat(outcome.detail()).startsWith("notify via endpoint oncall (http://127.0.0.1:" + closedPort
                + ") failed: cannot connect").endsWith("; retry may help");
    }

    @Test
    void aSecretThatDisappearedFailsWithoutSending() throws Exception {
        final Path keyFile = Files.writeString(dataDir.resolve("api-key"), "file-secret-77");
        final Map<String, Object> oncall = endpoint("/hook");
        oncall.put("headers", Map.of("X-Api-Key", "${file:" + keyFile + "}"));
        connector = create(Map.of("endpoints", Map.of("oncall", oncall)));
        Files.delete(keyFile);

        final Outcome outcome = connector.execute(HttpActions.notify("oncall", "hi", CLOCK.instant(), Duration.ofSeconds(30)));

        assertThat(outcome).isEqualTo(Outcome.failed("notify via endpoint oncall (http://127.0.0.1:"
                + server.getAddress().getPort() + ") failed: a secret it needs cannot be read: file " + keyFile
                + " cannot be read (NoSuchFileException). Nothing was sent; fix the secret, then retry", false));
        assertThat(received).isEmpty();
    }

    // --- helpers ---------------------------------------------------------------------------

    private Connector create(Map<String, Object> settings) {
        return new HttpConnectorProvider(SECRETS).create(new ConnectorContext(settings, dataDir, CLOCK));
    }

    /** Mutable, so tests can add keys. */
    private Map<String, Object> endpoint(String path) {
        final Map<String, Object> endpoint = new LinkedHashMap<>();
        endpoint.put("url", base + path);
        return endpoint;
    }

    private void answer(HttpExchange exchange, int status, String body) throws IOException {
        record(exchange);
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private void record(HttpExchange exchange) throws IOException {
        final String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                Map.copyOf(exchange.getRequestHeaders()), body));
    }
}
