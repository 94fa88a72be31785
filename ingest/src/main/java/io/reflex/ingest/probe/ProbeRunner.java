package io.reflex.ingest.probe;

import io.reflex.ingest.AlertSink;
import io.reflex.ingest.IngestMetrics;
import io.reflex.ingest.ResourceMapper;
import io.reflex.model.AlertEvent;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.net.NetClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the configured probes on one Vert.x context: one periodic timer per probe, one shared
 * HTTP client and TCP client, and a worker pool for the commands (one thread per command probe,
 * so a slow command delays no other probe). The first check of each probe runs right at start.
 * Deploy it once; undeploy stops every probe and kills the commands still running.
 */
public final class ProbeRunner extends VerticleBase {

    private static final Logger LOG = LoggerFactory.getLogger(ProbeRunner.class);

    private final List<ProbeConfig> configs;
    private final ResourceMapper resources;
    private final AlertSink sink;
    private final IngestMetrics metrics;
    private final Clock clock;
    private final List<Probe> probes = new ArrayList<>();
    private final List<Long> timers = new ArrayList<>();
    private final List<CommandCheck> commands = new ArrayList<>();
    private HttpClient http;
    private NetClient net;
    private WorkerExecutor commandWorkers;

    /** @param configs valid probes ({@link ProbeConfig#problems} empty) */
    public ProbeRunner(List<ProbeConfig> configs, ResourceMapper resources, AlertSink sink, IngestMetrics metrics,
            Clock clock) {
        this.configs = List.copyOf(configs);
        this.resources = resources;
        this.sink = sink;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** The running probes, for health pages and tests. */
    public List<Probe> running() {
        return List.copyOf(probes);
    }

    @Override
    public Future<?> start() {
        AlertSink onContext = new OnContext();
        for (ProbeConfig config : configs) {
            Probe probe = new Probe(config, resources, clock, checkFor(config), onContext);
            probes.add(probe);
            probe.tick();
            timers.add(vertx.setPeriodic(config.interval().toMillis(), id -> probe.tick()));
            LOG.info("probe {} started: {} every {} ms, fires {} after {} failure(s)", config.name(), config.target(),
                    config.interval().toMillis(), config.alertName(), config.failureThreshold());
        }
        return Future.succeededFuture();
    }

    private Check checkFor(ProbeConfig config) {
        return switch (config.kind()) {
            case HTTP -> new HttpCheck(http(), config);
            case TCP -> new TcpCheck(net(), config);
            case COMMAND -> {
                CommandCheck check = new CommandCheck(commandWorkers(), config);
                commands.add(check);
                yield check;
            }
        };
    }

    private HttpClient http() {
        if (http == null) {
            // A fresh connection per check: a pooled one would hide a target that restarted or stopped accepting.
            http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false));
        }
        return http;
    }

    private NetClient net() {
        if (net == null) {
            net = vertx.createNetClient();
        }
        return net;
    }

    private WorkerExecutor commandWorkers() {
        if (commandWorkers == null) {
            List<ProbeConfig> commandProbes = configs.stream()
                    .filter(c -> c.kind() == ProbeConfig.Type.COMMAND).toList();
            // Vert.x warns about a worker blocked longer than this: only a command that outlived its kill does.
            long longestMs = commandProbes.stream().mapToLong(c -> c.timeout().toMillis()).max().orElse(0)
                    + CommandCheck.KILL_WAIT.toMillis() + 1_000;
            commandWorkers = vertx.createSharedWorkerExecutor("reflex-probe-commands-" + context.deploymentID(),
                    commandProbes.size(), longestMs, TimeUnit.MILLISECONDS);
        }
        return commandWorkers;
    }

    @Override
    public Future<?> stop() {
        timers.forEach(vertx::cancelTimer);
        timers.clear();
        commands.forEach(CommandCheck::close);
        List<Future<Void>> closed = new ArrayList<>();
        if (http != null) {
            closed.add(http.close());
        }
        if (net != null) {
            closed.add(net.close());
        }
        if (commandWorkers != null) {
            closed.add(commandWorkers.close());
        }
        return Future.all(closed);
    }

    /**
     * The sink as the probes need it: its answer comes back on this verticle's context (the
     * publisher completes on a Kafka thread), and every outcome is counted.
     */
    private final class OnContext implements AlertSink {
        @Override
        public CompletionStage<Void> publish(List<AlertEvent> events) {
            return Future.fromCompletionStage(sink.publish(events), context)
                    .timeout(sink.ackTimeout().toMillis() + 1_000, TimeUnit.MILLISECONDS)
                    .andThen(done -> metrics.alerts(Probe.SOURCE,
                            done.succeeded() ? IngestMetrics.ACCEPTED : IngestMetrics.UNAVAILABLE, events.size()))
                    .toCompletionStage();
        }

        @Override
        public Duration ackTimeout() {
            return sink.ackTimeout();
        }
    }
}
