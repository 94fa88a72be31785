package io.reflex.rules.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.reflex.model.Json;
import io.reflex.rules.RuleCompiler;
import io.reflex.rules.RulesConfig;
import io.reflex.rules.RulesStage;
import io.reflex.testkit.KafkaCluster;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shadow deploys over HTTP, against a real broker and a running rules stage: deploy in shadow
 * beside the active version, list, promote, stop, and the errors when there is no shadow.
 */
class ShadowRoutesIT {
    private static final Duration BOUND = Duration.ofSeconds(90);
    private static final String CANDIDATE = RuleCompiler.demoPackage()
            .replace("rule \"restart service on ServiceDown\"", "rule \"restart service on ServiceDown, candidate\"");
    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @TempDir
    static Path stateDir;

    private static KafkaCluster kafka;
    private static RulesStage stage;
    private static Deployer deployer;
    private static Vertx vertx;
    private static RulesRoutes routes;
    private static HttpServer server;

    @BeforeAll
    static void start() throws Exception {
        kafka = KafkaCluster.start();
        kafka.createAllTopics();
        stage = new RulesStage(new RulesConfig("reflex-rules-shadow-it", null, null, null, null, null),
                kafka.clientProps(), stateDir, Clock.systemUTC(), new PrometheusRegistry());
        stage.start();
        await().atMost(BOUND).until(stage::running);
        deployer = new Deployer(kafka.clientProps(), stage.rulesets(), RuleCompiler.demoPackage(), Clock.systemUTC(),
                BOUND);
        vertx = Vertx.vertx();
        Router router = Router.router(vertx);
        routes = new RulesRoutes(vertx, RulesRoutes.DEFAULT_MAX_BODY_BYTES, deployer);
        routes.mount(router);
        server = vertx.createHttpServer().requestHandler(router).listen(0)
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        if (routes != null) {
            routes.close();
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        if (deployer != null) {
            deployer.close();
        }
        if (stage != null) {
            stage.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void aShadowVersionRunsBesideTheActiveOneUntilPromotedOrStopped() throws Exception {
        JsonNode before = json(send("GET", RulesRoutes.RULES_PATH, null));
        long active = before.get("active").asLong();

        HttpResponse<String> deployed = send("POST", RulesRoutes.RULES_PATH + "?shadow=true", CANDIDATE);
        assertThat(deployed.statusCode()).as(deployed.body()).isEqualTo(201);
        long shadow = json(deployed).get("version").asLong();
        assertThat(json(deployed).get("shadow").asBoolean()).isTrue();
        assertThat(stage.rulesets().shadow().version()).isEqualTo(shadow);

        JsonNode listing = json(send("GET", RulesRoutes.RULES_PATH, null));
        assertThat(listing.get("active").asLong()).as("the active version stays").isEqualTo(active);
        assertThat(listing.get("shadow").asLong()).isEqualTo(shadow);
        assertThat(listing.get("versions")).filteredOn(v -> v.get("version").asLong() == shadow)
                .singleElement().satisfies(v -> assertThat(v.get("shadow").asBoolean()).isTrue());
        assertThat(listing.get("versions")).filteredOn(v -> v.get("version").asLong() == active)
                .singleElement().satisfies(v -> assertThat(v.get("shadow").asBoolean()).isFalse());

        HttpResponse<String> promoted = send("POST", RulesRoutes.PROMOTE_PATH, "");
        assertThat(promoted.statusCode()).as(promoted.body()).isEqualTo(201);
        assertThat(json(promoted).get("version").asLong()).isEqualTo(shadow);
        assertThat(stage.rulesets().runs(shadow)).isTrue();
        // Promoted, it executes its actions: the active record is not a shadow one.
        assertThat(stage.rulesets().active().shadow()).isFalse();
        await().atMost(BOUND).until(() -> stage.rulesets().shadow() == null);
        JsonNode afterPromote = json(send("GET", RulesRoutes.RULES_PATH, null));
        assertThat(afterPromote.get("active").asLong()).isEqualTo(shadow);
        assertThat(afterPromote.get("shadow").isNull()).isTrue();

        long second = json(send("POST", RulesRoutes.RULES_PATH + "?shadow=true", RuleCompiler.demoPackage()))
                .get("version").asLong();
        HttpResponse<String> stopped = send("DELETE", RulesRoutes.SHADOW_PATH, null);
        assertThat(stopped.statusCode()).as(stopped.body()).isEqualTo(200);
        assertThat(json(stopped).get("stopped").asLong()).isEqualTo(second);
        assertThat(stage.rulesets().shadow()).isNull();
        JsonNode afterStop = json(send("GET", RulesRoutes.RULES_PATH, null));
        assertThat(afterStop.get("active").asLong()).as("stopping the shadow leaves the active").isEqualTo(shadow);
        assertThat(afterStop.get("shadow").isNull()).isTrue();
    }

    @Test
    void withoutAShadowStopAndPromoteSayHowToStartOne() throws Exception {
        // Whatever the other test left, stop it first: then there is none.
        send("DELETE", RulesRoutes.SHADOW_PATH, null);

        for (HttpResponse<String> response : new HttpResponse[] {send("DELETE", RulesRoutes.SHADOW_PATH, null),
                send("POST", RulesRoutes.PROMOTE_PATH, "")}) {
            assertThat(response.statusCode()).isEqualTo(404);
            JsonNode body = json(response);
            assertThat(body.get("error").asText()).isEqualTo("no_shadow");
            assertThat(body.get("message").asText()).contains("?shadow=true", "--shadow");
            assertThat(body.get("details").isArray()).isTrue();
        }
    }

    @Test
    void aShadowParameterOtherThanTrueOrFalseIsABadRequest() throws Exception {
        HttpResponse<String> response = send("POST", RulesRoutes.RULES_PATH + "?shadow=yes", CANDIDATE);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).get("error").asText()).isEqualTo("bad_shadow");
        assertThat(json(response).get("message").asText()).contains("true or false");
    }

    @Test
    void aShadowPackageThatDoesNotCompileIsRefusedAndNothingChanges() throws Exception {
        JsonNode before = json(send("GET", RulesRoutes.RULES_PATH, null));

        HttpResponse<String> response = send("POST", RulesRoutes.RULES_PATH + "?shadow=true",
                CANDIDATE.replace("then", "then oops"));

        assertThat(response.statusCode()).isEqualTo(422);
        assertThat(json(response).get("valid").asBoolean(true)).isFalse();
        JsonNode after = json(send("GET", RulesRoutes.RULES_PATH, null));
        assertThat(after.get("versions")).hasSameSizeAs(before.get("versions"));
        assertThat(after.get("shadow")).isEqualTo(before.get("shadow"));
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return Json.MAPPER.readTree(response.body());
    }

    private static HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + path))
                .timeout(BOUND.plusSeconds(30))
                .header("Content-Type", "text/plain")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
