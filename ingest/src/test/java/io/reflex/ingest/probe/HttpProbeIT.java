package io.reflex.ingest.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.reflex.ingest.AlertPublisher;
import io.reflex.ingest.Ingest;
import io.reflex.ingest.IngestConfig;
import io.reflex.ingest.Metrics;
import io.reflex.model.AlertEvent;
import io.reflex.model.AlertStatus;
import io.reflex.model.Topics;
import io.reflex.testkit.KafkaCluster;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The built-in probe through the {@link Ingest} facade: a real Vert.x HTTP target that goes down
 * and comes back, the real HTTP check, and the transitions read back from a real Kafka.
 */
class HttpProbeIT {

    private KafkaCluster kafka;
    private Vertx vertx;
    private AlertPublisher publisher;
    private PrometheusRegistry registry;
    private Ingest ingest;

    @BeforeEach
    void start() {
        kafka = KafkaCluster.start();
        kafka.createTopics(Topics.ALERTS, Topics.ALERTS_DLQ);
        vertx = Vertx.vertx();
        publisher = new AlertPublisher(kafka.clientProps());
        registry = new PrometheusRegistry();
    }

    @AfterEach
    void stop() throws Exception {
        if (ingest != null) {
            ingest.close();
        }
        join(vertx.close());
        publisher.close();
        kafka.close();
    }

    @Test
    void firesWhenTheTargetStopsAnsweringAndResolvesWhenItIsBack() throws Exception {
        HttpServer target = join(healthy().listen(0));
        int port = target.actualPort();
        String url = "http://127.0.0.1:" + port + "/health";
        startProbes(new ProbeConfig("demo-shop", url, Duration.ofMillis(200), Duration.ofMillis(500), 2, 1, null, null,
                Map.of("service", "demo-shop")));

        join(target.close());
        List<AlertEvent> fired = await().atMost(Duration.ofSeconds(30)).until(() -> alerts("service:demo-shop"),
                events -> !events.isEmpty());
        assertThat(fired).singleElement().satisfies(e -> {
            assertThat(e.status()).isEqualTo(AlertStatus.FIRING);
            assertThat(e.source()).isEqualTo("probe");
            assertThat(e.name()).isEqualTo("ServiceDown");
            assertThat(e.severity()).isEqualTo("critical");
            assertThat(e.labels()).containsEntry("service", "demo-shop").containsEntry("probe", "demo-shop");
            assertThat(e.annotations()).containsEntry("summary", "GET " + url + ": connection refused");
        });

        join(healthy().listen(port));
        List<AlertEvent> both = await().atMost(Duration.ofSeconds(30)).until(() -> alerts("service:demo-shop"),
                events -> events.size() >= 2);

        AlertEvent firing = both.get(0);
        assertThat(both).as("one outage, one FIRING and one RESOLVED, nothing while healthy")
                .extracting(AlertEvent::status).containsExactly(AlertStatus.FIRING, AlertStatus.RESOLVED);
        AlertEvent resolved = both.get(1);
        assertThat(resolved.startsAt()).isEqualTo(firing.startsAt());
        assertThat(resolved.fingerprint()).isEqualTo(firing.fingerprint());
        assertThat(resolved.endsAt()).isAfter(firing.startsAt());
        assertThat(resolved.annotations()).containsEntry("summary", "GET " + url + ": healthy again (HTTP 200)");
        assertThat(Metrics.sample(registry, "reflex_ingest_alerts_total", "outcome=\"accepted\"", "source=\"probe\""))
                .isEqualTo(2);
    }

    @Test
    void aTargetThatNeverAnswersFiresWithATimeout() throws Exception {
        // Accepts the connection and the request, never answers.
        HttpServer silent = join(vertx.createHttpServer().requestHandler(request -> { }).listen(0));
        String url = "http://127.0.0.1:" + silent.actualPort() + "/health";
        startProbes(new ProbeConfig("silent", url, Duration.ofMillis(200), Duration.ofMillis(300), 2, 1, "Hangs",
                "warning", Map.of("host", "web-9")));

        List<AlertEvent> fired = await().atMost(Duration.ofSeconds(30)).until(() -> alerts("host:web-9"),
                events -> !events.isEmpty());

        assertThat(fired).singleElement().satisfies(e -> {
            assertThat(e.name()).isEqualTo("Hangs");
            assertThat(e.severity()).isEqualTo("warning");
            assertThat(e.annotations()).containsEntry("summary", "GET " + url + ": no answer within 300 ms");
        });
    }

    private HttpServer healthy() {
        return vertx.createHttpServer(new HttpServerOptions().setReuseAddress(true))
                .requestHandler(request -> request.response().end("ok"));
    }

    private void startProbes(ProbeConfig probe) throws Exception {
        ingest = new Ingest(IngestConfig.defaults().withProbes(List.of(probe)), publisher, Clock.systemUTC(), registry);
        join(ingest.startProbes(vertx));
    }

    private List<AlertEvent> alerts(String key) {
        return kafka.readAll(Topics.ALERTS, Duration.ofMillis(300)).stream()
                .filter(r -> r.key().equals(key))
                .map(ConsumerRecord::value)
                .toList();
    }

    private static <T> T join(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(1, TimeUnit.MINUTES);
    }
}
