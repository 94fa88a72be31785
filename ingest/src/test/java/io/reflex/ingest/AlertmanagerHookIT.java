package io.reflex.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.reflex.model.AlertEvent;
import io.reflex.model.AlertStatus;
import io.reflex.model.ApiError;
import io.reflex.model.Json;
import io.reflex.model.Topics;
import io.reflex.testkit.Fixtures;
import io.reflex.testkit.KafkaCluster;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code POST /hooks/alertmanager} on a real Vert.x server against a real in-process Kafka: what
 * the sender is told matches what is (or is not) in {@code reflex.alerts}, read back every time.
 * The broker-down test runs last: it stops and restarts the shared broker.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AlertmanagerHookIT {

    private static final Instant NOW = Instant.parse("2026-11-26T10:20:00Z");
    private static final long MAX_BODY = 64 * 1024;
    private static final Duration QUIET = Duration.ofMillis(500);

    private static KafkaCluster kafka;
    private static Vertx vertx;
    private static AlertPublisher publisher;
    private static PrometheusRegistry registry;
    private static Ingest ingest;
    private static HttpServer server;
    private static WebClient client;

    @BeforeAll
    static void start() throws Exception {
        kafka = KafkaCluster.start();
        kafka.createTopics(Topics.ALERTS, Topics.ALERTS_DLQ);
        Map<String, Object> props = kafka.clientProps();
        // Small bounds keep the broker-down test short; the defaults are 5 s and 10 s.
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 2_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 3_000);
        publisher = new AlertPublisher(props);
        registry = new PrometheusRegistry();
        IngestConfig config = new IngestConfig(Map.of("alertmanager", SourceConfig.open()), null, null, MAX_BODY, null, null);
        ingest = new Ingest(config, publisher, Clock.fixed(NOW, ZoneOffset.UTC), registry);
        vertx = Vertx.vertx();
        Router router = Router.router(vertx);
        ingest.mount(router);
        server = join(vertx.createHttpServer().requestHandler(router).listen(0));
        client = WebClient.create(vertx);
    }

    @AfterAll
    static void stop() throws Exception {
        if (vertx != null) {
            ingest.close();
            join(vertx.close());
        }
        if (publisher != null) {
            publisher.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    @Order(1)
    void acceptsARealNotificationOnlyOnceItsAlertIsInKafka() throws Exception {
        Set<String> before = offsets(readAlerts());
        double acceptedBefore = alerts("accepted");

        HttpResponse<Buffer> response = post(Fixtures.read("fixtures/alertmanager/firing-from-prometheus-rule.json"));

        assertThat(response.statusCode()).isEqualTo(202);
        JsonObject body = response.bodyAsJsonObject();
        Instant startsAt = Instant.parse("2026-11-26T10:18:40.947Z");
        String id = AlertEvent.idFor("alertmanager", "dac487595491f970", startsAt, AlertStatus.FIRING);
        assertThat(body.getInteger("accepted")).isEqualTo(1);
        assertThat(body.getJsonArray("ids").getList()).containsExactly(id);

        List<ConsumerRecord<String, AlertEvent>> added = added(before, readAlerts());
        assertThat(added).hasSize(1);
        ConsumerRecord<String, AlertEvent> record = added.get(0);
        assertThat(record.key()).isEqualTo("host:web-1");
        AlertEvent event = record.value();
        assertThat(event.id()).isEqualTo(id);
        assertThat(event.name()).isEqualTo("HighCPU");
        assertThat(event.status()).isEqualTo(AlertStatus.FIRING);
        assertThat(event.startsAt()).isEqualTo(startsAt);
        assertThat(event.receivedAt()).isEqualTo(NOW);
        assertThat(event.labels()).containsEntry("severity", "critical");
        assertThat(alerts("accepted") - acceptedBefore).isEqualTo(1);
        assertThat(Metrics.sample(registry, "reflex_ingest_request_seconds_count", "code=\"202\"", "source=\"alertmanager\""))
                .isGreaterThanOrEqualTo(1);
    }

    @Test
    @Order(2)
    void storesEveryAlertOfAGroupKeyedByItsResource() throws Exception {
        ObjectNode group = (ObjectNode) Json.MAPPER.readTree(Fixtures.read("fixtures/alertmanager/firing-posted-via-api.json"));
        ObjectNode second = group.withArray("alerts").get(0).deepCopy();
        ((ObjectNode) second.get("labels")).put("service", "checkout");
        second.put("fingerprint", "00000000000000aa");
        group.withArray("alerts").add(second);
        Set<String> before = offsets(readAlerts());

        HttpResponse<Buffer> response = post(Json.MAPPER.writeValueAsString(group));

        assertThat(response.statusCode()).isEqualTo(202);
        List<Object> ids = response.bodyAsJsonObject().getJsonArray("ids").getList();
        List<ConsumerRecord<String, AlertEvent>> added = added(before, readAlerts());
        assertThat(added).extracting(ConsumerRecord::key).containsExactlyInAnyOrder("host:db-1", "service:checkout");
        assertThat(added).extracting(r -> (Object) r.value().id()).containsExactlyInAnyOrderElementsOf(ids);
    }

    @Test
    @Order(3)
    void answersMalformedJsonWith400NamingThePositionAndWritesNothing() throws Exception {
        Set<String> before = offsets(readAlerts());
        double invalidBefore = alerts("invalid");

        HttpResponse<Buffer> response = post("{\"version\": \"4\", \"alerts\": [");

        assertThat(response.statusCode()).isEqualTo(400);
        ApiError error = apiError(response);
        assertThat(error.error()).isEqualTo("malformed_json");
        assertThat(error.details()).singleElement().asString().startsWith("body: not valid JSON (line 1, column ");
        assertThat(added(before, readAlerts())).isEmpty();
        assertThat(alerts("invalid")).as("nothing countable in an unreadable body").isEqualTo(invalidBefore);
    }

    @Test
    @Order(4)
    void answersTheWrongShapeWith422NamingTheFieldAndWritesNothingOfTheGroup() throws Exception {
        ObjectNode group = (ObjectNode) Json.MAPPER.readTree(Fixtures.read("fixtures/alertmanager/firing-from-prometheus-rule.json"));
        ObjectNode broken = group.withArray("alerts").get(0).deepCopy();
        ((ObjectNode) broken.get("labels")).remove("alertname");
        group.withArray("alerts").add(broken);
        Set<String> before = offsets(readAlerts());
        double invalidBefore = alerts("invalid");

        HttpResponse<Buffer> response = post(Json.MAPPER.writeValueAsString(group));

        assertThat(response.statusCode()).isEqualTo(422);
        ApiError error = apiError(response);
        assertThat(error.error()).isEqualTo("invalid_payload");
        assertThat(error.details()).containsExactly("alerts[1].labels.alertname: missing");
        assertThat(added(before, readAlerts())).as("the valid alert of the group is not written either").isEmpty();
        assertThat(alerts("invalid") - invalidBefore).isEqualTo(2);
    }

    @Test
    @Order(5)
    void answersAnOversizedBodyWith413AndWritesNothing() throws Exception {
        ObjectNode group = (ObjectNode) Json.MAPPER.readTree(Fixtures.read("fixtures/alertmanager/firing-from-prometheus-rule.json"));
        ((ObjectNode) group.withArray("alerts").get(0).get("annotations")).put("description", "x".repeat((int) MAX_BODY));
        Set<String> before = offsets(readAlerts());

        HttpResponse<Buffer> response = post(Json.MAPPER.writeValueAsString(group));

        assertThat(response.statusCode()).isEqualTo(413);
        ApiError error = apiError(response);
        assertThat(error.error()).isEqualTo("payload_too_large");
        assertThat(error.details()).containsExactly("body: larger than " + MAX_BODY + " bytes");
        assertThat(added(before, readAlerts())).isEmpty();
    }

    @Test
    @Order(6)
    void theSameNotificationTwiceCarriesTheSameIds() throws Exception {
        String body = Fixtures.read("fixtures/alertmanager/firing-posted-via-api.json");

        HttpResponse<Buffer> first = post(body);
        HttpResponse<Buffer> second = post(body);

        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(second.statusCode()).isEqualTo(202);
        assertThat(second.bodyAsJsonObject().getJsonArray("ids")).isEqualTo(first.bodyAsJsonObject().getJsonArray("ids"));
    }

    @Test
    @Order(100)
    void answers503WithRetryAfterWithinTheBoundWhileKafkaIsDownAndAcceptsAgainOnceItIsBack() throws Exception {
        String body = Fixtures.read("fixtures/alertmanager/firing-posted-via-api.json");
        double unavailableBefore = alerts("unavailable");
        kafka.stopBroker();
        HttpResponse<Buffer> response;
        try {
            // post() gives up after the publisher's bound plus slack: a hang fails the test.
            response = post(body);
        } finally {
            kafka.restartBroker();
        }

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.getHeader("Retry-After")).isEqualTo("5");
        ApiError error = apiError(response);
        assertThat(error.error()).isEqualTo("kafka_unavailable");
        assertThat(error.message()).contains("Retry later");
        assertThat(error.details()).isNotEmpty();
        assertThat(alerts("unavailable") - unavailableBefore).isEqualTo(1);

        // Right after a restart a partition may still be electing its leader, so a read can come back
        // short: compare by the ids the 202 names, read until they are there, not by offsets.
        List<HttpResponse<Buffer>> accepted = new java.util.ArrayList<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    HttpResponse<Buffer> answer = post(body);
                    accepted.add(answer);
                    return answer.statusCode() == 202;
                });
        List<Object> ids = accepted.get(accepted.size() - 1).bodyAsJsonObject().getJsonArray("ids").getList();
        assertThat(ids).isNotEmpty();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(readAlerts().stream()
                .filter(r -> ids.contains(r.value().id())).map(r -> r.value().name()).toList())
                .isNotEmpty().containsOnly("DiskFull"));
    }

    private static HttpResponse<Buffer> post(String body) throws Exception {
        long bound = publisher.ackTimeout().toMillis() + 5_000;
        return join(client.post(server.actualPort(), "127.0.0.1", IngestRoutes.ALERTMANAGER_PATH)
                .putHeader("Content-Type", "application/json")
                .timeout(bound)
                .sendBuffer(Buffer.buffer(body.getBytes(StandardCharsets.UTF_8))));
    }

    private static ApiError apiError(HttpResponse<Buffer> response) throws Exception {
        assertThat(response.getHeader("Content-Type")).isEqualTo("application/json");
        return Json.MAPPER.readValue(response.bodyAsString(), ApiError.class);
    }

    private static double alerts(String outcome) {
        return Metrics.sample(registry, "reflex_ingest_alerts_total", "outcome=\"" + outcome + "\"",
                "source=\"alertmanager\"");
    }

    private static List<ConsumerRecord<String, AlertEvent>> readAlerts() {
        return kafka.readAll(Topics.ALERTS, QUIET);
    }

    private static Set<String> offsets(List<ConsumerRecord<String, AlertEvent>> records) {
        return records.stream().map(r -> r.partition() + "@" + r.offset()).collect(Collectors.toSet());
    }

    private static List<ConsumerRecord<String, AlertEvent>> added(Set<String> before,
            List<ConsumerRecord<String, AlertEvent>> now) {
        return now.stream().filter(r -> !before.contains(r.partition() + "@" + r.offset())).toList();
    }

    private static <T> T join(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(2, TimeUnit.MINUTES);
    }
}
