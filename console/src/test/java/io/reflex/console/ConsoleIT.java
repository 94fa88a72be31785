package io.reflex.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflex.model.Incident;
import io.reflex.model.IncidentStatus;
import io.reflex.model.Json;
import io.reflex.model.Resource;
import io.reflex.model.TimelineEntry;
import io.reflex.model.TimelineKind;
import io.reflex.model.Topic;
import io.reflex.model.Topics;
import io.reflex.testkit.KafkaCluster;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLClassLoader;
import java.net.URLEncoder;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console on a real Kafka cluster and a real Vert.x server, called over HTTP. */
class ConsoleIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
    private static final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();

    private static KafkaCluster kafka;
    private static Vertx vertx;
    private static Console console;
    private static HttpServer server;
    private static String base;

    @BeforeAll
    static void start() throws Exception {
        kafka = KafkaCluster.start();
        kafka.createAllTopics();
        console = new Console(ConsoleConfig.defaults(), kafka.clientProps(),
                List.of(new ConsumerGroupRole("rules", "it-rules"), new ConsumerGroupRole("remediator", "it-remediator")),
                Clock.systemUTC());
        vertx = Vertx.vertx();
        Router router = Router.router(vertx);
        console.mount(router);
        console.start();
        server = vertx.createHttpServer().requestHandler(router).listen(0)
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        base = "http://127.0.0.1:" + server.actualPort();
        await().atMost(WAIT).until(console::ready);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        if (console != null) {
            console.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    private static Incident incident(String id, String kind, String name, String alert, int minute) {
        return new Incident(id, IncidentStatus.OPEN, alert + " on " + kind + ":" + name, Resource.of(kind, name), alert,
                T0.plusSeconds(60L * minute), null, List.of(), List.of());
    }

    private static TimelineEntry entry(String incidentId, int second, TimelineKind kind, Map<String, String> refs) {
        return new TimelineEntry(incidentId, T0.plusSeconds(second), kind, kind + " of " + incidentId, refs);
    }

    private static <V> void send(Topic<V> topic, String key, V value) {
        kafka.send(topic, key, value);
    }

    private static HttpResponse<String> get(String pathAndQuery, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(Duration.ofSeconds(20));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        return Json.MAPPER.readTree(response.body());
    }

    /** An open /api/stream: its lines, collected by a reader thread until closed. */
    private static final class Stream implements AutoCloseable {
        final List<String> lines = new CopyOnWriteArrayList<>();
        final HttpResponse<InputStream> response;
        private final Thread reader;

        Stream(String query) throws Exception {
            response = http.send(HttpRequest.newBuilder(URI.create(base + "/api/stream" + query)).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    lines.add("<closed: " + e.getMessage() + ">");
                }
            }, "sse-reader");
            reader.setDaemon(true);
            reader.start();
        }

        /** The data of every event of this name, parsed. */
        List<JsonNode> events(String name) {
            List<JsonNode> events = new ArrayList<>();
            List<String> snapshot = List.copyOf(lines);
            for (int i = 0; i + 1 < snapshot.size(); i++) {
                if (snapshot.get(i).equals("event: " + name) && snapshot.get(i + 1).startsWith("data: ")) {
                    try {
                        events.add(Json.MAPPER.readTree(snapshot.get(i + 1).substring("data: ".length())));
                    } catch (IOException e) {
                        throw new AssertionError("event data is not JSON: " + snapshot.get(i + 1), e);
                    }
                }
            }
            return events;
        }

        List<String> timelineIncidents() {
            return events("timeline").stream().map(e -> e.get("incidentId").asText()).toList();
        }

        @Override
        public void close() throws IOException {
            response.body().close();
        }
    }

    @Test
    void timelineEntriesAndIncidentChangesArriveOnOpenStreamsFilteredByIncident() throws Exception {
        try (Stream all = new Stream(""); Stream one = new Stream("?incident=inc-sse-a")) {
            assertThat(all.response.statusCode()).isEqualTo(200);
            assertThat(all.response.headers().firstValue("content-type")).hasValue("text/event-stream; charset=utf-8");
            await().atMost(WAIT).until(() -> all.lines.contains(": stream open")
                    && one.lines.contains(": stream open for incident inc-sse-a"));
            await().atMost(WAIT).until(() -> console.view().listenerCount() == 2);

            send(Topics.TIMELINE, "inc-sse-b", entry("inc-sse-b", 1, TimelineKind.ALERT_RECEIVED, Map.of()));
            await().atMost(WAIT).until(() -> all.timelineIncidents().contains("inc-sse-b"));
            send(Topics.INCIDENTS, "inc-sse-a", incident("inc-sse-a", "service", "sse", "ServiceDown", 1));
            send(Topics.TIMELINE, "inc-sse-a", entry("inc-sse-a", 2, TimelineKind.RULE_FIRED, Map.of("rule", "restart")));

            await().atMost(WAIT).until(() -> one.timelineIncidents().contains("inc-sse-a"));
            // The feed hands every change to every stream in order: inc-sse-b came first and was left out.
            assertThat(one.timelineIncidents()).containsExactly("inc-sse-a");
            JsonNode step = one.events("timeline").get(0);
            assertThat(step.get("kind").asText()).isEqualTo("RULE_FIRED");
            assertThat(step.get("refs").get("rule").asText()).isEqualTo("restart");
            await().atMost(WAIT).until(() -> all.timelineIncidents().contains("inc-sse-a")
                    && !all.events("incident").isEmpty() && !one.events("incident").isEmpty());
            JsonNode opened = one.events("incident").get(0);
            assertThat(opened.get("id").asText()).isEqualTo("inc-sse-a");
            assertThat(opened.get("alert").asText()).isEqualTo("ServiceDown");
            assertThat(opened.has("timeline")).isFalse();
        }
        // Each closed connection takes its listener with it.
        await().atMost(WAIT).until(() -> console.view().listenerCount() == 0);
    }

    @Test
    void listsIncidentsByFilterAndRefusesBadParametersByName() throws Exception {
        send(Topics.INCIDENTS, "inc-f-1", incident("inc-f-1", "service", "checkout", "ServiceDown", 10));
        send(Topics.INCIDENTS, "inc-f-2", incident("inc-f-2", "host", "web-9", "DiskFull", 11));
        send(Topics.INCIDENTS, "inc-f-3", incident("inc-f-3", "service", "cart", "ServiceDown", 12));
        send(Topics.TIMELINE, "inc-f-3", entry("inc-f-3", 721, TimelineKind.ALERT_RECEIVED, Map.of("drillId", "drl-1")));
        await().atMost(WAIT).until(() -> console.view().findItem("inc-f-3").map(IncidentItem::drillId).isPresent()
                && console.view().find("inc-f-1").isPresent() && console.view().find("inc-f-2").isPresent());

        String window = "&from=" + T0.plusSeconds(600) + "&to=" + T0.plusSeconds(780);
        assertThat(ids("?alert=ServiceDown" + window)).containsExactly("inc-f-3", "inc-f-1");
        assertThat(ids("?resource=web-9" + window)).containsExactly("inc-f-2");
        assertThat(ids("?drill=true" + window)).containsExactly("inc-f-3");
        assertThat(ids("?drill=false" + window)).containsExactly("inc-f-2", "inc-f-1");
        assertThat(ids("?q=" + URLEncoder.encode("CHECKOUT", StandardCharsets.UTF_8) + window)).containsExactly("inc-f-1");
        JsonNode drill = json(get("/api/incidents?drill=true" + window)).get("items").get(0);
        assertThat(drill.get("drillId").asText()).isEqualTo("drl-1");
        assertThat(drill.get("alert").asText()).isEqualTo("ServiceDown");

        HttpResponse<String> bad = get("/api/incidents?from=yesterday&drill=maybe&limit=9999");
        assertThat(bad.statusCode()).isEqualTo(400);
        JsonNode error = json(bad);
        assertThat(error.get("error").asText()).isEqualTo("bad_request");
        assertThat(error.get("message").asText()).startsWith("invalid query parameters from, drill, limit:");
        assertThat(error.get("details")).hasSize(3);
    }

    private static List<String> ids(String query) throws Exception {
        HttpResponse<String> response = get("/api/incidents" + query);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        json(response).get("items").forEach(i -> ids.add(i.get("id").asText()));
        return ids;
    }

    @Test
    void anIncidentsDetailHasItsTimelineWithDurationsAndItsPhases() throws Exception {
        send(Topics.INCIDENTS, "inc-d", incident("inc-d", "service", "detail", "ServiceDown", 20));
        send(Topics.TIMELINE, "inc-d", entry("inc-d", 1200, TimelineKind.ALERT_RECEIVED,
                Map.of("startsAt", T0.plusSeconds(1190).toString())));
        send(Topics.TIMELINE, "inc-d", entry("inc-d", 1201, TimelineKind.RULE_FIRED, Map.of()));
        send(Topics.TIMELINE, "inc-d", entry("inc-d", 1203, TimelineKind.ACTION_DISPATCHED, Map.of("actionId", "act-d")));
        send(Topics.TIMELINE, "inc-d", entry("inc-d", 1210, TimelineKind.RESOLVED, Map.of()));
        await().atMost(WAIT).until(() -> console.view().find("inc-d").map(i -> i.timeline().size() == 4).orElse(false));

        JsonNode detail = json(get("/api/incidents/inc-d"));
        assertThat(detail.get("timeline").get(2).get("refs").get("actionId").asText()).isEqualTo("act-d");
        assertThat(detail.get("timeline").get(0).get("sincePrevious").isNull()).isTrue();
        assertThat(detail.get("timeline").get(3).get("sincePrevious").asText()).isEqualTo("PT7S");
        JsonNode phases = detail.get("phases");
        assertThat(phases.get("timeToDetect").asText()).isEqualTo("PT10S");
        assertThat(phases.get("timeToDecide").asText()).isEqualTo("PT1S");
        assertThat(phases.get("timeToAct").asText()).isEqualTo("PT2S");
        assertThat(phases.get("timeToRecover").asText()).isEqualTo("PT7S");
        assertThat(get("/api/incidents/nope").statusCode()).isEqualTo(404);
    }

    @Test
    void statusShowsTheClusterTheTopicsAndTheLagOfEachRolesGroup() throws Exception {
        String topic = "it.status";
        try (Admin admin = kafka.admin();
             KafkaProducer<String, String> producer = new KafkaProducer<>(kafka.clientProps(),
                     new StringSerializer(), new StringSerializer())) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            for (int i = 0; i < 5; i++) {
                producer.send(new ProducerRecord<>(topic, 0, "k", "v" + i)).get(30, TimeUnit.SECONDS);
            }
            TopicPartition partition = new TopicPartition(topic, 0);
            admin.alterConsumerGroupOffsets("it-rules", Map.of(partition, new OffsetAndMetadata(2)))
                    .all().get(30, TimeUnit.SECONDS);

            await().atMost(WAIT).untilAsserted(() -> {
                JsonNode status = json(get("/api/status"));
                assertThat(status.get("kafka").get("up").asBoolean()).isTrue();
                assertThat(status.get("kafka").get("brokers").asInt()).isEqualTo(1);
                assertThat(status.get("kafka").get("clusterId").asText()).isNotBlank();
                assertThat(status.get("roles").get(0).get("role").asText()).isEqualTo("rules");
                assertThat(status.get("roles").get(0).get("group").asText()).isEqualTo("it-rules");
                assertThat(status.get("roles").get(0).get("lag").asLong()).isEqualTo(3);
                assertThat(status.get("roles").get(1).get("group").asText()).isEqualTo("it-remediator");
                assertThat(status.get("roles").get(1).get("lag").isNull()).isTrue();
                List<String> names = new ArrayList<>();
                status.get("topics").forEach(t -> names.add(t.get("name").asText()));
                assertThat(names).containsExactlyElementsOf(Topics.all().stream().map(Topic::name).toList());
                assertThat(endOffset(status, Topics.INCIDENTS.name())).isEqualTo(endOffsets(admin, Topics.INCIDENTS));
            });
        }
    }

    private static long endOffset(JsonNode status, String name) {
        for (JsonNode topic : status.get("topics")) {
            if (topic.get("name").asText().equals(name)) {
                return topic.get("endOffset").asLong();
            }
        }
        throw new AssertionError(name + " missing from " + status);
    }

    private static long endOffsets(Admin admin, Topic<?> topic) throws Exception {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (int p = 0; p < topic.partitions(); p++) {
            request.put(new TopicPartition(topic.name(), p), OffsetSpec.latest());
        }
        return admin.listOffsets(request).all().get(30, TimeUnit.SECONDS).values().stream()
                .mapToLong(info -> info.offset()).sum();
    }

    @Test
    void servesTheIndexWithRevalidation() throws Exception {
        HttpResponse<String> index = get("/");
        assertThat(index.statusCode()).isEqualTo(200);
        assertThat(index.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
        assertThat(index.headers().firstValue("cache-control")).hasValue("no-cache");
        String etag = index.headers().firstValue("etag").orElseThrow();
        assertThat(get("/", "If-None-Match", etag).statusCode()).isEqualTo(304);
        assertThat(get("/console/index.html").body()).isEqualTo(index.body());
        assertThat(get("/console/no-such-file.js").statusCode()).isEqualTo(404);
        assertThat(get("/console/%2e%2e/Console.class").statusCode()).isEqualTo(404);
    }

    @Test
    void servesEveryKindOfWebFileWithItsContentType(@TempDir Path dir) throws Exception {
        Path web = Files.createDirectories(dir.resolve(StaticFiles.ROOT).resolve("views"));
        Files.writeString(web.getParent().resolve("index.html"), "<!doctype html><script type=module src=console/app.js>");
        Files.writeString(web.getParent().resolve("app.js"), "import './views/list.js';");
        Files.writeString(web.resolve("list.js"), "export const list = 1;");
        Files.writeString(web.getParent().resolve("style.css"), "body{}");
        Files.writeString(web.getParent().resolve("logo.svg"), "<svg xmlns='http://www.w3.org/2000/svg'/>");
        Files.write(web.getParent().resolve("shot.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G'});
        try (URLClassLoader loader = new URLClassLoader(new java.net.URL[] {dir.toUri().toURL()}, null)) {
            Router router = Router.router(vertx);
            new StaticFiles(loader).mount(router);
            HttpServer files = vertx.createHttpServer().requestHandler(router).listen(0)
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            try {
                String at = "http://127.0.0.1:" + files.actualPort();
                assertThat(typeOf(at + "/console/app.js")).isEqualTo("text/javascript; charset=utf-8");
                assertThat(typeOf(at + "/console/views/list.js")).isEqualTo("text/javascript; charset=utf-8");
                assertThat(typeOf(at + "/console/style.css")).isEqualTo("text/css; charset=utf-8");
                assertThat(typeOf(at + "/console/logo.svg")).isEqualTo("image/svg+xml");
                assertThat(typeOf(at + "/console/shot.png")).isEqualTo("image/png");
                assertThat(typeOf(at + "/")).isEqualTo("text/html; charset=utf-8");
            } finally {
                files.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
        }
    }

    private static String typeOf(String url) throws Exception {
        HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).as(url).isEqualTo(200);
        assertThat(response.headers().firstValue("etag")).as(url).isPresent();
        return response.headers().firstValue("content-type").orElseThrow();
    }
}
