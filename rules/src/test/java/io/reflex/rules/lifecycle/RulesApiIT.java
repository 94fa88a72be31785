package io.reflex.rules.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.reflex.model.Json;
import io.reflex.rules.RuleCompiler;
import io.reflex.rules.RulesConfig;
import io.reflex.rules.RulesStage;
import io.reflex.testkit.KafkaCluster;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rule endpoints the console uses beyond deploy: a stored version ({@code GET /api/rules/{version}}),
 * rule tests ({@code POST /api/rules/test}) and explain ({@code POST /api/rules/explain}), against a
 * real broker, a running rules stage and a Vert.x server.
 */
class RulesApiIT {
    private static final Duration BOUND = Duration.ofSeconds(90);
    private static final long MAX_BODY = 256L * 1024;
    private static final String CANDIDATE = RuleCompiler.demoPackage()
            .replace("rule \"restart service on ServiceDown\"", "rule \"restart service on ServiceDown, api\"");
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
        stage = new RulesStage(new RulesConfig("reflex-rules-api-it", null, null, null, null, null),
                kafka.clientProps(), stateDir, Clock.systemUTC(), new PrometheusRegistry());
        stage.start();
        await().atMost(BOUND).until(stage::running);
        deployer = new Deployer(kafka.clientProps(), stage.rulesets(), RuleCompiler.demoPackage(), Clock.systemUTC(),
                BOUND);
        vertx = Vertx.vertx();
        Router router = Router.router(vertx);
        routes = new RulesRoutes(vertx, MAX_BODY, deployer);
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
    void aStoredVersionIsShownWithItsTextAndWhoDeployedItAndTheBaselineIsVersionOne() throws Exception {
        HttpResponse<String> deployed = send("POST", RulesRoutes.RULES_PATH, CANDIDATE, "ana");
        assertThat(deployed.statusCode()).as(deployed.body()).isEqualTo(201);
        long version = json(deployed).get("version").asLong();

        HttpResponse<String> shown = send("GET", RulesRoutes.RULES_PATH + "/" + version, null, null);

        assertThat(shown.statusCode()).as(shown.body()).isEqualTo(200);
        JsonNode body = json(shown);
        assertThat(body.get("version").asLong()).isEqualTo(version);
        assertThat(body.get("drl").asText()).isEqualTo(CANDIDATE);
        assertThat(body.get("author").asText()).isEqualTo("ana");
        assertThat(body.get("shadow").asBoolean(true)).isFalse();
        assertThat(Instant.parse(body.get("deployedAt").asText())).isBefore(Instant.now().plusSeconds(1));

        JsonNode baseline = json(send("GET", RulesRoutes.RULES_PATH + "/1", null, null));
        assertThat(baseline.get("drl").asText()).isEqualTo(RuleCompiler.demoPackage());
        assertThat(baseline.get("author").asText()).isEqualTo(Deployer.BASELINE_AUTHOR);
        // The listing next to it still answers: the version route does not shadow it.
        assertThat(json(send("GET", RulesRoutes.RULES_PATH, null, null)).get("versions"))
                .extracting(v -> v.get("version").asLong()).contains(1L, version);
    }

    @Test
    void anUnknownVersionIs404AndANonNumberIs400() throws Exception {
        HttpResponse<String> unknown = send("GET", RulesRoutes.RULES_PATH + "/9999", null, null);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json(unknown).get("error").asText()).isEqualTo("unknown_version");
        assertThat(json(unknown).get("message").asText()).contains("9999", "GET /api/rules");
        assertThat(json(unknown).get("details").isArray()).isTrue();

