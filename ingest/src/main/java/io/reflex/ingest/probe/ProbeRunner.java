package io.reflex.ingest.probe;

import io.reflex.ingest.AlertSink;
import io.reflex.ingest.IngestMetrics;
import io.reflex.ingest.ResourceMapper;
import io.reflex.model.AlertEvent;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the configured probes on one Vert.x context: one periodic timer per probe, one shared
 * HTTP client. The first check runs right at start. Deploy it once; undeploy stops every probe.
 */
public final class ProbeRunner extends VerticleBase {

    private static final Logger LOG = LoggerFactory.getLogger(ProbeRunner.class);

    private final List<ProbeConfig> configs;
    private final ResourceMapper resources;
    private final AlertSink sink;
    private final IngestMetrics metrics;
    private final Clock clock;
    private final List<HttpProbe> probes = new ArrayList<>();
    private final List<Long> timers = new ArrayList<>();
    private HttpClient client;

    public ProbeRunner(List<ProbeConfig> configs, ResourceMapper resources, AlertSink sink, IngestMetrics metrics,
            Clock clock) {
        this.configs = List.copyOf(configs);
        this.resources = resources;
        this.sink = sink;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** The running probes, for health pages and tests. */
    public List<HttpProbe> probes() {
        return List.copyOf(probes);
    }

    @Override
    public Future<?> start() {
        // A fresh connection per check: a pooled one would hide a target that restarted or stopped accepting.
        client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false));
        AlertSink onContext = new OnContext();
        for (ProbeConfig config : configs) {
            HttpProbe probe = new HttpProbe(config, resources, clock, new HttpCheck(client, config), onContext);
            probes.add(probe);
            probe.tick();
            timers.add(vertx.setPeriodic(config.interval().toMillis(), id -> probe.tick()));
            LOG.info("probe {} started: GET {} every {} ms, fires {} after {} failure(s)", config.name(), config.url(),
                    config.interval().toMillis(), config.alertName(), config.failureThreshold());
        }
        return Future.succeededFuture();
    }

    @Override
    public Future<?> stop() {
        timers.forEach(vertx::cancelTimer);
        timers.clear();
        return client == null ? Future.succeededFuture() : client.close();
    }

    /**
     * The sink as the probes need it: its answer comes back on this verticle's context (the
     * publisher completes on a Kafka thread), and every outcome is counted.
     */
    private final class OnContext implements AlertSink {
        @Override
        public CompletionStage<Void> publish(List<AlertEvent> events) {
            return Future.fromCompletionStage(sink.publish(events), context)
                    .timeout(sink.ackTimeout().toMillis() + 1_000, java.util.concurrent.TimeUnit.MILLISECONDS)
                    .andThen(done -> metrics.alerts(HttpProbe.SOURCE,
                            done.succeeded() ? IngestMetrics.ACCEPTED : IngestMetrics.UNAVAILABLE, events.size()))
                    .toCompletionStage();
        }

        @Override
        public Duration ackTimeout() {
            return sink.ackTimeout();
        }
    }
}
