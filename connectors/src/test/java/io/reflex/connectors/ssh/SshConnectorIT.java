package io.reflex.connectors.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reflex.connectors.spi.Connector;
import io.reflex.connectors.spi.Connectors;
import io.reflex.connectors.spi.Outcome;
import io.reflex.connectors.spi.Reconciliation;
import io.reflex.model.Action;
import io.reflex.model.ActionStatus;
import io.reflex.model.ActionType;
import io.reflex.testkit.Sshd;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The ssh connector against a real OpenSSH server on 127.0.0.1 (one per class). The "remote"
 * host is this machine: the configured commands run a small script that plays a systemd unit
 * by writing what it was asked into files under the test's directory.
 */
class SshConnectorIT {

    private static final Clock CLOCK = Clock.systemUTC();
    private static Sshd sshd;

    @TempDir
    Path dir;

    private Path units;
    private Path marker;
    private Path dataDir;
    private Connectors connectors;

    @BeforeAll
    static void startSshd() {
        sshd = Sshd.start();
    }

    @AfterAll
    static void stopSshd() {
        if (sshd != null) {
            sshd.close();
        }
    }

    @BeforeEach
    void writeTheFakeUnit() throws IOException {
        units = dir.resolve("units");
        marker = dir.resolve("pwned");
        dataDir = dir.resolve("data");
        final Path fakeUnit = dir.resolve("fake-unit");
        Files.writeString(fakeUnit, String.join("\n",
                "#!/bin/sh",
                "# fake-unit VERB NAME: plays a systemd unit; records each verb and the start time.",
                "set -eu",
                "dir='" + units + "'",
                "mkdir -p \"$dir\"",
                "case \"$1\" in",
                "  restart|start) echo \"$1\" >> \"$dir/$2.log\"; date +%s > \"$dir/$2.started\"; echo \"$2 ${1}ed\" ;;",
                "  stop) echo stop >> \"$dir/$2.log\"; rm -f \"$dir/$2.started\"; echo \"$2 stopped\" ;;",
                "  started-at) cat \"$dir/$2.started\" 2>/dev/null || echo 0 ;;",
                "  fail) echo \"unit $2 failed to start: see its journal\" >&2; exit 3 ;;",
                "  *) echo \"unknown verb $1\" >&2; exit 2 ;;",
                "esac",
                ""), StandardCharsets.UTF_8);
        final Path args = dir.resolve("print-args");
        Files.writeString(args, String.join("\n",
                "#!/bin/sh",
                "# Writes each argument it got on its own line: shows what the remote shell passed on.",
                "for a in \"$@\"; do printf '%s\\n' \"$a\"; done > '" + dir.resolve("args.out") + "'",
                ""), StandardCharsets.UTF_8);
        for (Path script : List.of(fakeUnit, args)) {
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        }
    }

