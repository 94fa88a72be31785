package io.reflex.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflex.app.config.CliOverrides;
import io.reflex.app.config.ConfigLoader;
import io.reflex.app.config.ReflexConfig;
import io.reflex.app.demo.Demo;
import io.reflex.model.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * API tokens and roles on a real Reflex (embedded Kafka, every role, no demo service), with one
 * token of each role configured the three ways a secret can be given.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AuthIT {
    private static final Duration BOUND = Duration.ofSeconds(60);
    private static final String ADMIN = "ana-admin-0123456789abcdef";
    private static final String OPERATOR = "olga-operator-0123456789abcdef";
    private static final String AUTHOR = "aud-author-0123456789abcdef";
    private static final String VIEWER = "val-viewer-0123456789abcdef";

    private final HttpClient http = HttpClient.newHttpClient();
    private Reflex reflex;
    private String drl;

    /** One call of the contract: method, path, body. */
    private record Call(String method, String path, String body) {
        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    @BeforeAll
    void start(@TempDir Path dir) throws IOException {
        Path operatorFile = Files.writeString(dir.resolve("olga.token"), OPERATOR + "\n");
        Path config = Files.writeString(dir.resolve("reflex.yml"), """
                auth:
                  tokens:
                    - {name: ana, role: admin, token: %s}
                    - {name: olga, role: operator, tokenFile: %s}
                    - {name: aud, role: author, tokenEnv: AUD_TOKEN}
                    - {name: val, role: viewer, token: %s}
                ingest:
                  sources:
                    alertmanager:
                      auth: {type: none}
                """.formatted(ADMIN, operatorFile, VIEWER));
        ReflexConfig loaded = new ConfigLoader(new Demo())
                .load(new CliOverrides(config, 0, dir.resolve("data"), null, null, true), Map.of("AUD_TOKEN", AUTHOR));
        reflex = new Reflex(loaded, Clock.systemUTC()).start();
        await("Reflex healthy").atMost(BOUND).ignoreExceptions()
                .until(() -> call(new Call("GET", "/health", null), null).statusCode() == 200);
        drl = new String(getClass().getResourceAsStream("/io/reflex/rules/demo/demo.drl").readAllBytes(),
                StandardCharsets.UTF_8);
        assertThat(reflex.adminTokenFile()).as("tokens are configured: none generated").isEmpty();
        assertThat(dir.resolve("data/auth/admin.token")).doesNotExist();
    }

    @AfterAll
    void stop() {
        if (reflex != null) {
            reflex.close();
        }
    }

    /** Every /api endpoint of the contract, with a body that passes each route's own checks where it can. */
    private List<Call> everyEndpoint() {
        String silence = "{\"matchers\":[{\"name\":\"zone\",\"value\":\"eu-1\"}],\"until\":\""
                + Instant.now().plus(Duration.ofHours(1)) + "\",\"comment\":\"auth test\"}";
        return List.of(
                new Call("GET", "/api/whoami", null),
                new Call("GET", "/api/incidents", null),
                new Call("GET", "/api/incidents/inc-unknown", null),
                new Call("GET", "/api/stream", null),
                new Call("GET", "/api/status", null),
                new Call("GET", "/api/rules", null),
                new Call("GET", "/api/rules/1", null),
                new Call("GET", "/api/actions", null),
                new Call("GET", "/api/guardrails", null),
                new Call("POST", "/api/rules/validate", drl),
                new Call("POST", "/api/rules/test", "{\"drl\": \"\", \"tests\": \"\"}"),
                new Call("POST", "/api/rules/replay", drl),
                new Call("POST", "/api/rules/explain", "{\"name\": \"ServiceDown\"}"),
                new Call("POST", "/api/rules", drl),
                new Call("POST", "/api/rules/rollback/1", ""),
                new Call("POST", "/api/rules/shadow/promote", ""),
                new Call("DELETE", "/api/rules/shadow", null),
                new Call("POST", "/api/actions/act-unknown/approve", "{\"reason\": \"auth test\"}"),
                new Call("POST", "/api/actions/act-unknown/reject", "{\"reason\": \"auth test\"}"),
                new Call("POST", "/api/pause", "{\"reason\": \"auth test\"}"),
                new Call("POST", "/api/resume", "{\"reason\": \"auth test\"}"),
                new Call("POST", "/api/silences", silence),
                new Call("DELETE", "/api/silences/sil-unknown", null),
                new Call("POST", "/api/guardrails/release/host:auth-test", "{\"reason\": \"auth test\"}"),
                new Call("GET", "/api/drills", null),
                new Call("GET", "/api/drills/runs/drill-unknown", null),
                // Not a drill (400 for whoever may post one): a test of permissions must not kill demo-shop.
                new Call("POST", "/api/drills", "{\"file\": \"../auth-test.yaml\"}"));
    }

    /** The endpoints that change something: a viewer gets 403 on each. */
    private static final java.util.Set<String> CHANGES = java.util.Set.of("POST /api/rules",
            "POST /api/rules/rollback/1", "POST /api/rules/shadow/promote", "DELETE /api/rules/shadow",
            "POST /api/actions/act-unknown/approve", "POST /api/actions/act-unknown/reject", "POST /api/pause",
            "POST /api/resume", "POST /api/silences", "DELETE /api/silences/sil-unknown",
            "POST /api/guardrails/release/host:auth-test", "POST /api/drills");

    private List<Call> changes() {
        List<Call> changes = everyEndpoint().stream().filter(c -> CHANGES.contains(c.toString())).toList();
        assertThat(changes).hasSameSizeAs(CHANGES);
        return changes;
    }

    @Test
    @Order(1)
    void everyEndpointAnswers401WithoutATokenOrWithAWrongOne() throws Exception {
        Map<String, String> answers = new LinkedHashMap<>();
        for (Call call : everyEndpoint()) {
            for (String token : new String[] {null, "not-a-token", ADMIN + "x", ADMIN.substring(1)}) {
                HttpResponse<String> answer = call(call, token);
                answers.put(call + " with " + (token == null ? "no token" : "a wrong token"), answer.statusCode()
                        + " " + answer.headers().firstValue("WWW-Authenticate").orElse("-") + " "
                        + Json.MAPPER.readTree(answer.body()).path("error").asText());
            }
        }
        assertThat(answers).allSatisfy((call, answer) -> assertThat(answer).as(call)
                .matches("401 Bearer realm=\"reflex\".* unauthorized"));
        HttpResponse<String> basic = send(request(new Call("GET", "/api/rules", null))
                .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(("ana:" + ADMIN)
                        .getBytes(StandardCharsets.UTF_8))));
        assertThat(basic.statusCode()).isEqualTo(401);
        assertThat(basic.body()).doesNotContain(ADMIN);
    }

    @Test
    @Order(2)
    void otherSpellingsOfAnApiPathAreNoWayAround() throws Exception {
        for (String path : List.of("/api/pause/", "//api/pause", "/api//pause", "/api/./pause", "/x/../api/pause",
                "/API/pause")) {
            int status = call(new Call("POST", path, "{}"), null).statusCode();
            assertThat(status).as(path).isIn(401, 404);
        }
        assertThat(json(call(new Call("GET", "/api/guardrails", null), VIEWER)).path("paused").asBoolean()).isFalse();
    }

    @Test
    @Order(3)
    void healthMetricsHooksAndTheConsolePageNeedNoToken() throws Exception {
        assertThat(call(new Call("GET", "/health", null), null).statusCode()).isEqualTo(200);
        HttpResponse<String> metrics = call(new Call("GET", "/metrics", null), null);
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("jvm_");
        HttpResponse<String> page = call(new Call("GET", "/", null), null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<title>Reflex");
        String alert = SendAlert.payload("AuthTestAlert", Map.of("service", "auth-test"), Instant.now(), false)
                .toString();
        HttpResponse<String> hook = call(new Call("POST", "/hooks/alertmanager", alert), null);
        assertThat(hook.statusCode()).as(hook.body()).isEqualTo(202);
    }

    @Test
    @Order(4)
    void whoamiNamesTheTokenItsRoleAndPermissions() throws Exception {
        Map<String, String> seen = new LinkedHashMap<>();
        for (String token : List.of(ADMIN, OPERATOR, AUTHOR, VIEWER)) {
            JsonNode me = json(call(new Call("GET", "/api/whoami", null), token));
            List<String> permissions = new ArrayList<>();
            me.path("permissions").forEach(p -> permissions.add(p.asText()));
            seen.put(me.path("name").asText() + "/" + me.path("role").asText(), String.join(",", permissions));
        }
        assertThat(seen).containsExactly(
                Map.entry("ana/admin", "view,approve,pause,silence,drill,deploy,admin"),
                Map.entry("olga/operator", "view,approve,pause,silence,drill"),
                Map.entry("aud/author", "view,deploy"),
                Map.entry("val/viewer", "view"));
    }

    @Test
    @Order(5)
    void aViewerReadsEverythingAndChangesNothing() throws Exception {
        JsonNode rulesBefore = json(call(new Call("GET", "/api/rules", null), VIEWER));
        for (Call call : everyEndpoint()) {
            if (call.method().equals("GET")) {
                assertThat(call(call, VIEWER).statusCode()).as(call.toString()).isNotIn(401, 403);
            }
        }
        HttpResponse<String> validate = call(new Call("POST", "/api/rules/validate", drl), VIEWER);
        assertThat(validate.statusCode()).as(validate.body()).isEqualTo(200);

        Map<String, String> refused = new LinkedHashMap<>();
        for (Call call : changes()) {
            HttpResponse<String> answer = call(call, VIEWER);
            refused.put(call.toString(), answer.statusCode() + " " + json(answer).path("message").asText());
        }
        assertThat(refused).hasSize(12).allSatisfy((call, answer) -> assertThat(answer).as(call)
                .startsWith("403 " + call + " needs role ").endsWith("; token 'val' has role viewer."));
        assertThat(refused.get("POST /api/pause")).contains("needs role operator");
        assertThat(refused.get("POST /api/rules")).contains("needs role author");
        assertThat(refused.get("POST /api/drills")).contains("needs role operator");

        JsonNode rulesAfter = json(call(new Call("GET", "/api/rules", null), VIEWER));
        assertThat(rulesAfter.path("active").asLong()).isEqualTo(rulesBefore.path("active").asLong());
        assertThat(rulesAfter.path("versions").size()).isEqualTo(rulesBefore.path("versions").size());
        JsonNode guardrails = json(call(new Call("GET", "/api/guardrails", null), VIEWER));
        assertThat(guardrails.path("paused").asBoolean()).isFalse();
        assertThat(guardrails.path("guardrails").path("silences")).isEmpty();
    }

    @Test
    @Order(6)
    void anOperatorPausesAsItselfButCannotDeploy() throws Exception {
        long active = json(call(new Call("GET", "/api/rules", null), OPERATOR)).path("active").asLong();
        HttpResponse<String> paused = send(request(new Call("POST", "/api/pause", "{\"reason\": \"db migration\"}"))
                .header("Authorization", "Bearer " + OPERATOR).header("X-Reflex-Author", "mallory"));
        assertThat(paused.statusCode()).as(paused.body()).isEqualTo(200);
        await("pause visible").atMost(BOUND).until(() ->
                json(call(new Call("GET", "/api/guardrails", null), VIEWER)).path("paused").asBoolean());
        JsonNode killSwitch = json(call(new Call("GET", "/api/guardrails", null), VIEWER))
                .path("guardrails").path("killSwitch");
        assertThat(killSwitch.path("by").asText()).isEqualTo("olga");

        HttpResponse<String> deploy = call(new Call("POST", "/api/rules", drl), OPERATOR);
        assertThat(deploy.statusCode()).isEqualTo(403);
        assertThat(json(deploy).path("message").asText())
                .isEqualTo("POST /api/rules needs role author or admin; token 'olga' has role operator.");
        assertThat(json(call(new Call("GET", "/api/rules", null), OPERATOR)).path("active").asLong()).isEqualTo(active);

        assertThat(call(new Call("POST", "/api/resume", "{\"reason\": \"done\"}"), OPERATOR).statusCode()).isEqualTo(200);
        await("resume visible").atMost(BOUND).until(() ->
                !json(call(new Call("GET", "/api/guardrails", null), VIEWER)).path("paused").asBoolean());
    }

    @Test
    @Order(7)
    void anAuthorDeploysAsItselfButCannotPause() throws Exception {
        HttpResponse<String> deployed = send(request(new Call("POST", "/api/rules", drl.replace(
                "restart service on ServiceDown", "restart by aud")))
                .header("Authorization", "Bearer " + AUTHOR).header("X-Reflex-Author", "mallory"));
        assertThat(deployed.statusCode()).as(deployed.body()).isEqualTo(201);
        long version = json(deployed).path("version").asLong();
        JsonNode rules = json(call(new Call("GET", "/api/rules", null), VIEWER));
        assertThat(rules.path("active").asLong()).isEqualTo(version);
        JsonNode recorded = null;
        for (JsonNode v : rules.path("versions")) {
            if (v.path("version").asLong() == version) {
                recorded = v;
            }
        }
        assertThat(recorded).as(rules.toString()).isNotNull();
        assertThat(recorded.path("author").asText()).isEqualTo("aud");

        HttpResponse<String> pause = call(new Call("POST", "/api/pause", "{}"), AUTHOR);
        assertThat(pause.statusCode()).isEqualTo(403);
        assertThat(json(pause).path("message").asText()).contains("needs role operator");
        assertThat(json(call(new Call("GET", "/api/guardrails", null), VIEWER)).path("paused").asBoolean()).isFalse();
    }

    @Test
    @Order(8)
    void anAdminMayCallEverything() throws Exception {
        Map<String, Integer> answers = new LinkedHashMap<>();
        for (Call call : everyEndpoint()) {
            answers.put(call.toString(), call(call, ADMIN).statusCode());
        }
        assertThat(answers).allSatisfy((call, status) -> assertThat(status).as(call).isNotIn(401, 403));
        assertThat(answers).containsEntry("POST /api/rules", 201).containsEntry("POST /api/pause", 200)
                .containsEntry("POST /api/resume", 200).containsEntry("POST /api/silences", 201);
        JsonNode newest = null;
        for (JsonNode v : json(call(new Call("GET", "/api/rules", null), ADMIN)).path("versions")) {
            newest = newest == null || v.path("version").asLong() > newest.path("version").asLong() ? v : newest;
        }
        assertThat(newest.path("author").asText()).as("the admin's deploy is the newest").isEqualTo("ana");
        await("silence by ana visible").atMost(BOUND).until(() -> {
            JsonNode silences = json(call(new Call("GET", "/api/guardrails", null), ADMIN))
                    .path("guardrails").path("silences");
            return silences.size() == 1 && silences.get(0).path("createdBy").asText().equals("ana");
        });
    }

    @Test
    @Order(9)
    void theCommandLineSendsItsTokenAndSaysWhatToDoWhenRefused(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("rules.drl"), drl);
        String url = "http://127.0.0.1:" + reflex.httpPort();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.PrintStream print = new java.io.PrintStream(out, true, StandardCharsets.UTF_8);
        String[] deploy = {"deploy", file.toString(), "--url", url, "--data-dir", dir.toString()};

        assertThat(RulesCommand.run(List.of(deploy), print, print, Map.of())).isEqualTo(Main.FAILED);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("answered 401", "give --token TOKEN or set REFLEX_TOKEN");
        out.reset();
        assertThat(RulesCommand.run(List.of(deploy), print, print, Map.of("REFLEX_TOKEN", VIEWER))).isEqualTo(Main.FAILED);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("answered 403", "needs role author");
        out.reset();
        List<String> withFlag = new ArrayList<>(List.of(deploy));
        withFlag.addAll(List.of("--token", AUTHOR));
        assertThat(RulesCommand.run(withFlag, print, print, Map.of("REFLEX_TOKEN", VIEWER))).as(out.toString())
                .isEqualTo(Main.OK);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("deployed as version");
    }

    private HttpResponse<String> call(Call call, String token) throws Exception {
        HttpRequest.Builder request = request(call);
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return send(request);
    }

    private HttpRequest.Builder request(Call call) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + reflex.httpPort() + call.path()))
                .timeout(Duration.ofSeconds(60))
                .method(call.method(), call.body() == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(call.body()));
    }

    /** The answer with its body; an event stream's body is cut after the headers (it never ends). */
    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        HttpResponse<InputStream> answer = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        String body;
        try (InputStream in = answer.body()) {
            body = answer.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream") ? ""
                    : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        return new Answer(answer, body);
    }

    private static JsonNode json(HttpResponse<String> answer) throws IOException {
        return Json.MAPPER.readTree(answer.body());
    }

    /** An answer whose body was read as text. */
    private record Answer(HttpResponse<InputStream> raw, String body) implements HttpResponse<String> {
        @Override
        public int statusCode() {
            return raw.statusCode();
        }

        @Override
        public HttpRequest request() {
            return raw.request();
        }

        @Override
        public java.util.Optional<HttpResponse<String>> previousResponse() {
            return java.util.Optional.empty();
        }

        @Override
        public java.net.http.HttpHeaders headers() {
            return raw.headers();
        }

        @Override
        public java.util.Optional<javax.net.ssl.SSLSession> sslSession() {
            return raw.sslSession();
        }

        @Override
        public URI uri() {
            return raw.uri();
        }

        @Override
        public HttpClient.Version version() {
            return raw.version();
        }
    }
}
