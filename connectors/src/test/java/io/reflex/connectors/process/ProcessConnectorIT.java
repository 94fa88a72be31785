package io.reflex.connectors.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reflex.connectors.spi.Connector;
import io.reflex.connectors.spi.ConnectorContext;
import io.reflex.connectors.spi.Connectors;
import io.reflex.connectors.spi.Outcome;
import io.reflex.connectors.spi.Reconciliation;
import io.reflex.model.Action;
import io.reflex.model.ActionStatus;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The process connector against real OS processes: small HTTP servers in their own JVMs. */
class ProcessConnectorIT {

    private static final Clock CLOCK = Clock.systemUTC();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path dataDir;

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final List<ProcessHandle> seen = new ArrayList<>();

    @AfterEach
    void noProcessOutlivesItsConnector() throws Exception {
        for (AutoCloseable closeable : toClose) {
            closeable.close();
        }
        // Direct children, and the grandchildren the tests noted down (re-parented once their parent died).
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive).map(ProcessConnectorIT::describe))
                    .as("processes still running after close").isEmpty();
            assertThat(seen.stream().filter(ProcessHandle::isAlive).map(ProcessConnectorIT::describe))
                    .as("descendants still running after close").isEmpty();
        });
    }

    // --- the scenarios of a real incident ---------------------------------------------------

    @Test
    void restartAfterTheProcessWasKilledByHandStartsANewHealthyOne() throws Exception {
        final int port = freePort();
        final ProcessConnector connector = connector(Map.of("demo-shop", service(port, 200)));
        connector.start("demo-shop");
        awaitHealth(port, 200);

        final long killed = Long.parseLong(Files.readString(connector.pidFile("demo-shop")).trim());
        assertThat(ProcessHandle.of(killed).orElseThrow().destroyForcibly()).isTrue();
        awaitLong().until(() -> !connector.isAlive("demo-shop"));
        assertThat(health(port)).isEqualTo(-1);

        final Outcome outcome = connector.execute(TestActions.restart("demo-shop", CLOCK.instant(), Duration.ofSeconds(60)));

        assertThat(outcome.status()).as(outcome.detail()).isEqualTo(ActionStatus.SUCCEEDED);
        final long started = connector.pid("demo-shop").orElseThrow();
        assertThat(started).isNotEqualTo(killed);
        assertThat(outcome.detail()).matches("restarted demo-shop: pid " + killed
                + " was not running \\(exit code 137, signal 9 if it was killed\\); started pid " + started
                + ", healthy after \\d+\\.\\ds");
        assertThat(Files.readString(connector.pidFile("demo-shop")).trim()).isEqualTo(Long.toString(started));
        assertThat(health(port)).isEqualTo(200);
    }

    @Test
    void restartOfARunningServiceReplacesItsProcess() throws Exception {
        final int port = freePort();
        final Path workdir = Files.createDirectory(dataDir.resolve("work"));
        final Map<String, Object> spec = service(port, 200);
        spec.put("workdir", workdir.toString());
        spec.put("env", Map.of("TEST_GREETING", "hello"));
        final ProcessConnector connector = connector(Map.of("demo-shop", spec));
        final long before = connector.start("demo-shop");
        awaitHealth(port, 200);

        final Outcome outcome = connector.execute(TestActions.restart("demo-shop", CLOCK.instant(), Duration.ofSeconds(60)));

        assertThat(outcome.status()).as(outcome.detail()).isEqualTo(ActionStatus.SUCCEEDED);
        final long after = connector.pid("demo-shop").orElseThrow();
        assertThat(outcome.detail()).matches("restarted demo-shop: pid " + before + " -> " + after
                + ", healthy after \\d+\\.\\ds");
        assertThat(after).isNotEqualTo(before);
        assertThat(ProcessHandle.of(before).filter(ProcessHandle::isAlive)).isEmpty();
        assertThat(health(port)).isEqualTo(200);
        final String log = Files.readString(connector.logFile("demo-shop"));
        assertThat(log).contains("greeting hello, workdir " + workdir.toRealPath());
        assertThat(log.lines().filter(l -> l.matches("---- .* reflex starts demo-shop ----"))).hasSize(2);
    }

    @Test
    void aServiceThatNeverBecomesHealthyFailsWithItsLogTail() throws Exception {
        final int port = freePort();
        final Map<String, Object> spec = service(port, 503);
        spec.put("startTimeout", "PT10S");
        final ProcessConnector connector = connector(Map.of("flaky", spec));

        final Outcome outcome = connector.execute(TestActions.restart("flaky", CLOCK.instant(), Duration.ofSeconds(60)));

        assertThat(outcome.status()).isEqualTo(ActionStatus.FAILED);
        assertThat(outcome.retriable()).isTrue();
        final long pid = connector.pid("flaky").orElseThrow();
        assertThat(outcome.detail())
                .startsWith("restart of flaky failed: pid " + pid + " is not healthy after ")
                .contains("(limit: startTimeout 10.0s); last health check: GET http://127.0.0.1:" + port
                        + "/health answered HTTP 503. The process is left running. Check its log "
                        + connector.logFile("flaky") + "; last lines:\n")
                .contains("\n  listening on 127.0.0.1:" + port + ", /health answers 503");
    }

    @Test
    void theActionsDeadlineBoundsTheWaitWhenItComesBeforeTheStartTimeout() throws Exception {
        final int port = freePort();
        final Map<String, Object> spec = service(port, 503);
        spec.put("startTimeout", 600);
        final ProcessConnector connector = connector(Map.of("flaky", spec));

        final Outcome outcome = connector.execute(TestActions.restart("flaky", CLOCK.instant(), Duration.ofSeconds(3)));

        assertThat(outcome.status()).isEqualTo(ActionStatus.FAILED);
        assertThat(outcome.detail()).containsPattern("\\(limit: time left before the action's deadline, [0-3]\\.\\ds\\)");
    }

    @Test
    void aServiceThatExitsAtOnceFailsWithItsExitCodeAndOutput() throws Exception {
        final int port = freePort();
        final Map<String, Object> spec = service(port, 200);
        spec.put("command", List.of(java(), "-Xshare:auto", "-cp", testClasses(), "io.reflex.NoSuchMainClass"));
        final ProcessConnector connector = connector(Map.of("broken", spec));

        final Outcome outcome = connector.execute(TestActions.restart("broken", CLOCK.instant(), Duration.ofSeconds(60)));

        assertThat(outcome.status()).isEqualTo(ActionStatus.FAILED);
        assertThat(outcome.retriable()).isTrue();
        assertThat(outcome.detail())
                .matches("(?s)restart of broken failed: pid \\d+ exited \\(exit code 1\\) \\d+\\.\\ds after it was started\\."
                        + " Check its log .*broken\\.log; last lines:\n.*")
                .contains("Could not find or load main class io.reflex.NoSuchMainClass");
        assertThat(connector.isAlive("broken")).isFalse();
    }

    @Test
    void withoutHealthUrlAServiceIsUpWhenItKeepsRunning() throws Exception {
        final ProcessConnector connector = connector(Map.of(
                "sleeper", Map.of("command", List.of("sleep", "300")),
                "quitter", Map.of("command", List.of("false"))));

        final Outcome up = connector.execute(TestActions.restart("sleeper", CLOCK.instant(), Duration.ofSeconds(60)));
        final Outcome down = connector.execute(TestActions.restart("quitter", CLOCK.instant(), Duration.ofSeconds(60)));

        assertThat(up.status()).as(up.detail()).isEqualTo(ActionStatus.SUCCEEDED);
        assertThat(up.detail()).matches("restarted sleeper: it was not running; started pid "
                + connector.pid("sleeper").orElseThrow() + ", healthy after \\d+\\.\\ds");
        assertThat(down.status()).isEqualTo(ActionStatus.FAILED);
        assertThat(down.detail()).containsPattern("pid \\d+ exited \\(exit code 1\\)");
    }

    @Test
    void aMissingProgramOrWorkdirIsAPermanentFailure() throws Exception {
        final ProcessConnector connector = connector(Map.of(
                "ghost", Map.of("command", List.of("/nonexistent/reflex-test-program")),
                "homeless", Map.of("command", List.of("sleep", "300"), "workdir", dataDir.resolve("missing").toString())));

        final Outcome ghost = connector.execute(TestActions.restart("ghost", CLOCK.instant(), Duration.ofSeconds(60)));
        final Outcome homeless = connector.execute(TestActions.restart("homeless", CLOCK.instant(), Duration.ofSeconds(60)));

        assertThat(ghost).isEqualTo(Outcome.failed("restart of ghost failed: cannot start ghost: Cannot run program"
                + " \"/nonexistent/reflex-test-program\": error=2, No such file or directory. Check"
                + " connectors.process.services.ghost.command and .workdir", false));
        assertThat(homeless.status()).isEqualTo(ActionStatus.FAILED);
        assertThat(homeless.retriable()).isFalse();
        assertThat(homeless.detail()).contains("workdir does not exist or is not a directory");
        assertThat(connector.isAlive("ghost")).isFalse();
        assertThat(connector.isAlive("homeless")).isFalse();
    }

    // --- stopping: descendants, stubborn processes, close -----------------------------------

    @Test
    void stopKillsDescendantsAndEscalatesToSigkill() throws Exception {
        final int port = freePort();
        final ProcessConnector connector = connector(Map.of("stubborn", service(port, 200, "ignore-term", "spawn-child")));
        final long pid = connector.start("stubborn");
        awaitHealth(port, 200);
        final List<ProcessHandle> family = new ArrayList<>(ProcessHandle.of(pid).orElseThrow().descendants()
                .collect(Collectors.toList()));
        assertThat(family).as("the sleep child").isNotEmpty();
        family.add(ProcessHandle.of(pid).orElseThrow());
        seen.addAll(family);

        assertThat(connector.stop("stubborn")).isTrue();

        assertThat(family.stream().filter(ProcessHandle::isAlive).map(ProcessConnectorIT::describe)).isEmpty();
        assertThat(connector.pidFile("stubborn")).doesNotExist();
        assertThat(connector.isAlive("stubborn")).isFalse();
        assertThat(Files.readString(connector.logFile("stubborn"))).contains("SIGTERM received; not stopping");
        assertThat(connector.stop("stubborn")).as("stopping a stopped service").isFalse();
    }

    @Test
    void closeStopsEveryServiceItStarted() throws Exception {
        final int port = freePort();
        final ProcessConnector connector = connector(Map.of(
                "web", service(port, 200, "spawn-child"),
                "sleeper", Map.of("command", List.of("sleep", "300"))));
        final long web = connector.start("web");
        final long sleeper = connector.start("sleeper");
        awaitHealth(port, 200);
        ProcessHandle.of(web).orElseThrow().descendants().forEach(seen::add);
        seen.add(ProcessHandle.of(web).orElseThrow());
        seen.add(ProcessHandle.of(sleeper).orElseThrow());

        connector.close();

        assertThat(seen.stream().filter(ProcessHandle::isAlive).map(ProcessConnectorIT::describe)).isEmpty();
        assertThat(connector.pidFile("web")).doesNotExist();
        assertThat(connector.pidFile("sleeper")).doesNotExist();
    }

    @Test
    void autostartThroughServiceLoaderAndCloseThroughConnectors() throws Exception {
        final int port = freePort();
        final Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("autostart", true);
        settings.put("services", Map.of("demo-shop", service(port, 200)));
        final Connectors connectors = Connectors.load(Map.of("process", settings), dataDir, CLOCK);
        toClose.add(connectors);
        final ProcessConnector connector = (ProcessConnector) connectors.get("process").orElseThrow();

        final ProcessHandle started = ProcessHandle.of(connector.pid("demo-shop").orElseThrow()).orElseThrow();
        awaitHealth(port, 200);
        connectors.close();

        assertThat(started.isAlive()).isFalse();
    }

    // --- stop_service and start_service ------------------------------------------------------

    @Test
    void stopServiceEndsTheWholeTreeAndStartServiceBringsItBackHealthy() throws Exception {
        final int port = freePort();
        final ProcessConnector connector = connector(Map.of("demo-shop", service(port, 200, "ignore-term", "spawn-child")));
        final long pid = connector.start("demo-shop");
        awaitHealth(port, 200);
        final List<ProcessHandle> family = new ArrayList<>(ProcessHandle.of(pid).orElseThrow().descendants()
                .collect(Collectors.toList()));
        assertThat(family).as("the sleep child").isNotEmpty();
        family.add(ProcessHandle.of(pid).orElseThrow());
        seen.addAll(family);

        final Outcome stopped = connector.execute(TestActions.stop("demo-shop", CLOCK.instant(), Duration.ofSeconds(60)));

        assertThat(stopped).isEqualTo(Outcome.succeeded("stopped demo-shop: pid " + pid + " (exit code 137, signal 9"
                + " if it was killed) and its child processes are gone; pid file removed"));
        assertThat(family.stream().filter(ProcessHandle::isAlive).map(ProcessConnectorIT::describe)).isEmpty();
        assertThat(connector.pidFile("demo-shop")).doesNotExist();
        assertThat(health(port)).isEqualTo(-1);
        assertThat(Files.readString(connector.logFile("demo-shop"))).contains("SIGTERM received; not stopping");

        final Outcome again = connector.execute(TestActions.stop("demo-shop", CLOCK.instant(), Duration.ofSeconds(60)));
        assertThat(again).isEqualTo(Outcome.succeeded("demo-shop was not running (pid " + pid + " exited: exit code 137,"
                + " signal 9 if it was killed); nothing to stop"));

        final Outcome started = connector.execute(TestActions.start("demo-shop", CLOCK.instant(), Duration.ofSeconds(60)));

        assertThat(started.status()).as(started.detail()).isEqualTo(ActionStatus.SUCCEEDED);
        final long next = connector.pid("demo-shop").orElseThrow();
        ProcessHandle.of(next).orElseThrow().descendants().forEach(seen::add);
        assertThat(started.detail()).matches("started demo-shop: pid " + next + ", healthy after \\d+\\.\\ds");
        assertThat(health(port)).isEqualTo(200);
        assertThat(Files.readString(connector.pidFile("demo-shop")).trim()).isEqualTo(Long.toString(next));

        final Outcome startedAgain = connector.execute(TestActions.start("demo-shop", CLOCK.instant(), Duration.ofSeconds(60)));
        assertThat(startedAgain).isEqualTo(Outcome.succeeded("demo-shop was already running (pid " + next
                + ") and is healthy; nothing was started"));
        assertThat(connector.pid("demo-shop")).hasValue(next);
    }

    @Test
    void stopServiceStopsALeftoverOfAnEarlierRun() throws Exception {
        final int port = freePort();
        final Map<String, Object> services = Map.of("demo-shop", service(port, 200));
        final ProcessConnector crashed = connector(services);
        final ProcessHandle leftover = ProcessHandle.of(crashed.start("demo-shop")).orElseThrow();
        awaitHealth(port, 200);

        final ProcessConnector next = connector(services);
        final Outcome outcome = next.execute(TestActions.stop("demo-shop", CLOCK.instant(), Duration.ofSeconds(60)));

        assertThat(outcome).isEqualTo(Outcome.succeeded("stopped demo-shop: pid " + leftover.pid() + ", left running"
                + " by an earlier run of Reflex, and its child processes are gone; pid file removed"));
        assertThat(leftover.isAlive()).isFalse();
        assertThat(next.pidFile("demo-shop")).doesNotExist();
    }

    // --- reconcile ---------------------------------------------------------------------------

    @Test
    void reconcileTellsARestartThatHappenedFromOneThatNeverDid() throws Exception {
        final int port = freePort();
        final Map<String, Object> services = Map.of("demo-shop", service(port, 200));
        final ProcessConnector connector = connector(services);
        final long old = connector.start("demo-shop");
        awaitHealth(port, 200);

        // An action that started a second after the running process: its restart was never done.
        final Instant afterOld = Files.getLastModifiedTime(connector.pidFile("demo-shop")).toInstant().plusSeconds(1);
        final Reconciliation neverDone = connector.reconcile(
                TestActions.restart("demo-shop", afterOld, Duration.ofSeconds(60)), afterOld);
        assertThat(neverDone.state()).as(neverDone.detail()).isEqualTo(Reconciliation.State.NOT_APPLIED);
        assertThat(neverDone.detail()).startsWith("demo-shop runs as pid " + old + ", started ")
                .endsWith(", before the action started at " + afterOld + ": the restart was never done; running it"
                        + " again is safe");
        final Reconciliation notStopped = connector.reconcile(
                TestActions.stop("demo-shop", afterOld, Duration.ofSeconds(60)), afterOld);
        assertThat(notStopped.state()).as(notStopped.detail()).isEqualTo(Reconciliation.State.NOT_APPLIED);

        final Instant startedAt = CLOCK.instant();
        final Action restart = TestActions.restart("demo-shop", startedAt, Duration.ofSeconds(60));
        assertThat(connector.execute(restart).status()).isEqualTo(ActionStatus.SUCCEEDED);
        final long restarted = connector.pid("demo-shop").orElseThrow();

        final Reconciliation done = connector.reconcile(restart, startedAt);
        assertThat(done.state()).as(done.detail()).isEqualTo(Reconciliation.State.APPLIED);
        assertThat(done.detail()).startsWith("demo-shop runs as pid " + restarted + ", started ")
                .endsWith(", after the action started at " + startedAt + ", and GET http://127.0.0.1:" + port
                        + "/health answers 2xx");

        // As after a crash of the application: a new connector sees only the pid file and the process.
        final Reconciliation afterCrash = connector(services).reconcile(restart, startedAt);
        assertThat(afterCrash).isEqualTo(done);
    }

    @Test
    void reconcileFindsAServiceThatDiedNotRestartedAndStopped() throws Exception {
        final int port = freePort();
        final ProcessConnector connector = connector(Map.of("demo-shop", service(port, 200)));
        final Instant startedAt = CLOCK.instant();
        final Action start = TestActions.start("demo-shop", startedAt, Duration.ofSeconds(60));
        assertThat(connector.execute(start).status()).isEqualTo(ActionStatus.SUCCEEDED);
        final long pid = connector.pid("demo-shop").orElseThrow();
        assertThat(connector.reconcile(start, startedAt).state()).isEqualTo(Reconciliation.State.APPLIED);

        assertThat(ProcessHandle.of(pid).orElseThrow().destroyForcibly()).isTrue();
        awaitLong().until(() -> !connector.isAlive("demo-shop"));

        assertThat(connector.reconcile(start, startedAt)).isEqualTo(Reconciliation.notApplied("demo-shop is not"
                + " running (pid " + pid + " from its pid file has exited): the start did not take effect, or the"
                + " service died since; running it again is safe"));
        final Action stop = TestActions.stop("demo-shop", startedAt, Duration.ofSeconds(60));
        assertThat(connector.reconcile(stop, startedAt)).isEqualTo(Reconciliation.applied("demo-shop is not running"
                + " (pid " + pid + " from its pid file has exited): the stop is in place"));
    }

    // --- safety ----------------------------------------------------------------------------

    @Test
    void hostileNamesAreRefusedWithoutAnySideEffect() throws Exception {
        final int port = freePort();
        final ProcessConnector connector = connector(Map.of("demo-shop", service(port, 200)));
        final long pid = connector.start("demo-shop");
        awaitHealth(port, 200);
        final Path pwned = Path.of(System.getProperty("java.io.tmpdir"), "pwned-" + UUID.randomUUID());
        final List<String> hostile = List.of(
                "x; touch " + pwned,
                "$(touch " + pwned + ")",
                "`touch " + pwned + "`",
                "demo-shop && touch " + pwned,
                "demo-shop | touch " + pwned,
                "../../../../" + pwned,
                "demo-shop\ntouch " + pwned);

        for (String name : hostile) {
            final Outcome outcome = connector.execute(TestActions.restart(name, CLOCK.instant(), Duration.ofSeconds(60)));
            assertThat(outcome.status()).as(name).isEqualTo(ActionStatus.REJECTED);
            assertThat(outcome.detail()).as(name).contains("is not allowed").endsWith("nothing was done");
        }

        assertThat(pwned).doesNotExist();
        assertThat(connector.pid("demo-shop")).hasValue(pid);
        assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive).map(ProcessHandle::pid))
                .containsExactly(pid);
        try (var files = Files.list(dataDir.resolve("logs"))) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactly("demo-shop.log");
        }
    }

    @Test
    void concurrentRestartsOfOneServiceLeaveExactlyOneProcess() throws Exception {
        final int port = freePort();
        final ProcessConnector connector = connector(Map.of("demo-shop", service(port, 200)));
        connector.start("demo-shop");
        awaitHealth(port, 200);

        final ExecutorService workers = Executors.newFixedThreadPool(3);
        final List<Future<Outcome>> outcomes = new ArrayList<>();
        try {
            final Callable<Outcome> restart = () -> connector.execute(
                    TestActions.restart("demo-shop", CLOCK.instant(), Duration.ofSeconds(90)));
            for (int i = 0; i < 3; i++) {
                outcomes.add(workers.submit(restart));
            }
            for (Future<Outcome> outcome : outcomes) {
                final Outcome done = outcome.get(120, TimeUnit.SECONDS);
                assertThat(done.status()).as(done.detail()).isEqualTo(ActionStatus.SUCCEEDED);
            }
        } finally {
            workers.shutdownNow();
            assertThat(workers.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }

        assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive).map(ProcessHandle::pid))
                .containsExactly(connector.pid("demo-shop").orElseThrow());
        assertThat(health(port)).isEqualTo(200);
    }

    @Test
    void aLeftoverFromAnUncleanShutdownIsStoppedBeforeTheNextStart() throws Exception {
        final int port = freePort();
        final Map<String, Object> services = Map.of("demo-shop", service(port, 200));
        final ProcessConnector crashed = connector(services);
        final ProcessHandle leftover = ProcessHandle.of(crashed.start("demo-shop")).orElseThrow();
        awaitHealth(port, 200);

        // A second connector over the same data directory, as after a restart of the application
        // that never closed the first one.
        final ProcessConnector next = connector(services);
        final Outcome outcome = next.execute(TestActions.restart("demo-shop", CLOCK.instant(), Duration.ofSeconds(60)));

        assertThat(outcome.status()).as(outcome.detail()).isEqualTo(ActionStatus.SUCCEEDED);
        assertThat(leftover.isAlive()).isFalse();
        final long pid = next.pid("demo-shop").orElseThrow();
        assertThat(pid).isNotEqualTo(leftover.pid());
        assertThat(health(port)).isEqualTo(200);
        assertThat(Files.readString(next.pidFile("demo-shop")).trim()).isEqualTo(Long.toString(pid));
    }

    @Test
    void aPidFileNamingAnotherProgramIsLeftAlone() throws Exception {
        final Process stranger = new ProcessBuilder("sleep", "300").redirectOutput(Redirect.DISCARD).start();
        seen.add(stranger.toHandle());
        toClose.add(stranger::destroyForcibly);
        final int port = freePort();
        final ProcessConnector connector = connector(Map.of("demo-shop", service(port, 200)));
        Files.createDirectories(dataDir.resolve("run"));
        Files.writeString(dataDir.resolve("run/demo-shop.pid"), stranger.pid() + "\n");

        final long pid = connector.start("demo-shop");
        awaitHealth(port, 200);

        assertThat(stranger.isAlive()).isTrue();
        assertThat(Files.readString(connector.pidFile("demo-shop")).trim()).isEqualTo(Long.toString(pid));
    }

    @Test
    void aHealthUrlServedByAnotherProcessIsNotTakenForTheService() throws Exception {
        final HttpServer impostor = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        impostor.createContext("/health", exchange -> {
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        impostor.start();
        toClose.add(() -> impostor.stop(0));
        final int port = impostor.getAddress().getPort();
        final ProcessConnector connector = connector(Map.of("demo-shop", service(port, 200)));

        final Outcome outcome = connector.execute(TestActions.restart("demo-shop", CLOCK.instant(), Duration.ofSeconds(60)));

        assertThat(outcome).isEqualTo(Outcome.failed("restart of demo-shop failed: GET http://127.0.0.1:" + port
                + "/health answered 2xx although demo-shop is not running: another process serves that address (a"
                + " leftover of an earlier run?). Stop it (find it with: ss -ltnp) and retry; nothing was started", true));
        assertThat(connector.isAlive("demo-shop")).isFalse();
        assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive)).isEmpty();
    }

    // --- helpers ---------------------------------------------------------------------------

    private ProcessConnector connector(Map<String, ?> services) {
        final Connector connector = new ProcessConnectorProvider().create(
                new ConnectorContext(Map.of("services", services), dataDir, CLOCK));
        toClose.add(connector);
        return (ProcessConnector) connector;
    }

    /** Settings of a {@link TestHttpServer} service; mutable so tests can add keys. */
    private static Map<String, Object> service(int port, int status, String... flags) {
        final List<String> command = new ArrayList<>(List.of(java(), "-Xmx32m", "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC", "-cp", testClasses(), TestHttpServer.class.getName(),
                Integer.toString(port), Integer.toString(status)));
        command.addAll(List.of(flags));
        final Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("command", command);
        spec.put("health", "http://127.0.0.1:" + port + "/health");
        return spec;
    }

    private static String java() {
        return ProcessHandle.current().info().command().orElseThrow();
    }

    private static String testClasses() {
        try {
            return Path.of(TestHttpServer.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** The status GET /health answers, or -1 when nothing answers. */
    private static int health(int port) throws InterruptedException {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        }
    }

    private static void awaitHealth(int port, int status) {
        awaitLong().until(() -> health(port) == status);
    }

    private static ConditionFactory awaitLong() {
        return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100));
    }

    private static String describe(ProcessHandle process) {
        return process.pid() + " " + process.info().commandLine().orElse("?");
    }
}
