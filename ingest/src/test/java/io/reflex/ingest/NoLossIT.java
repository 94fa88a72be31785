package io.reflex.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.reflex.ingest.alertmanager.AlertmanagerAdapter;
import io.reflex.ingest.publish.PublishLimits;
import io.reflex.ingest.publish.PublisherMetrics;
import io.reflex.model.AlertEvent;
import io.reflex.model.AlertStatus;
import io.reflex.model.Json;
import io.reflex.model.Topics;
import io.reflex.testkit.KafkaCluster;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * No loss (issue 3, "Must show" 4): senders post Alertmanager webhooks to the real route on a
 * real HTTP server while the Kafka broker is stopped and restarted under them. They resend what
 * was not accepted, as Alertmanager does, until every alert got a 202. Then {@code reflex.alerts},
 * read committed as the rules stage reads it, holds every accepted alert exactly once, and nothing
 * else.
 */
class NoLossIT {

    private static final Logger LOG = LoggerFactory.getLogger(NoLossIT.class);

    private static final int SENDERS = 4;
    private static final int ALERTS_PER_REQUEST = 2;
    /** A cap, not the plan: the senders stop once the broker is back and alerts flow again. */
    private static final int MAX_REQUESTS_PER_SENDER = 5_000;
    /** Accepted requests that show alerts flow, before the stop and again after the restart. */
    private static final int FLOWING = 100;
    private static final Instant STARTS_AT = Instant.parse("2026-11-26T10:00:00Z");

    private KafkaCluster kafka;
    private AlertPublisher publisher;
    private PrometheusRegistry registry;
    private Vertx vertx;
    private HttpServer server;
    private ExecutorService senders;

    private final AtomicBoolean stopSending = new AtomicBoolean();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger unavailable = new AtomicInteger();
    private final AtomicInteger alertsSent = new AtomicInteger();
    private final Set<String> acceptedIds = ConcurrentHashMap.newKeySet();
    private final Set<String> sentIds = ConcurrentHashMap.newKeySet();

