package io.reflex.app.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.reflex.model.Json;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * {@code GET /health} and {@code GET /metrics}, served by every Reflex process whatever
 * roles it runs.
 */
public final class OpsRoutes {
    private static final Duration KAFKA_CHECK_TIMEOUT = Duration.ofSeconds(3);

    private final Vertx vertx;
    private final Admin admin;
    private final PrometheusRegistry registry;
    private final Map<String, Supplier<String>> roleStates;

    /**
     * @param roleStates per role, a supplier of its state: {@code UP} when it works, anything
     *                   else (e.g. {@code STARTING}, {@code DOWN}) makes the process not ready
     */
    public OpsRoutes(Vertx vertx, Admin admin, PrometheusRegistry registry, Map<String, Supplier<String>> roleStates) {
        this.vertx = vertx;
        this.admin = admin;
        this.registry = registry;
        this.roleStates = roleStates;
    }

    public void mount(Router router) {
        router.get("/health").handler(this::health);
        router.get("/metrics").handler(this::metrics);
    }

    private void health(RoutingContext ctx) {
        vertx.executeBlocking(this::check, false).onComplete(ar -> {
            Map<String, Object> body = ar.succeeded() ? ar.result()
                    : Map.of("status", "DOWN", "error", String.valueOf(ar.cause()));
            int status = "UP".equals(body.get("status")) ? 200 : 503;
            try {
                ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
                        .end(Json.MAPPER.writeValueAsString(body));
            } catch (JsonProcessingException e) {
                ctx.fail(e);
            }
        });
    }

    /** Blocking: asks the broker who is there. */
    private Map<String, Object> check() {
        Map<String, Object> kafka = new LinkedHashMap<>();
        try {
            int brokers = admin.describeCluster(new DescribeClusterOptions()
                            .timeoutMs((int) KAFKA_CHECK_TIMEOUT.toMillis()))
                    .nodes().get(KAFKA_CHECK_TIMEOUT.toMillis() + 500, TimeUnit.MILLISECONDS).size();
            kafka.put("status", "UP");
            kafka.put("brokers", brokers);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kafka.put("status", "DOWN");
            kafka.put("error", "interrupted");
        } catch (Exception e) {
            kafka.put("status", "DOWN");
            kafka.put("error", "cannot reach Kafka within " + KAFKA_CHECK_TIMEOUT.toSeconds() + "s: " + e.getMessage());
        }
        Map<String, String> roles = new LinkedHashMap<>();
        roleStates.forEach((role, state) -> roles.put(role, state.get()));
        boolean up = "UP".equals(kafka.get("status")) && roles.values().stream().allMatch("UP"::equals);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? "UP" : "DOWN");
        body.put("kafka", kafka);
        body.put("roles", roles);
        return body;
    }

    private void metrics(RoutingContext ctx) {
        vertx.executeBlocking(() -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
            PrometheusTextFormatWriter.create().write(out, registry.scrape());
            return out.toString(java.nio.charset.StandardCharsets.UTF_8);
        }, false).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(ar.cause());
                return;
            }
            ctx.response().putHeader("content-type", PrometheusTextFormatWriter.CONTENT_TYPE).end(ar.result());
        });
    }
}