        HttpResponse<String> word = send("GET", RulesRoutes.RULES_PATH + "/latest", null, null);
        assertThat(word.statusCode()).isEqualTo(400);
        assertThat(json(word).get("error").asText()).isEqualTo("bad_version");
        assertThat(json(word).get("details").toString()).contains("latest");
    }

    @Test
    void theOtherRuleRoutesStillAnswerBesideTheVersionRoute() throws Exception {
        HttpResponse<String> valid = send("POST", RulesRoutes.VALIDATE_PATH, RuleCompiler.demoPackage(), null);
        assertThat(valid.statusCode()).isEqualTo(200);
        HttpResponse<String> rollback = send("POST", "/api/rules/rollback/9999", "", null);
        assertThat(rollback.statusCode()).isEqualTo(404);
        assertThat(json(rollback).get("error").asText()).isEqualTo("unknown_version");
    }

    @Test
    void theShippedTestsPassAgainstTheDemoPackage() throws Exception {
        String tests = resource("io/reflex/rules/demo/demo.tests.yaml");

        HttpResponse<String> response = send("POST", RulesRoutes.TEST_PATH,
                testBody(RuleCompiler.demoPackage(), tests), null);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = json(response);
        assertThat(body.get("failed").asInt()).isZero();
        assertThat(body.get("passed").asInt()).isEqualTo(body.get("results").size()).isGreaterThan(3);
        assertThat(body.get("results").get(0).get("name").asText()).isEqualTo("restarts a service that is down");
        assertThat(body.get("results")).allSatisfy(r -> assertThat(r.get("passed").asBoolean()).isTrue());
    }

    @Test
    void aFailingTestSaysWhatWasExpectedAndWhatHappened() throws Exception {
        String tests = """
                tests:
                  - name: restarts shop
                    alerts: [{at: 0s, name: ServiceDown, labels: {service: shop}}]
                    expect: [{type: restart_service, target: service:shop}]
                  - name: wrongly expects cart
                    alerts: [{at: 0s, name: ServiceDown, labels: {service: shop}}]
                    expect: [{type: restart_service, target: service:cart}]
                """;

        HttpResponse<String> response = send("POST", RulesRoutes.TEST_PATH,
                testBody(RuleCompiler.demoPackage(), tests), null);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = json(response);
        assertThat(body.get("passed").asInt()).isEqualTo(1);
        assertThat(body.get("failed").asInt()).isEqualTo(1);
        JsonNode failed = body.get("results").get(1);
        assertThat(failed.get("name").asText()).isEqualTo("wrongly expects cart");
        assertThat(failed.get("passed").asBoolean(true)).isFalse();
        assertThat(failed.get("message").asText()).contains("expected restart_service service:cart",
                "unexpected restart_service service:shop");
    }

    @Test
    void aPackageThatDoesNotCompileIs422AsValidateAnswers() throws Exception {
        String tests = "tests: [{name: t, alerts: [{at: 0s, name: X}], expect: []}]";

        HttpResponse<String> response = send("POST", RulesRoutes.TEST_PATH,
                testBody(RuleCompiler.demoPackage().replace("then", "then oops"), tests), null);

        assertThat(response.statusCode()).isEqualTo(422);
        JsonNode body = json(response);
        assertThat(body.get("valid").asBoolean(true)).isFalse();
        assertThat(body.get("errors")).isNotEmpty().allSatisfy(e -> assertThat(e.get("line").asInt()).isPositive());
    }

    @Test
    void badYamlAndABadTestAreA400NamingTheProblem() throws Exception {
        HttpResponse<String> yaml = send("POST", RulesRoutes.TEST_PATH,
                testBody(RuleCompiler.demoPackage(), "tests:\n  - name: [unclosed\n"), null);
        assertThat(yaml.statusCode()).isEqualTo(400);
        assertThat(json(yaml).get("error").asText()).isEqualTo("bad_tests");
        assertThat(json(yaml).get("message").asText()).contains("not valid YAML", "line");

        HttpResponse<String> key = send("POST", RulesRoutes.TEST_PATH, testBody(RuleCompiler.demoPackage(),
                "tests: [{name: t, alerts: [{at: 0s, name: X, colour: red}], expect: []}]"), null);
        assertThat(key.statusCode()).isEqualTo(400);
        assertThat(json(key).get("message").asText()).contains("tests[0].alerts[0].colour", "unknown key");
    }

    @Test
    void aBodyThatIsNotTheRightJsonIsA400AndAnOversizedOneA413() throws Exception {
        HttpResponse<String> notJson = send("POST", RulesRoutes.TEST_PATH, "rule \"x\" when then end", null);
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(json(notJson).get("message").asText()).contains("not JSON", "\"drl\"", "\"tests\"");

        HttpResponse<String> noTests = send("POST", RulesRoutes.TEST_PATH,
                Json.MAPPER.createObjectNode().put("drl", RuleCompiler.demoPackage()).toString(), null);
        assertThat(noTests.statusCode()).isEqualTo(400);
        assertThat(json(noTests).get("details").toString()).contains("tests: missing");

        HttpResponse<String> huge = send("POST", RulesRoutes.TEST_PATH,
                testBody("// " + "x".repeat((int) MAX_BODY), "tests: []"), null);
        assertThat(huge.statusCode()).isEqualTo(413);
        assertThat(json(huge).get("error").asText()).isEqualTo("payload_too_large");
    }

    @Test
    void explainNamesTheRuleOfTheActiveVersionThatFiresForTheAlert() throws Exception {
        HttpResponse<String> deployed = send("POST", RulesRoutes.RULES_PATH, CANDIDATE, "ana");
        assertThat(deployed.statusCode()).as(deployed.body()).isEqualTo(201);
        long version = json(deployed).get("version").asLong();

        HttpResponse<String> response = send("POST", RulesRoutes.EXPLAIN_PATH, """
                {"name": "ServiceDown", "labels": {"service": "shop"},
                 "resource": {"kind": "service", "name": "shop"}, "status": "FIRING"}
                """, null);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = json(response);
        assertThat(body.get("version").asLong()).isEqualTo(version);
        assertThat(body.get("fired")).extracting(JsonNode::asText)
                .containsExactly("restart service on ServiceDown, api");
        assertThat(body.get("nearest")).isEmpty();
        assertThat(body.get("note").asText()).contains("version " + version);
    }

    @Test
    void whenNoRuleFiresExplainListsTheNearestRulesAndSaysItIsAHeuristic() throws Exception {
        HttpResponse<String> response = send("POST", RulesRoutes.EXPLAIN_PATH, """
                {"name": "ServiceDown", "labels": {"instance": "web-1"},
                 "resource": {"kind": "host", "name": "web-1"}}
                """, null);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = json(response);
        assertThat(body.get("fired")).isEmpty();
        assertThat(body.get("nearest")).hasSize(2);
        JsonNode first = body.get("nearest").get(0);
        assertThat(first.get("rule").asText()).startsWith("restart service on ServiceDown");
        assertThat(first.get("line").asInt()).isEqualTo(18);
        assertThat(first.get("reason").asText()).contains("mentions \"ServiceDown\"", "(line 20)");
        assertThat(body.get("note").asText()).contains("heuristic", "does not report which condition",
                "absence or a time window");
    }

    @Test
    void anExplainBodyThatIsNotAnAlertIsA400NamingTheField() throws Exception {
        HttpResponse<String> noName = send("POST", RulesRoutes.EXPLAIN_PATH, "{\"labels\": {\"a\": \"b\"}}", null);
        assertThat(noName.statusCode()).isEqualTo(400);
        assertThat(json(noName).get("error").asText()).isEqualTo("bad_alert");
        assertThat(json(noName).get("message").asText()).contains("name: missing");

        HttpResponse<String> notJson = send("POST", RulesRoutes.EXPLAIN_PATH, "ServiceDown", null);
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(json(notJson).get("message").asText()).contains("not JSON", "\"name\"");
    }

    private static String testBody(String drl, String tests) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("drl", drl);
        body.put("tests", tests);
        return body.toString();
    }

    private static String resource(String name) throws Exception {
        try (InputStream in = RulesApiIT.class.getClassLoader().getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return Json.MAPPER.readTree(response.body());
    }

    private static HttpResponse<String> send(String method, String path, String body, String author)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.actualPort() + path))
                .timeout(BOUND.plusSeconds(30))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (author != null) {
            request.header(RulesRoutes.AUTHOR_HEADER, author);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
