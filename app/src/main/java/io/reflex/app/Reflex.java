package io.reflex.app;

import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.reflex.app.auth.AdminTokenFile;
import io.reflex.app.auth.ApiAuth;
import io.reflex.app.auth.ApiToken;
import io.reflex.app.config.ReflexConfig;
import io.reflex.app.config.Role;
import io.reflex.app.demo.Demo;
import io.reflex.app.demo.DemoDrill;
import io.reflex.app.http.OpsRoutes;
import io.reflex.app.kafka.EmbeddedKafka;
import io.reflex.app.kafka.TopicSetup;
import io.reflex.connectors.spi.Connectors;
import io.reflex.console.Console;
import io.reflex.console.ConsumerGroupRole;
import io.reflex.drill.DrillContext;
import io.reflex.drill.DrillRunner;
import io.reflex.drill.gameday.DrillMetrics;
import io.reflex.drill.gameday.DrillScheduler;
import io.reflex.drill.gameday.GameDayRunner;
import io.reflex.drill.gameday.Schedule;
import io.reflex.drill.dr.DrDrillRunner;
import io.reflex.drill.api.DrExecutor;
import io.reflex.drill.api.DrillExecutor;
import io.reflex.drill.api.DrillRoutes;
import io.reflex.drill.api.DrillService;
import io.reflex.ingest.AlertPublisher;
import io.reflex.ingest.Ingest;
import io.reflex.ingest.publish.PublisherMetrics;
import io.reflex.remediator.Remediator;
import io.reflex.remediator.RemediatorRoutes;
import io.reflex.rules.RulesStage;
import io.reflex.rules.lifecycle.Deployer;
import io.reflex.rules.lifecycle.RulesRoutes;
import io.reflex.rules.replay.Replay;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Reflex process: the roles its configuration names, wired with plain constructors on one
 * Vert.x router and one HTTP port, plus the embedded broker when no Kafka cluster is given.
 * Closing stops everything in reverse order of starting, managed child processes included.
 */
