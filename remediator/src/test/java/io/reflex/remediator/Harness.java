package io.reflex.remediator;

import static org.awaitility.Awaitility.await;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.reflex.connectors.spi.Connectors;
import io.reflex.model.Action;
import io.reflex.model.ActionMode;
import io.reflex.model.ActionResult;
import io.reflex.model.ActionStatus;
import io.reflex.model.ActionType;
import io.reflex.model.RuleRef;
import io.reflex.model.Target;
import io.reflex.model.TimelineEntry;
import io.reflex.model.TimelineKind;
import io.reflex.model.Topics;
import io.reflex.testkit.KafkaCluster;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * A real broker, a {@link RecordingConnector} and a remediator with its HTTP API on a free port,
 * for the guardrail and approval integration tests.
 */
final class Harness implements AutoCloseable {
    private static final Duration QUIET = Duration.ofMillis(300);

    final KafkaCluster kafka;
    final Vertx vertx;
    final RecordingConnector fake = new RecordingConnector();
    final Connectors connectors;
    private final HttpClient http = HttpClient.newHttpClient();

    /** A remediator with its HTTP API. */
    final class Running implements AutoCloseable {
        final Remediator remediator;
        private final HttpServer server;

        Running(Remediator remediator, HttpServer server) {
            this.remediator = remediator;
            this.server = server;
        }

        HttpResponse<String> call(String method, String path, String body, String author) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort()
                    + path)).timeout(Duration.ofSeconds(30))
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body))
                    .header("Content-Type", "application/json");
            if (author != null) {
                request.header(RemediatorRoutes.AUTHOR_HEADER, author);
            }
            try {
                return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void close() {
            try {
                server.close().await(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            remediator.close();
        }
    }

    Harness(Path dataDir) {
        kafka = KafkaCluster.start();
        kafka.createAllTopics();
        vertx = Vertx.vertx();
        connectors = Connectors.create(List.of(RecordingConnector.provider(fake)),
                Map.of(RecordingConnector.NAME, Map.of()), dataDir, Clock.systemUTC());
    }

    Running start(RemediatorConfig config) {
        Remediator remediator = new Remediator(config, kafka.clientProps(), connectors, vertx, Clock.systemUTC(),
                new PrometheusRegistry());
        remediator.start();
        Router router = Router.router(vertx);
        new RemediatorRoutes(remediator).mount(router);
        try {
            HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
                    .await(30, TimeUnit.SECONDS);
            return new Running(remediator, server);
        } catch (Exception e) {
            remediator.close();
            throw new IllegalStateException(e);
        }
    }

    static Action action(String id, String incident, ActionType type, String kind, String name,
            boolean requiresApproval, Map<String, String> labels) {
        Instant now = Instant.now();
        return new Action(id, incident, new RuleRef("rule-" + type.wireName(), 1), type,
                new Target(RecordingConnector.NAME, kind, name), Map.of(), ActionMode.EXECUTE, requiresApproval, now,
                now.plusSeconds(120), kind + ":" + name, labels);
    }

    void deliver(Action action) {
        kafka.send(Topics.ACTIONS, action.target().key(), action);
    }

    List<ActionResult> results(String actionId) {
        return kafka.readAll(Topics.RESULTS, QUIET).stream().map(ConsumerRecord::value)
                .filter(r -> r.actionId().equals(actionId)).toList();
    }

    List<ActionStatus> statuses(String actionId) {
        return results(actionId).stream().map(ActionResult::status).toList();
    }

    List<TimelineEntry> timeline(String actionId, TimelineKind kind) {
        return kafka.readAll(Topics.TIMELINE, QUIET).stream().map(ConsumerRecord::value)
                .filter(e -> actionId.equals(e.refs().get("actionId")) && e.kind() == kind).toList();
    }

    ActionResult awaitTerminal(String actionId) {
        await(actionId + " finished").atMost(Duration.ofSeconds(30))
                .until(() -> results(actionId).stream().anyMatch(r -> r.status().terminal()));
        return results(actionId).stream().filter(r -> r.status().terminal()).findFirst().orElseThrow();
    }

    TimelineEntry awaitEntry(String actionId, TimelineKind kind) {
        await(kind + " entry of " + actionId).atMost(Duration.ofSeconds(30))
                .until(() -> !timeline(actionId, kind).isEmpty());
        return timeline(actionId, kind).get(0);
    }

    @Override
    public void close() {
        connectors.close();
        vertx.close().toCompletionStage().toCompletableFuture().join();
        kafka.close();
    }
}
