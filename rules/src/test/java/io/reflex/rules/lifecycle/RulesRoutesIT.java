package io.reflex.rules.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflex.model.Json;
import io.reflex.rules.RuleCompiler;
import io.reflex.rules.RuleError;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code POST /api/rules/validate} on a real Vert.x server with the real rule compiler. */
class RulesRoutesIT {
    private static final long MAX_BODY = 64L * 1024;
    private static final String HEADER = """
            package io.reflex.rules.test;

            import io.reflex.model.AlertEvent;
            import io.reflex.model.AlertStatus;

            global io.reflex.rules.Remediate remediate;

            """;

    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static Vertx vertx;
    private static HttpServer server;
    /** Whether the last call of the probing validator ran on a worker thread. */
    private static final AtomicReference<Boolean> ranOnWorker = new AtomicReference<>();
    /** Probing validations of a package that says "hold" have started, and wait for this latch. */
    private static final AtomicInteger holding = new AtomicInteger();
    private static final CountDownLatch release = new CountDownLatch(1);
    private static RulesRoutes routes;
    private static RulesRoutes probingRoutes;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        Router router = Router.router(vertx);
        routes = new RulesRoutes(vertx, MAX_BODY);
        routes.mount(router);
        // The same routes, one validation at a time, with a validator that reports where it ran,
        // fails or waits when asked to, on a second router.
        Router probing = Router.router(vertx);
        probingRoutes = new RulesRoutes(vertx, MAX_BODY, 1, drl -> {
            ranOnWorker.set(Context.isOnWorkerThread());
            if (drl.contains("explode")) {
                throw new IllegalStateException("compiler exploded");
            }
            if (drl.contains("hold")) {
                holding.incrementAndGet();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return RuleCompiler.validate(drl);
        });
        probingRoutes.mount(probing);
        router.route("/probing/*").subRouter(probing);
        server = vertx.createHttpServer().requestHandler(router).listen(0)
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        release.countDown();
        if (routes != null) {
            routes.close();
            probingRoutes.close();
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aPackageThatCompilesIsValid() throws Exception {
        HttpResponse<String> response = post(RulesRoutes.VALIDATE_PATH, RuleCompiler.demoPackage(), "text/plain");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(Json.MAPPER.readTree(response.body())).isEqualTo(Json.MAPPER.readTree("{\"valid\": true}"));
    }

    @Test
    void aSyntaxErrorIsRefusedWithItsLineAndColumn() throws Exception {
        String drl = HEADER + """
                rule "broken"
                when
                    $a : AlertEvent(name == "ServiceDown"
                then
                end
                """;

        HttpResponse<String> response = post(RulesRoutes.VALIDATE_PATH, drl, "application/octet-stream");

        assertThat(response.statusCode()).isEqualTo(422);
        JsonNode body = Json.MAPPER.readTree(response.body());
        assertThat(body.get("valid").asBoolean(true)).isFalse();
        List<RuleError> errors = errors(body);
        // Line 11 is "then", where the parser finds the parenthesis still open.
        assertThat(errors).isNotEmpty().first().satisfies(e -> {
            assertThat(e.line()).isEqualTo(11);
            assertThat(e.column()).isEqualTo(0);
            assertThat(e.message()).contains("broken");
        });
    }

    @Test
    void aMisspelledFieldIsRefusedWithItsLineAndColumn() throws Exception {
        String drl = HEADER + """
                rule "typo"
                when
                    $a : AlertEvent(nmae == "ServiceDown")
                then
                end
                """;

        HttpResponse<String> response = post(RulesRoutes.VALIDATE_PATH, drl, "text/plain");

        assertThat(response.statusCode()).isEqualTo(422);
        assertThat(errors(Json.MAPPER.readTree(response.body()))).isNotEmpty()
                .allSatisfy(e -> {
                    assertThat(e.line()).isEqualTo(10);
                    assertThat(e.column()).isEqualTo(4);
                })
                .anySatisfy(e -> assertThat(e.message()).contains("nmae"));
    }

    @Test
    void anActionReflexDoesNotKnowIsRefusedAtValidationWithItsLine() throws Exception {
        String drl = HEADER + """
                rule "reboot the planet"
                when
                    $a : AlertEvent(name == "EarthDown", status == AlertStatus.FIRING)
                then
                    remediate.rebootPlanet($a);
                end
                """;

        HttpResponse<String> response = post(RulesRoutes.VALIDATE_PATH, drl, "text/plain");

        assertThat(response.statusCode()).isEqualTo(422);
        assertThat(errors(Json.MAPPER.readTree(response.body()))).isNotEmpty()
                .anySatisfy(e -> {
                    // At the call (Drools says the rule's line, 8): line 12, after four spaces.
                    assertThat(e.line()).isEqualTo(12);
                    assertThat(e.column()).isEqualTo(4);
                    assertThat(e.message()).contains("rebootPlanet", "restartService(AlertEvent trigger, String service)");
                });
    }

    @Test
    void anActionWithParametersItDoesNotTakeIsRefusedAtValidation() throws Exception {
        String drl = HEADER + """
                rule "restart with a wish"
                when
                    $a : AlertEvent(name == "ServiceDown")
                then
                    remediate.restartService($a, "shop", "gently");
                end
                """;

        HttpResponse<String> response = post(RulesRoutes.VALIDATE_PATH, drl, "text/plain");

        assertThat(response.statusCode()).isEqualTo(422);
        assertThat(errors(Json.MAPPER.readTree(response.body()))).isNotEmpty()
                .anySatisfy(e -> {
                    assertThat(e.line()).isEqualTo(12);
                    assertThat(e.column()).isEqualTo(4);
                    assertThat(e.message()).contains("restartService", "(AlertEvent, String, String)");
                });
    }

    @Test
    void anEmptyBodyIsABadRequestThatSaysWhatToSend() throws Exception {
        HttpResponse<String> response = post(RulesRoutes.VALIDATE_PATH, "  \n", "text/plain");

        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode body = Json.MAPPER.readTree(response.body());
        assertThat(body.get("error").asText()).isEqualTo("empty_body");
        assertThat(body.get("message").asText()).contains("DRL text");
        assertThat(body.get("details").isArray()).isTrue();
    }

    @Test
    void aBodyOverTheLimitIsRefusedWith413() throws Exception {
        String drl = HEADER + "// " + "x".repeat((int) MAX_BODY) + "\n";

        HttpResponse<String> response = post(RulesRoutes.VALIDATE_PATH, drl, "text/plain");

        assertThat(response.statusCode()).isEqualTo(413);
        JsonNode body = Json.MAPPER.readTree(response.body());
        assertThat(body.get("error").asText()).isEqualTo("payload_too_large");
        assertThat(body.get("message").asText()).contains(Long.toString(MAX_BODY));
    }

    @Test
    void compilingRunsOnAWorkerThreadNotTheEventLoop() throws Exception {
        ranOnWorker.set(null);

        HttpResponse<String> response = post("/probing" + RulesRoutes.VALIDATE_PATH, RuleCompiler.demoPackage(),
                "text/plain");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(ranOnWorker.get()).isTrue();
    }

    @Test
    void aCompilerFailureIsAnInternalErrorInTheErrorShape() throws Exception {
        HttpResponse<String> response = post("/probing" + RulesRoutes.VALIDATE_PATH, "// explode", "text/plain");

        assertThat(response.statusCode()).isEqualTo(500);
        JsonNode body = Json.MAPPER.readTree(response.body());
        assertThat(body.get("error").asText()).isEqualTo("internal_error");
        assertThat(body.get("details").toString()).contains("compiler exploded");
    }

    @Test
    void moreValidationsThanAllowedAtOnceAreRefusedWithRetryAfter() throws Exception {
        CompletableFuture<HttpResponse<String>> first = http.sendAsync(
                request("/probing" + RulesRoutes.VALIDATE_PATH, "// hold\n" + RuleCompiler.demoPackage(), "text/plain"),
                HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(30)).until(() -> holding.get() == 1);

        HttpResponse<String> second = post("/probing" + RulesRoutes.VALIDATE_PATH, RuleCompiler.demoPackage(),
                "text/plain");

        assertThat(second.statusCode()).isEqualTo(503);
        assertThat(second.headers().firstValue("Retry-After")).hasValue(Integer.toString(RulesRoutes.RETRY_AFTER_SECONDS));
        assertThat(Json.MAPPER.readTree(second.body()).get("error").asText()).isEqualTo("busy");
        release.countDown();
        assertThat(first.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        // The slot is free again.
        assertThat(post("/probing" + RulesRoutes.VALIDATE_PATH, RuleCompiler.demoPackage(), "text/plain")
                .statusCode()).isEqualTo(200);
    }

    private static List<RuleError> errors(JsonNode body) {
        return Json.MAPPER.convertValue(body.get("errors"),
                Json.MAPPER.getTypeFactory().constructCollectionType(List.class, RuleError.class));
    }

    private static HttpResponse<String> post(String path, String body, String contentType) throws Exception {
        return http.send(request(path, body, contentType), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest request(String path, String body, String contentType) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + path))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }
}