public final class Reflex implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Reflex.class);

    private final ReflexConfig config;
    private final Clock clock;
    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private final Map<String, Supplier<String>> roleStates = new LinkedHashMap<>();
    private String bootstrapServers;
    /** The broker this process hosts; null when Reflex uses an external cluster. */
    private EmbeddedKafka embeddedKafka;
    /** Set when no token is configured and Reflex made (or reused) its admin token file. */
    private Path adminTokenFile;
    private HttpServer server;
    private Vertx vertx;

    public Reflex(ReflexConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
    }

    /** Starts every part; on failure, stops what already started and rethrows. */
    public Reflex start() {
        try {
            startAll();
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private void startAll() {
        Path dataDir = config.dataDir().toAbsolutePath().normalize();
        createDirectories(dataDir);
        log.info("Starting Reflex: roles {}, data dir {}", config.roles(), dataDir);

        Map<String, Object> kafkaProps = new HashMap<>(config.kafka());
        if (config.embeddedKafka()) {
            EmbeddedKafka kafka = new EmbeddedKafka(dataDir, config.brokerPort(), config.controllerPort());
            kafka.start();
            started.push(kafka);
            embeddedKafka = kafka;
            kafkaProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            log.info("Embedded Kafka broker ready at {}", kafka.bootstrapServers());
        } else {
            log.info("Using Kafka at {}", config.kafkaForLog().get("bootstrap.servers"));
        }
        bootstrapServers = String.valueOf(kafkaProps.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG));

        Admin admin = Admin.create(kafkaProps);
        started.push(admin);
        TopicSetup.ensure(admin, config.embeddedKafka() ? (short) 1 : (short) -1);

        PrometheusRegistry registry = new PrometheusRegistry();
        JvmMetrics.builder().register(registry);

        vertx = Vertx.vertx();
        started.push(() -> vertx.close().await(10, TimeUnit.SECONDS));
        Router router = Router.router(vertx);
        // Before any role's routes: the guard runs first on every /api request whatever mounts later.
        new ApiAuth(apiTokens(dataDir)).mount(router);

        if (config.runs(Role.CONSOLE)) {
            // Both groups always: the console of a split deployment reports the lag of roles running elsewhere.
            List<ConsumerGroupRole> groups = List.of(
                    new ConsumerGroupRole("rules", config.rules().applicationId()),
                    new ConsumerGroupRole("remediator", config.remediator().groupId()));
            Console console = new Console(config.console(), kafkaProps, groups, clock);
            console.mount(router);
            console.start();
            started.push(console);
            roleStates.put("console", () -> console.ready() ? "UP" : console.running() ? "CATCHING_UP" : "DOWN");
        }
        if (config.runs(Role.REMEDIATOR)) {
            Connectors connectors = Connectors.load(config.connectors(), dataDir, clock);
            started.push(connectors);
            log.info("Connectors loaded: {}", connectors.names());
            Remediator remediator = new Remediator(config.remediator(), kafkaProps, connectors, vertx, clock, registry);
            remediator.start();
            started.push(remediator);
            new RemediatorRoutes(remediator).mount(router);
            roleStates.put("remediator", () -> remediator.running() ? "UP" : "DOWN");
        }
        if (config.runs(Role.RULES)) {
            RulesStage rules = new RulesStage(config.rules(), kafkaProps, dataDir.resolve("streams"), clock, registry);
            rules.start();
            started.push(rules);
            roleStates.put("rules", () -> rules.running() ? "UP" : "STARTING");
            Deployer deployer = new Deployer(kafkaProps, rules.rulesets(), config.rules().rulesText(), clock,
                    Deployer.DEFAULT_ACTIVATION_BOUND);
            started.push(deployer);
            RulesRoutes rulesRoutes = new RulesRoutes(vertx, RulesRoutes.DEFAULT_MAX_BODY_BYTES, deployer,
                    new Replay(kafkaProps, java.time.Duration.ofSeconds(60)));
            rulesRoutes.mount(router);
            started.push(rulesRoutes);
        }
        if (config.runs(Role.INGEST)) {
            AlertPublisher publisher = new AlertPublisher(kafkaProps, config.ingest().publish(), clock,
                    new PublisherMetrics(registry));
            started.push(publisher);
            Ingest ingest = new Ingest(config.ingest(), publisher, clock, registry);
            ingest.mount(router);
            ingest.startProbes(vertx);
            started.push(ingest);
            roleStates.put("ingest", () -> "UP");
        }
        if (config.demo()) {
            config.ingest().probes().stream().filter(p -> p.name().equals(Demo.SERVICE)).findFirst()
                    .ifPresent(probe -> DemoDrill.write(config.drillDir(), probe.url()));
        }
        if (config.runs(Role.DRILL)) {
            startDrills(kafkaProps, dataDir, registry, router);
        }
        new OpsRoutes(vertx, admin, registry, roleStates).mount(router);

        try {
            server = vertx.createHttpServer(new HttpServerOptions().setHost(config.httpHost()).setPort(config.httpPort()))
                    .requestHandler(router)
                    .listen()
                    .await(30, TimeUnit.SECONDS);
        } catch (TimeoutException | RuntimeException e) {
            throw new IllegalStateException("cannot listen on " + config.httpHost() + ":" + config.httpPort() + " ("
                    + e.getMessage() + "); is another Reflex running there? Pick another port with --port", e);
        }
        started.push(() -> server.close().await(10, TimeUnit.SECONDS));
    }

    /**
     * The drill role: drills, DR drills and GameDays from the API and the schedules, one at a time.
     * They follow this process's Kafka and signal the services its process connector runs; a DR
     * drill may restart the broker only when this process hosts the embedded one.
     */
    private void startDrills(Map<String, Object> kafkaProps, Path dataDir, PrometheusRegistry registry, Router router) {
        String prometheus = config.drill().prometheusUrl();
        DrillRunner runner = DrillRunner.connectedTo(new DrillContext(kafkaProps, dataDir,
                prometheus == null ? null : URI.create(prometheus)), clock);
        // A DR drill's broker restart needs the broker in this process; with an external cluster it is refused.
        EmbeddedKafka broker = embeddedKafka;
        DrDrillRunner dr = new DrDrillRunner(kafkaProps, broker == null ? null : broker::restart, clock);
        DrillService drills = new DrillService(config.drillDir(), config.drill().maxRuns(),
                DrillService.DEFAULT_QUEUE_CAPACITY, DrillExecutor.of(runner), DrExecutor.of(dr),
                new DrillMetrics(registry), GameDayRunner.SLEEP, clock).start();
        started.push(drills);
        new DrillRoutes(vertx, drills).mount(router);
        roleStates.put("drill", () -> drills.running() ? "UP" : "DOWN");
        log.info("Drill role: drill files in {}", drills.dir());
        List<Schedule> schedules = config.drill().schedules();
        if (!schedules.isEmpty()) {
            DrillScheduler scheduler = new DrillScheduler(schedules, drills::runScheduled, outcome -> log.info(
                    "drill schedule {}: {}", outcome.schedule().name(), outcome.error() != null ? "error: "
                            + outcome.error() : (outcome.passed() ? "passed: " : "failed: ") + (outcome.gameDay() != null
                            ? outcome.gameDay().id() : outcome.drill().id())), clock);
            scheduler.start();
            // Closed before the service (started is a stack): no new run is submitted while it stops.
            started.push(scheduler);
            log.info("Drill role: {} schedules: {}", schedules.size(), schedules.stream().map(Schedule::name).toList());
        }
    }

    private List<ApiToken> apiTokens(Path dataDir) {
        if (!config.apiTokens().isEmpty()) {
            log.info("API tokens from auth.tokens: {}", config.apiTokens());
            return config.apiTokens();
        }
        ApiToken admin = AdminTokenFile.loadOrCreate(dataDir, new SecureRandom());
        adminTokenFile = AdminTokenFile.path(dataDir);
        return List.of(admin);
    }

    /**
     * Where the admin token is, when the configuration names no token and Reflex uses the one it
     * made under the data dir; empty when {@code auth.tokens} is configured.
     */
    public Optional<Path> adminTokenFile() {
        return Optional.ofNullable(adminTokenFile);
    }

    /** The port the HTTP server listens on (the configured one, or the one chosen for port 0). */
    public int httpPort() {
        return server.actualPort();
    }

    public String url() {
        String host = config.httpHost().equals("0.0.0.0") ? "127.0.0.1" : config.httpHost();
        return "http://" + host + ":" + httpPort() + "/";
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public synchronized void close() {
        while (!started.isEmpty()) {
            AutoCloseable part = started.pop();
            try {
                part.close();
            } catch (Exception e) {
                log.warn("Stopping {} failed: {}", part.getClass().getSimpleName(), e.toString());
            }
        }
    }

    private static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data dir " + dir + "; pick another with --data-dir", e);
        }
    }
}