    @BeforeEach
    void start() throws Exception {
        kafka = KafkaCluster.start();
        kafka.createTopics(Topics.ALERTS, Topics.ALERTS_DLQ);
        Map<String, Object> props = kafka.clientProps();
        // Small bounds keep the outage short to observe; the defaults are 5 s and 10 s.
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 2_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 3_000);
        Clock clock = Clock.fixed(STARTS_AT.plusSeconds(60), ZoneOffset.UTC);
        registry = new PrometheusRegistry();
        publisher = new AlertPublisher(props, PublishLimits.defaults(), clock, new PublisherMetrics(registry));
        vertx = Vertx.vertx();
        Router router = Router.router(vertx);
        // The production route, with the alertmanager source open (auth is not what this test is about).
        IngestConfig config = IngestConfig.defaults().withSources(Map.of("alertmanager", SourceConfig.open()));
        new Ingest(config, publisher, clock, registry).mount(router);
        server = vertx.createHttpServer().requestHandler(router).listen(0)
                .toCompletionStage().toCompletableFuture().get(1, TimeUnit.MINUTES);
        senders = Executors.newFixedThreadPool(SENDERS);
    }

    @AfterEach
    void stop() throws Exception {
        stopSending.set(true);
        if (senders != null) {
            senders.shutdownNow();
            senders.awaitTermination(1, TimeUnit.MINUTES);
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(1, TimeUnit.MINUTES);
        }
        if (publisher != null) {
            publisher.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void everyAlertAnswered202IsInKafkaExactlyOnceAcrossABrokerRestart() throws Exception {
        long began = System.nanoTime();
        List<Future<?>> running = new ArrayList<>();
        for (int s = 0; s < SENDERS; s++) {
            int sender = s;
            running.add(senders.submit(() -> send(sender)));
        }

        await("alerts flowing before the outage").atMost(Duration.ofMinutes(1))
                .until(() -> accepted.get() >= FLOWING);
        int acceptedBeforeStop = accepted.get();
        long stoppedAt = System.nanoTime();
        kafka.stopBroker();
        try {
            await("503s while the broker is down").atMost(Duration.ofMinutes(1))
                    .until(() -> unavailable.get() >= SENDERS);
        } finally {
            kafka.restartBroker();
        }
        long restartedAt = System.nanoTime();
        int acceptedAtRestart = accepted.get();
        await("alerts flowing after the restart").atMost(Duration.ofMinutes(2))
                .until(() -> accepted.get() >= acceptedAtRestart + FLOWING);
        stopSending.set(true);
        for (Future<?> sender : running) {
            sender.get(3, TimeUnit.MINUTES); // rethrows what failed a sender
        }
        long sentAt = System.nanoTime();

        List<ConsumerRecord<String, AlertEvent>> stored = kafka.readAll(Topics.ALERTS, Duration.ofSeconds(2));

        Map<String, Long> copies = stored.stream()
                .collect(Collectors.groupingBy(r -> r.value().id(), Collectors.counting()));
        List<String> duplicated = copies.entrySet().stream().filter(e -> e.getValue() > 1)
                .map(e -> e.getKey() + " x" + e.getValue()).toList();
        LOG.info("NoLossIT: {} senders sent {} alerts in {} requests in {} ms; {} requests accepted before the stop, "
                        + "{} answered 503 (the broker was down for {} ms), {} records read back; publisher failures: "
                        + "unconfirmed {}, timed_out {}, kafka {}, queue_full {}; producer restarts {}",
                SENDERS, alertsSent.get(), accepted.get(), millis(began, sentAt), acceptedBeforeStop,
                unavailable.get(), millis(stoppedAt, restartedAt), stored.size(), failures("unconfirmed"),
                failures("timed_out"), failures("kafka"), failures("queue_full"),
                unlabelled("reflex_ingest_kafka_producer_restarts_total"));
        assertThat(unavailable.get()).as("503s seen while the broker was down").isPositive();
        assertThat(acceptedIds).as("every alert sent was accepted in the end").isEqualTo(sentIds);
        assertThat(duplicated).as("alerts stored more than once").isEmpty();
        assertThat(copies.keySet()).as("alerts in reflex.alerts").isEqualTo(acceptedIds);
        assertThat(stored).hasSize(acceptedIds.size());
        assertThat(stored).allSatisfy(r -> assertThat(r.key()).isEqualTo(r.value().resource().key()));
    }

    /** One sender: distinct alerts, each request resent until it is accepted, as Alertmanager does. */
    private void send(int sender) {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        URI uri = URI.create("http://127.0.0.1:" + server.actualPort() + IngestRoutes.ALERTMANAGER_PATH);
        Duration answerBound = publisher.ackTimeout().plusSeconds(5);
        for (int request = 0; request < MAX_REQUESTS_PER_SENDER && !stopSending.get(); request++) {
            List<String> fingerprints = new ArrayList<>();
            for (int k = 0; k < ALERTS_PER_REQUEST; k++) {
                fingerprints.add(String.format("%02x%06x%02x", sender, request, k));
            }
            byte[] body = webhook(sender, fingerprints);
            fingerprints.forEach(f -> sentIds.add(AlertEvent.idFor(AlertmanagerAdapter.SOURCE, f, STARTS_AT,
                    AlertStatus.FIRING)));
            alertsSent.addAndGet(fingerprints.size());
            HttpRequest post = HttpRequest.newBuilder(uri)
                    .timeout(answerBound)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build();
            // The poll interval is the sender's back-off between attempts.
            await("request " + request + " of sender " + sender + " accepted").atMost(Duration.ofMinutes(3))
                    .pollInSameThread()
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> attempt(http, post));
        }
    }

    /** True when accepted; false on a 503 (to retry); anything else fails the test. */
    private boolean attempt(HttpClient http, HttpRequest post) throws Exception {
        HttpResponse<String> response = http.send(post, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 503) {
            assertThat(response.headers().firstValue("Retry-After")).isPresent();
            unavailable.incrementAndGet();
            return false;
        }
        assertThat(response.statusCode()).as("answer to a valid webhook: %s", response.body()).isEqualTo(202);
        JsonNode answer = Json.MAPPER.readTree(response.body());
        answer.get("ids").forEach(id -> acceptedIds.add(id.asText()));
        accepted.incrementAndGet();
        return true;
    }

    private static byte[] webhook(int sender, List<String> fingerprints) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("version", "4");
        root.put("status", "firing");
        root.put("receiver", "reflex");
        ArrayNode alerts = root.putArray("alerts");
        for (String fingerprint : fingerprints) {
            ObjectNode alert = alerts.addObject();
            alert.put("status", "firing");
            ObjectNode labels = alert.putObject("labels");
            labels.put("alertname", "NoLoss");
            labels.put("host", "web-" + sender);
            labels.put("seq", fingerprint);
            alert.putObject("annotations").put("summary", "no-loss test alert " + fingerprint);
            alert.put("startsAt", STARTS_AT.toString());
            alert.put("endsAt", "0001-01-01T00:00:00Z");
            alert.put("fingerprint", fingerprint);
        }
        root.put("truncatedAlerts", 0);
        try {
            return Json.MAPPER.writeValueAsBytes(root);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private double failures(String reason) {
        return Metrics.sample(registry, "reflex_ingest_publish_failures_total", "reason=\"" + reason + "\"");
    }

    private static long millis(long fromNanos, long toNanos) {
        return TimeUnit.NANOSECONDS.toMillis(toNanos - fromNanos);
    }

    /** An unlabelled sample ({@link Metrics#sample} reads labelled ones). */
    private double unlabelled(String name) {
        for (String line : Metrics.exposition(registry).split("\n")) {
            if (line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }
}