    @AfterEach
    void closeAndCheckNothingRuns() {
        if (connectors != null) {
            connectors.close();
        }
        // ssh clients are our children; sshd (also a child) is the only one allowed to stay.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                ProcessHandle.current().children().filter(ProcessHandle::isAlive)
                        .filter(p -> p.info().command().map(c -> !c.endsWith("sshd")).orElse(true))
                        .map(p -> p.pid() + " " + p.info().commandLine().orElse("?")))
                .as("processes left running").isEmpty());
    }

    // --- settings ----------------------------------------------------------------------------

    private Map<String, Object> hostSettings(int port, Path knownHosts) {
        final Map<String, Object> host = new LinkedHashMap<>();
        host.put("address", sshd.host());
        host.put("port", port);
        host.put("user", sshd.user());
        host.put("identityFile", sshd.clientKey().toString());
        host.put("knownHostsFile", knownHosts.toString());
        return host;
    }

    private Map<String, Object> settings(Map<String, Object> host) {
        final String unit = dir.resolve("fake-unit").toString();
        final Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("connectTimeout", "5s");
        settings.put("hosts", Map.of("local", host));
        settings.put("services", Map.of("demo", "local", "other", "local"));
        settings.put("commands", Map.of(
                "restart_service", List.of(unit, "restart", "{service}"),
                "stop_service", List.of(unit, "stop", "{service}"),
                "start_service", List.of(unit, "start", "{service}")));
        settings.put("state", List.of(unit, "started-at", "{service}"));
        settings.put("scripts", Map.of(
                "print-args", List.of(dir.resolve("print-args").toString(),
                        "it's; $(touch " + marker + ") `touch " + marker + "` * | &&", "--name={name}", "{host}"),
                "broken", List.of(unit, "fail", "{name}")));
        return settings;
    }

    /** Through ServiceLoader, as the application creates it. */
    private Connector connector(Map<String, Object> settings) {
        connectors = Connectors.load(Map.of("ssh", settings), dataDir, CLOCK);
        return connectors.get("ssh").orElseThrow();
    }

    private Connector connector() {
        return connector(settings(hostSettings(sshd.port(), sshd.knownHosts())));
    }

    private List<String> unitLog(String service) throws IOException {
        final Path log = units.resolve(service + ".log");
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    // --- service actions -----------------------------------------------------------------------

    @Test
    void restartStopAndStartRunTheConfiguredCommandsOnTheHost() throws Exception {
        final Connector ssh = connector();

        final Outcome restarted = ssh.execute(SshTestActions.service(ActionType.RESTART_SERVICE, "demo", CLOCK.instant()));
        final Outcome stopped = ssh.execute(SshTestActions.service(ActionType.STOP_SERVICE, "demo", CLOCK.instant()));
        final Outcome started = ssh.execute(SshTestActions.service(ActionType.START_SERVICE, "demo", CLOCK.instant()));

        assertThat(restarted.status()).as(restarted.detail()).isEqualTo(ActionStatus.SUCCEEDED);
        assertThat(restarted.detail()).startsWith("restart_service demo on local (" + sshd.user() + "@127.0.0.1:"
                + sshd.port() + ") succeeded in ").contains("demo restarted");
        assertThat(stopped.status()).as(stopped.detail()).isEqualTo(ActionStatus.SUCCEEDED);
        assertThat(started.status()).as(started.detail()).isEqualTo(ActionStatus.SUCCEEDED);
        assertThat(unitLog("demo")).containsExactly("restart", "stop", "start");
        assertThat(unitLog("other")).isEmpty();
    }

    @Test
    void theFullOutputOfEachRunIsKeptUnderTheDataDirectory() throws Exception {
        final Connector ssh = connector();

        final Outcome outcome = ssh.execute(SshTestActions.service(ActionType.RESTART_SERVICE, "demo", CLOCK.instant()));

        final Path logs = dataDir.resolve("logs/ssh");
        try (Stream<Path> files = Files.list(logs)) {
            final List<Path> runs = files.toList();
            assertThat(runs).hasSize(1);
            assertThat(outcome.detail()).endsWith("full output: " + runs.get(0));
            assertThat(Files.readString(runs.get(0))).contains("demo restarted");
        }
    }

    @Test
    void reconcileAsksTheHostWhenTheServiceStarted() throws Exception {
        final Connector ssh = connector();
        final Action restart = SshTestActions.service(ActionType.RESTART_SERVICE, "demo", CLOCK.instant());
        final Instant before = CLOCK.instant();

        assertThat(ssh.reconcile(restart, before).state()).as("never started").isEqualTo(Reconciliation.State.NOT_APPLIED);
        assertThat(ssh.execute(restart).status()).isEqualTo(ActionStatus.SUCCEEDED);

        final Reconciliation afterRestart = ssh.reconcile(restart, before);
        assertThat(afterRestart.state()).as(afterRestart.detail()).isEqualTo(Reconciliation.State.APPLIED);
        assertThat(afterRestart.detail()).startsWith("demo on local (").contains("after the action began");

        // An action that began after the last start found the service as it was: not applied.
        final Reconciliation laterAction = ssh.reconcile(restart, before.plus(Duration.ofHours(1)));
        assertThat(laterAction.state()).as(laterAction.detail()).isEqualTo(Reconciliation.State.NOT_APPLIED);

        assertThat(ssh.execute(SshTestActions.service(ActionType.STOP_SERVICE, "demo", CLOCK.instant())).status())
                .isEqualTo(ActionStatus.SUCCEEDED);
        assertThat(ssh.reconcile(restart, before).detail()).endsWith("is not running");
    }

    @Test
    void withoutAStateCommandReconcileCannotTell() throws Exception {
        final Map<String, Object> settings = settings(hostSettings(sshd.port(), sshd.knownHosts()));
        settings.remove("state");
        final Connector ssh = connector(settings);

        final Reconciliation answer = ssh.reconcile(
                SshTestActions.service(ActionType.RESTART_SERVICE, "demo", CLOCK.instant()), CLOCK.instant());

        assertThat(answer.state()).isEqualTo(Reconciliation.State.UNKNOWN);
        assertThat(answer.detail()).contains("check the target by hand");
    }

    // --- scripts ---------------------------------------------------------------------------------

    @Test
    void runScriptPassesConfiguredArgumentsVerbatimAndSubstitutesCheckedParameters() throws Exception {
        final Connector ssh = connector();

        final Outcome outcome = ssh.execute(SshTestActions.script("local",
                Map.of("script", "print-args", "name", "cache-7"), CLOCK.instant()));

        assertThat(outcome.status()).as(outcome.detail()).isEqualTo(ActionStatus.SUCCEEDED);
        assertThat(Files.readAllLines(dir.resolve("args.out"))).containsExactly(
                "it's; $(touch " + marker + ") `touch " + marker + "` * | &&", "--name=cache-7", "local");
        assertThat(marker).as("the remote shell expanded a quoted argument").doesNotExist();
    }

    @Test
    void aFailingRemoteCommandIsAFailureWithItsOutputAndExitCode() throws Exception {
        final Connector ssh = connector();

        final Outcome outcome = ssh.execute(SshTestActions.script("local",
                Map.of("script", "broken", "name", "db"), CLOCK.instant()));

        assertThat(outcome.status()).isEqualTo(ActionStatus.FAILED);
        assertThat(outcome.retriable()).isFalse();
        assertThat(outcome.detail()).startsWith("run_script broken on local (")
                .contains("failed with exit code 3", "unit db failed to start: see its journal");
    }

    // --- host keys and reachability -----------------------------------------------------------------

    @Test
    void aHostKeyThatDoesNotMatchKnownHostsStopsTheActionBeforeAnythingRuns() throws Exception {
        final Connector ssh = connector(settings(hostSettings(sshd.port(), sshd.foreignKnownHosts())));

        final Outcome outcome = ssh.execute(SshTestActions.service(ActionType.RESTART_SERVICE, "demo", CLOCK.instant()));

        assertThat(outcome.status()).isEqualTo(ActionStatus.FAILED);
        assertThat(outcome.retriable()).as("a wrong host key needs a person").isFalse();
        assertThat(outcome.detail()).contains("the host key of 127.0.0.1:" + sshd.port()
                + " does not match the known_hosts file configured for host local", "nothing was run");
        assertThat(unitLog("demo")).isEmpty();
    }

    @Test
    void anUnreachableHostIsARetriableFailure() throws Exception {
        final Connector ssh = connector(settings(hostSettings(closedPort(), sshd.knownHosts())));

        final Outcome outcome = ssh.execute(SshTestActions.service(ActionType.RESTART_SERVICE, "demo", CLOCK.instant()));

        assertThat(outcome.status()).isEqualTo(ActionStatus.FAILED);
        assertThat(outcome.retriable()).isTrue();
        assertThat(outcome.detail()).contains("cannot connect over ssh (exit 255)", "Connection refused");
    }

    // --- hostile input (issue 5, must show 2) -------------------------------------------------------

    static Stream<String> hostileValues() {
        return Stream.of("x; touch %s", "$(touch %s)", "`touch %s`", "x && touch %s", "x | touch %s",
                "x\ntouch %s", "../../../../..%s", "-oProxyCommand=touch %s", "demo touch %s");
    }

    @ParameterizedTest
    @MethodSource("hostileValues")
    void hostileServiceNamesAreRefusedAndNothingRuns(String template) throws Exception {
        final Connector ssh = connector();
        final String hostile = String.format(template, marker);

        for (ActionType type : List.of(ActionType.RESTART_SERVICE, ActionType.STOP_SERVICE, ActionType.START_SERVICE)) {
            final Outcome outcome = ssh.execute(SshTestActions.service(type, hostile, CLOCK.instant()));

            assertThat(outcome.status()).isEqualTo(ActionStatus.REJECTED);
            assertThat(outcome.detail()).startsWith("service name '").contains("is not allowed").endsWith("; nothing was run");
        }
        assertNothingRan();
    }

    @ParameterizedTest
    @MethodSource("hostileValues")
    void hostileScriptParametersNamesAndHostsAreRefusedAndNothingRuns(String template) throws Exception {
        final Connector ssh = connector();
        final String hostile = String.format(template, marker);

        final Outcome parameter = ssh.execute(SshTestActions.script("local",
                Map.of("script", "print-args", "name", hostile), CLOCK.instant()));
        final Outcome script = ssh.execute(SshTestActions.script("local", Map.of("script", hostile), CLOCK.instant()));
        final Outcome host = ssh.execute(SshTestActions.script(hostile, Map.of("script", "print-args", "name", "a"),
                CLOCK.instant()));

        assertThat(parameter.status()).isEqualTo(ActionStatus.REJECTED);
        assertThat(parameter.detail()).startsWith("parameter 'name' '").contains("is not allowed");
        assertThat(script.status()).isEqualTo(ActionStatus.REJECTED);
        assertThat(script.detail()).startsWith("script name '").contains("is not allowed");
        assertThat(host.status()).isEqualTo(ActionStatus.REJECTED);
        assertThat(host.detail()).startsWith("host name '").contains("is not allowed");
        assertNothingRan();
    }

    @Test
    void wellFormedButUnconfiguredTargetsAreRefusedWithWhatIsConfigured() throws Exception {
        final Connector ssh = connector();

        final Outcome service = ssh.execute(SshTestActions.service(ActionType.RESTART_SERVICE, "passwd", CLOCK.instant()));
        final Outcome script = ssh.execute(SshTestActions.script("local", Map.of("script", "rm"), CLOCK.instant()));
        final Outcome type = ssh.execute(SshTestActions.action(ActionType.ISOLATE_HOST, "host", "local", Map.of(),
                CLOCK.instant(), Duration.ofSeconds(5)));

        assertThat(service.detail()).isEqualTo("service 'passwd' is not managed by the ssh connector (configured: demo,"
                + " other). To manage it, add it under connectors.ssh.services; nothing was run");
        assertThat(script.detail()).isEqualTo("script 'rm' is not configured (configured: broken, print-args). To allow"
                + " it, add it under connectors.ssh.scripts; nothing was run");
        assertThat(type.detail()).startsWith("ssh connector cannot isolate_host");
        assertThat(List.of(service.status(), script.status(), type.status())).containsOnly(ActionStatus.REJECTED);
        assertNothingRan();
    }

    private void assertNothingRan() throws IOException {
        assertThat(marker).as("a hostile value reached a shell").doesNotExist();
        assertThat(unitLog("demo")).isEmpty();
        assertThat(dir.resolve("args.out")).doesNotExist();
        assertThat(dataDir.resolve("logs/ssh")).as("no ssh was started").doesNotExist();
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }
}
