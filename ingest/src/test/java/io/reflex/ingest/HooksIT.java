package io.reflex.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.reflex.ingest.auth.AuthConfig;
import io.reflex.ingest.auth.RateLimitConfig;
import io.reflex.ingest.generic.GenericMapping;
import io.reflex.model.AlertEvent;
import io.reflex.model.Json;
import io.reflex.model.Topics;
import io.reflex.testkit.Fixtures;
import io.reflex.testkit.KafkaCluster;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every hook on a real Vert.x server against a real broker, with the auth each source is
 * configured with: what a sender is told always matches what is (or is not) in
 * {@code reflex.alerts}, which every test reads back.
 */
class HooksIT {
    private static final Duration QUIET = Duration.ofMillis(400);
    private static final String AM_TOKEN = "alertmanager-token-0123456789";
    private static final String GRAFANA_PASSWORD = "grafana-password-0123456789";
    private static final String CE_SECRET = "cloudevents-secret-0123456789";
    private static final String PD_SECRET = "pagerduty-secret-0123456789";
    private static final String ZABBIX_TOKEN = "zabbix-token-0123456789abcdef";

    private static KafkaCluster kafka;
    private static AlertPublisher publisher;
    private static Ingest ingest;
    private static Vertx vertx;
    private static HttpServer server;
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        kafka = KafkaCluster.start();
        kafka.createTopics(Topics.ALERTS, Topics.ALERTS_DLQ);
        GenericMapping zabbix = new YAMLMapper().readValue(Fixtures.read("fixtures/generic/zabbix.yaml"),
                GenericMapping.class);
        Map<String, SourceConfig> sources = new TreeMap<>();
        sources.put("alertmanager", new SourceConfig(AuthConfig.bearer(AM_TOKEN), null, null));
        sources.put("grafana", new SourceConfig(AuthConfig.basic("grafana", GRAFANA_PASSWORD), null, null));
        sources.put("cloudevents", new SourceConfig(AuthConfig.hmac(CE_SECRET), null, null));
        sources.put("pagerduty", new SourceConfig(AuthConfig.pagerDuty(PD_SECRET), null, null));
        sources.put("zabbix", new SourceConfig(AuthConfig.bearer(ZABBIX_TOKEN), null, zabbix));
        // The same sender with a tight budget: 2 at once, then one every 100 s.
        sources.put("zabbix-limited", new SourceConfig(AuthConfig.bearer(ZABBIX_TOKEN), new RateLimitConfig(0.01, 2),
                zabbix));
        IngestConfig config = new IngestConfig(sources, new Limits(16, 5, 20, 200), null, 64L * 1024, null, null);
        publisher = new AlertPublisher(kafka.clientProps());
        ingest = new Ingest(config, publisher, Clock.systemUTC(), new PrometheusRegistry());
        vertx = Vertx.vertx();
        Router router = Router.router(vertx);
        ingest.mount(router);
        server = vertx.createHttpServer().requestHandler(router).listen(0)
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        if (vertx != null) {
            ingest.close();
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        if (publisher != null) {
            publisher.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    // ---- every source, its own format, its own credentials -------------------------------------

    @Test
    void eachSourceStoresWhatItsSenderPostsOnlyWithValidCredentials() throws Exception {
        expectStored(post("/hooks/alertmanager", am(), Map.of("Authorization", "Bearer " + AM_TOKEN)), 1);
        expectStored(post("/hooks/grafana", Fixtures.read("fixtures/grafana/firing-with-values.json"),
                Map.of("Authorization", basic("grafana", GRAFANA_PASSWORD))), 2);
        String event = Fixtures.read("fixtures/cloudevents/structured-firing.json");
        expectStored(post("/hooks/cloudevents", event, hmac(event, CE_SECRET, now()),
                "application/cloudevents+json"), 1);
        String incident = Fixtures.read("fixtures/pagerduty/incident-triggered.json");
        expectStored(post("/hooks/pagerduty", incident, Map.of("X-PagerDuty-Signature", "v1=" + sign(PD_SECRET, incident))), 1);
        expectStored(post("/hooks/generic/zabbix", Fixtures.read("fixtures/generic/zabbix-problem.json"),
                Map.of("Authorization", "Bearer " + ZABBIX_TOKEN)), 1);
    }

    @Test
    void aPagerDutyPingIsTakenWithoutStoringAnything() throws Exception {
        String ping = Fixtures.read("fixtures/pagerduty/pagey-ping.json");
        HttpResponse<String> answer = nothingWritten(() -> post("/hooks/pagerduty", ping,
                Map.of("X-PagerDuty-Signature", "v1=" + sign(PD_SECRET, ping))));
        assertThat(answer.statusCode()).isEqualTo(202);
        assertThat(json(answer).path("accepted").asInt()).isZero();
    }

    @Test
    void anAnnotationThatImitatesReflexOwnIsStoredAndAnsweredNormally() throws Exception {
        String body = am().replace("\"annotations\":{}", "\"annotations\":{\"reflex.truncatedAlerts\":\"lots\"}");
        expectStored(post("/hooks/alertmanager", body, Map.of("Authorization", "Bearer " + AM_TOKEN)), 1);
    }

    // ---- authentication ----------------------------------------------------------------------

    @Test
    void missingOrWrongCredentialsGet401WithAChallengeAndWriteNothing() throws Exception {
        refused(post("/hooks/alertmanager", am(), Map.of()), 401, "missing_credentials");
        refused(post("/hooks/alertmanager", am(), Map.of("Authorization", "Bearer wrong-token-0123456789")), 401,
                "bad_credentials");
        refused(post("/hooks/grafana", Fixtures.read("fixtures/grafana/firing-with-values.json"),
                Map.of("Authorization", basic("grafana", "not-the-password-000"))), 401, "bad_credentials");
        String incident = Fixtures.read("fixtures/pagerduty/incident-triggered.json");
        refused(post("/hooks/pagerduty", incident, Map.of("X-PagerDuty-Signature", "v1=" + sign("other-secret-0123456789", incident))),
                401, "bad_credentials");
        refused(post("/hooks/pagerduty", incident, Map.of()), 401, "missing_credentials");
    }

    @Test
    void anHmacSignatureIsGoodOnceAndOnlyWhileFresh() throws Exception {
        String event = Fixtures.read("fixtures/cloudevents/batch.json");
        Map<String, String> signed = hmac(event, CE_SECRET, now());
        HttpResponse<String> first = post("/hooks/cloudevents", event, signed, "application/cloudevents-batch+json");
        assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
        refused(post("/hooks/cloudevents", event, signed, "application/cloudevents-batch+json"), 401,
                "replayed_signature");
        refused(post("/hooks/cloudevents", event, hmac(event, CE_SECRET, now() - 3600),
                "application/cloudevents-batch+json"), 401, "stale_signature");
        refused(post("/hooks/cloudevents", event + " ", signed, "application/cloudevents-batch+json"), 401,
                "bad_credentials");
    }

    // ---- limits ------------------------------------------------------------------------------

    @Test
    void everyLimitIsNamedAndNothingIsWritten() throws Exception {
        Map<String, String> auth = Map.of("Authorization", "Bearer " + AM_TOKEN);
        JsonNode tooMany = refused(post("/hooks/alertmanager", am(6, 1, 10), auth), 422, "limit_exceeded");
        assertThat(tooMany.path("details").toString()).contains("at most 5 (ingest.limits.maxAlertsPerRequest)");
        JsonNode labels = refused(post("/hooks/alertmanager", am(1, 25, 10), auth), 422, "limit_exceeded");
        assertThat(labels.path("details").toString()).contains("(ingest.limits.maxLabels)");
        JsonNode length = refused(post("/hooks/alertmanager", am(1, 1, 300), auth), 422, "limit_exceeded");
        assertThat(length.path("details").toString()).contains("(ingest.limits.maxLabelLength)");
        JsonNode deep = refused(post("/hooks/alertmanager", "[".repeat(40) + "]".repeat(40), auth), 400, "malformed_json");
        assertThat(deep.path("details").toString()).contains("nested deeper than 16 levels");
        JsonNode big = refused(post("/hooks/alertmanager", "{\"pad\":\"" + "x".repeat(70 * 1024) + "\"}", auth), 413,
                "payload_too_large");
        assertThat(big.path("message").asText()).contains("ingest.maxBodyBytes");
    }

    @Test
    void aSourceOverItsRateLimitGets429WithRetryAfter() throws Exception {
        Map<String, String> auth = Map.of("Authorization", "Bearer " + ZABBIX_TOKEN);
        String resolved = Fixtures.read("fixtures/generic/zabbix-resolved.json");
        int accepted = 0;
        HttpResponse<String> last = null;
        for (int i = 0; i < 4 && (last == null || last.statusCode() != 429); i++) {
            last = post("/hooks/generic/zabbix-limited", resolved, auth);
            accepted += last.statusCode() == 202 ? 1 : 0;
        }
        assertThat(last.statusCode()).isEqualTo(429);
        assertThat(accepted).isLessThanOrEqualTo(2);
        assertThat(Long.parseLong(last.headers().firstValue("Retry-After").orElseThrow())).isPositive();
        assertThat(json(last).path("error").asText()).isEqualTo("rate_limited");
    }

    // ---- bad input ---------------------------------------------------------------------------

    @Test
    void malformedJsonWrongTypesUnknownStatusAndMissingFieldsAreNamed() throws Exception {
        Map<String, String> auth = Map.of("Authorization", "Bearer " + AM_TOKEN);
        JsonNode malformed = refused(post("/hooks/alertmanager", "{\"version\": \"4\", \"alerts\": [", auth), 400,
                "malformed_json");
        assertThat(malformed.path("details").get(0).asText()).startsWith("body: not valid JSON (line 1, column");
        JsonNode types = refused(post("/hooks/alertmanager", am().replace("\"labels\":{", "\"labels\":{\"n\":5,"), auth),
                422, "invalid_payload");
        assertThat(types.path("details").toString()).contains("alerts[0].labels.n: expected a string, got a number");
        JsonNode status = refused(post("/hooks/alertmanager", am().replace("\"status\":\"firing\",\"labels\"",
                "\"status\":\"burning\",\"labels\""), auth), 422, "invalid_payload");
        assertThat(status.path("details").toString()).contains("alerts[0].status: expected \\\"firing\\\" or \\\"resolved\\\"");
        JsonNode missing = refused(post("/hooks/grafana", "{\"version\":\"1\",\"alerts\":[{\"status\":\"firing\"}]}",
                Map.of("Authorization", basic("grafana", GRAFANA_PASSWORD))), 422, "invalid_payload");
        assertThat(missing.path("details").toString()).contains("alerts[0].labels").contains("alerts[0].startsAt");
        String noId = "{\"specversion\":\"1.0\",\"source\":\"/x\",\"type\":\"t.firing\",\"data\":{}}";
        JsonNode cloud = refused(post("/hooks/cloudevents", noId, hmac(noId, CE_SECRET, now()),
                "application/cloudevents+json"), 422, "invalid_payload");
        assertThat(cloud.path("details").toString()).contains("id");
    }

    @Test
    void unknownGenericSourcesAre404() throws Exception {
        refused(post("/hooks/generic/nagios", "{}", Map.of()), 404, "unknown_source");
    }

    // ---- helpers -----------------------------------------------------------------------------

    private static void expectStored(HttpResponse<String> answer, int alerts) throws Exception {
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
        List<String> ids = Json.MAPPER.convertValue(json(answer).path("ids"),
                Json.MAPPER.getTypeFactory().constructCollectionType(List.class, String.class));
        assertThat(ids).hasSize(alerts);
        List<String> stored = kafka.readAll(Topics.ALERTS, QUIET).stream().map(ConsumerRecord::value)
                .map(AlertEvent::id).toList();
        assertThat(stored).containsAll(ids);
    }

    /** Asserts the answer's status and error code, and that reflex.alerts did not grow meanwhile. */
    private static JsonNode refused(HttpResponse<String> answer, int status, String error) throws Exception {
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(status);
        JsonNode body = json(answer);
        assertThat(body.path("error").asText()).isEqualTo(error);
        assertThat(body.path("message").asText()).isNotBlank();
        if (status == 401) {
            assertThat(answer.headers().firstValue("WWW-Authenticate")).isPresent();
        }
        return body;
    }

    private interface Call {
        HttpResponse<String> run() throws Exception;
    }

    private static HttpResponse<String> nothingWritten(Call call) throws Exception {
        int before = kafka.readAll(Topics.ALERTS, QUIET).size();
        HttpResponse<String> answer = call.run();
        assertThat(kafka.readAll(Topics.ALERTS, QUIET)).hasSize(before);
        return answer;
    }

    private static HttpResponse<String> post(String path, String body, Map<String, String> headers) throws Exception {
        return post(path, body, headers, "application/json");
    }

    private static HttpResponse<String> post(String path, String body, Map<String, String> headers, String type)
            throws Exception {
        int before = kafka.readAll(Topics.ALERTS, QUIET).size();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + path))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        HttpResponse<String> answer = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 202) {
            assertThat(kafka.readAll(Topics.ALERTS, QUIET)).as("a %d must write nothing", answer.statusCode())
                    .hasSize(before);
        }
        return answer;
    }

    private static JsonNode json(HttpResponse<String> answer) throws Exception {
        return Json.MAPPER.readTree(answer.body());
    }

    private static long now() {
        return System.currentTimeMillis() / 1000;
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static Map<String, String> hmac(String body, String secret, long timestamp) throws Exception {
        return Map.of("X-Reflex-Timestamp", Long.toString(timestamp),
                "X-Reflex-Signature", "sha256=" + sign(secret, timestamp + "." + body));
    }

    private static String sign(String secret, String data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
    }

    private static String am() {
        return am(1, 1, 10);
    }

    /** An Alertmanager body with {@code alerts} alerts of {@code labels} extra labels of {@code length} characters. */
    private static String am(int alerts, int labels, int length) {
        StringBuilder body = new StringBuilder("{\"version\":\"4\",\"status\":\"firing\",\"alerts\":[");
        long unique = System.nanoTime();
        for (int i = 0; i < alerts; i++) {
            body.append(i == 0 ? "" : ",").append("{\"status\":\"firing\",\"labels\":{\"alertname\":\"Hooks\",\"host\":\"h")
                    .append(unique).append('-').append(i).append('"');
            for (int l = 0; l < labels; l++) {
                body.append(",\"l").append(l).append("\":\"").append("v".repeat(length)).append('"');
            }
            body.append("},\"annotations\":{},\"startsAt\":\"2026-11-26T10:00:00Z\",\"endsAt\":\"0001-01-01T00:00:00Z\"}");
        }
        return body.append("]}").toString();
    }
}
