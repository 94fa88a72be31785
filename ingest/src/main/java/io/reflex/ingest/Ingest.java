package io.reflex.ingest;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.reflex.ingest.alertmanager.AlertmanagerAdapter;
import io.reflex.ingest.auth.RateLimiter;
import io.reflex.ingest.auth.SecretSources;
import io.reflex.ingest.auth.WebhookAuthenticator;
import io.reflex.ingest.cloudevents.CloudEventsAdapter;
import io.reflex.ingest.generic.GenericAdapter;
import io.reflex.ingest.grafana.GrafanaAdapter;
import io.reflex.ingest.pagerduty.PagerDutyAdapter;
import io.reflex.ingest.source.JsonPayload;
import io.reflex.ingest.source.SourceAdapter;
import java.util.Map;
import java.util.TreeMap;
import io.reflex.ingest.probe.Probe;
import io.reflex.ingest.probe.ProbeRunner;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingest role, wired with plain constructors by the app:
 *
 * <pre>{@code
 * AlertPublisher publisher = new AlertPublisher(kafkaProps);
 * Ingest ingest = new Ingest(config.ingest(), publisher, clock, registry);
 * ingest.mount(router);
 * ingest.startProbes(vertx);
 * ...
 * ingest.close();      // stops the probes
 * publisher.close();   // the caller owns the publisher
 * }</pre>
 */
public final class Ingest implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Ingest.class);

    private final IngestConfig config;
    private final AlertSink publisher;
    private final Clock clock;
    private final IngestMetrics metrics;
    private final ResourceMapper resources;
    private final IngestRoutes routes;
    private Vertx vertx;
    private ProbeRunner probes;
    private String probesDeployment;

    /**
     * @param registry where the ingest metrics are registered (once: one {@code Ingest} per registry)
     * @throws IllegalArgumentException listing every problem of {@code config}
     */
    public Ingest(IngestConfig config, AlertSink publisher, Clock clock, PrometheusRegistry registry) {
        List<String> problems = config.validate();
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid ingest configuration: " + String.join("; ", problems));
        }
        this.config = config;
        this.publisher = publisher;
        this.clock = clock;
        this.metrics = new IngestMetrics(registry);
        this.resources = new ResourceMapper(config.resourceMapping());
        this.routes = new IngestRoutes(endpoints(config, resources, clock), config.limits(), publisher, metrics,
                config.maxBodyBytes());
    }

    /** One endpoint per configured source, each announced at start; open ones with a warning. */
    private static Map<String, SourceEndpoint> endpoints(IngestConfig config, ResourceMapper resources, Clock clock) {
        JsonPayload json = new JsonPayload(config.limits().maxNestingDepth());
        Map<String, SourceEndpoint> endpoints = new TreeMap<>();
        config.sources().forEach((name, source) -> {
            SourceAdapter adapter = switch (name) {
                case AlertmanagerAdapter.SOURCE -> new AlertmanagerAdapter(resources, clock, json);
                case GrafanaAdapter.SOURCE -> new GrafanaAdapter(resources, clock, json);
                case CloudEventsAdapter.SOURCE -> new CloudEventsAdapter(resources, clock, json);
                case PagerDutyAdapter.SOURCE -> new PagerDutyAdapter(resources, clock, json);
                default -> new GenericAdapter(name, source.mapping(), resources, clock, json);
            };
            WebhookAuthenticator auth = WebhookAuthenticator.create(name, source.auth(), SecretSources.system(), clock);
            RateLimiter limiter = RateLimiter.of(source.rateLimit(), System::nanoTime);
            String path = source.generic(name) ? "/hooks/generic/" + name : "/hooks/" + name;
            if (auth.open()) {
                LOG.warn("source {} at POST {} accepts UNAUTHENTICATED webhooks (ingest.sources.{}.auth.type: none);"
                        + " anyone who reaches this port can open incidents", name, path, name);
            } else {
                LOG.info("source {} at POST {}: auth {}, rate limit {}", name, path, auth.describe(), limiter);
            }
            endpoints.put(name, new SourceEndpoint(name, adapter, auth, limiter));
        });
        if (endpoints.isEmpty()) {
            LOG.warn("no webhook source is configured (ingest.sources): every POST /hooks/... is refused with 403");
        }
        return endpoints;
    }

    /** Adds the webhook routes ({@code POST /hooks/...}) to the app's router. */
    public void mount(Router router) {
        routes.mount(router);
    }

    /**
     * Starts the configured probes (none configured: nothing to do). The future completes once
     * they run; the first check of each starts at once.
     */
    public synchronized Future<Void> startProbes(Vertx vertx) {
        if (config.probes().isEmpty()) {
            return Future.succeededFuture();
        }
        if (probes != null) {
            return Future.failedFuture(new IllegalStateException("probes already started"));
        }
        this.vertx = vertx;
        this.probes = new ProbeRunner(config.probes(), resources, publisher, metrics, clock);
        return vertx.deployVerticle(probes)
                .onSuccess(id -> {
                    synchronized (this) {
                        probesDeployment = id;
                    }
                })
                .onFailure(e -> LOG.error("could not start the probes: {}", e.toString(), e))
                .mapEmpty();
    }

    /** The running probes (empty before {@link #startProbes}). */
    public synchronized List<Probe> probes() {
        return probes == null ? List.of() : probes.running();
    }

    /**
     * Stops the probes. Waits up to 5 s for that unless called on a Vert.x thread, which must not block.
     * Does not close the publisher: its owner does.
     */
    @Override
    public void close() {
        String deployment;
        synchronized (this) {
            deployment = probesDeployment;
            probesDeployment = null;
        }
        if (deployment == null) {
            return;
        }
        Future<Void> undeployed = vertx.undeploy(deployment);
        if (Context.isOnVertxThread()) {
            return;
        }
        try {
            undeployed.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            LOG.warn("probes did not stop within 5 s; continuing shutdown");
        } catch (ExecutionException e) {
            LOG.warn("stopping the probes failed: {}", e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
