package io.reflex.connectors.ansible;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reflex.connectors.spi.Connector;
import io.reflex.connectors.spi.Connectors;
import io.reflex.connectors.spi.Outcome;
import io.reflex.model.Action;
import io.reflex.model.ActionMode;
import io.reflex.model.ActionStatus;
import io.reflex.model.ActionType;
import io.reflex.model.RuleRef;
import io.reflex.model.Target;
import io.reflex.testkit.Sshd;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The ansible connector running the real ansible-playbook over a real sshd on 127.0.0.1 (one per class). */
class AnsibleConnectorIT {

    private static final Clock CLOCK = Clock.systemUTC();
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    /** ansible-playbook takes a few seconds; generous, so a slow shared machine does not fail the test. */
    private static final Duration TIME_LEFT = Duration.ofSeconds(120);
    private static Sshd sshd;

    @TempDir
    Path dir;

    private Path playbooks;
    private Path output;
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
    void writePlaybooks() throws IOException {
        playbooks = Files.createDirectories(dir.resolve("playbooks"));
        output = dir.resolve("greeting.txt");
        marker = dir.resolve("pwned");
        dataDir = dir.resolve("data");
        Files.writeString(playbooks.resolve("greet.yml"), String.join("\n",
                "- hosts: all",
                "  gather_facts: false",
                "  tasks:",
                "    - name: write the greeting",
                "      ansible.builtin.copy:",
                "        dest: " + output,
                "        content: \"{{ greeting }} from {{ inventory_hostname }}\\n\"",
                "    - name: say so",
                "      ansible.builtin.debug:",
                "        msg: \"wrote {{ greeting }}\"",
                ""), StandardCharsets.UTF_8);
        Files.writeString(playbooks.resolve("broken.yaml"), String.join("\n",
                "- hosts: all",
                "  gather_facts: false",
                "  tasks:",
                "    - name: fail on purpose",
                "      ansible.builtin.fail:",
                "        msg: \"disk {{ disk }} is not mounted\"",
                ""), StandardCharsets.UTF_8);
        // A link leading out of the reviewed directory must not be runnable.
        final Path outside = Files.writeString(dir.resolve("outside.yml"), "- hosts: all\n  tasks: []\n");
        Files.createSymbolicLink(playbooks.resolve("escape.yml"), outside);
    }

    @AfterEach
    void closeAndCheckNothingRuns() {
        if (connectors != null) {
            connectors.close();
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                ProcessHandle.current().children().filter(ProcessHandle::isAlive)
                        .filter(p -> p.info().command().map(c -> !c.endsWith("sshd")).orElse(true))
                        .map(p -> p.pid() + " " + p.info().commandLine().orElse("?")))
                .as("processes left running").isEmpty());
    }

    private Connector connector(int port, Path knownHosts) {
        final Map<String, Object> host = new LinkedHashMap<>();
        host.put("address", sshd.host());
        host.put("port", port);
        host.put("user", sshd.user());
        host.put("identityFile", sshd.clientKey().toString());
        host.put("knownHostsFile", knownHosts.toString());
        final Map<String, Object> settings = Map.of(
                "playbookDir", playbooks.toString(),
                "connectTimeout", "5s",
                "hosts", Map.of("local", host));
        connectors = Connectors.load(Map.of("ansible", settings), dataDir, CLOCK);
        return connectors.get("ansible").orElseThrow();
    }

    private Connector connector() {
        return connector(sshd.port(), sshd.knownHosts());
    }

    private static Action playbook(String host, Map<String, String> params) {
        return new Action("act-playbook-" + SEQUENCE.incrementAndGet(), "inc-test", new RuleRef("ansible-test", 1),
                ActionType.RUN_PLAYBOOK, new Target(AnsibleConnector.NAME, AnsibleConnector.HOST_KIND, host), params,
                ActionMode.EXECUTE, false, CLOCK.instant(), CLOCK.instant().plus(TIME_LEFT));
    }

    @Test
    void aPlaybookRunsOverSshWithTheExtraVarsAndItsRecapIsOnTheOutcome() throws Exception {
        final Connector ansible = connector();

        final Outcome outcome = ansible.execute(playbook("local", Map.of("playbook", "greet", "greeting", "hello-7")));

        assertThat(outcome.status()).as(outcome.detail()).isEqualTo(ActionStatus.SUCCEEDED);
        assertThat(Files.readString(output)).isEqualTo("hello-7 from local\n");
        assertThat(outcome.detail()).startsWith("playbook greet on local (" + sshd.user() + "@127.0.0.1:" + sshd.port()
                + ") succeeded in ").contains("\"msg\": \"wrote hello-7\"", "PLAY RECAP", "ok=2", "changed=1", "failed=0");
        // The full output is kept; the per-run inventory and vars are gone.
        final String logFile = outcome.detail().substring(outcome.detail().lastIndexOf("full output: ") + 13);
        assertThat(Files.readString(Path.of(logFile))).contains("TASK [write the greeting]");
        assertThat(dataDir.resolve("runs/ansible")).isEmptyDirectory();
    }

    /** The shape the rules' remediate.runPlaybook(alert, "greet", Map.of("host", ...)) produces. */
    @Test
    void aPlaybookTargetNamesThePlaybookAndTheHostParamPicksTheHost() throws Exception {
        final Connector ansible = connector();
        final Action action = new Action("act-playbook-" + SEQUENCE.incrementAndGet(), "inc-test",
                new RuleRef("ansible-test", 1), ActionType.RUN_PLAYBOOK,
                new Target(AnsibleConnector.NAME, AnsibleConnector.PLAYBOOK_KIND, "greet"),
                Map.of("host", "local", "greeting", "hi-9"), ActionMode.EXECUTE, false, CLOCK.instant(),
                CLOCK.instant().plus(TIME_LEFT));

        final Outcome outcome = ansible.execute(action);

        assertThat(outcome.status()).as(outcome.detail()).isEqualTo(ActionStatus.SUCCEEDED);
        assertThat(Files.readString(output)).isEqualTo("hi-9 from local\n");

        final Outcome noHost = ansible.execute(new Action("act-playbook-" + SEQUENCE.incrementAndGet(), "inc-test",
                new RuleRef("ansible-test", 1), ActionType.RUN_PLAYBOOK,
                new Target(AnsibleConnector.NAME, AnsibleConnector.PLAYBOOK_KIND, "greet"), Map.of("greeting", "x"),
                ActionMode.EXECUTE, false, CLOCK.instant(), CLOCK.instant().plus(TIME_LEFT)));
        assertThat(noHost.status()).isEqualTo(ActionStatus.REJECTED);
        assertThat(noHost.detail()).contains("needs the parameter 'host'", "configured: local");
    }

    @Test
    void aFailingPlaybookIsANonRetriableFailureWithTheFailedTask() throws Exception {
        final Connector ansible = connector();

        final Outcome outcome = ansible.execute(playbook("local", Map.of("playbook", "broken", "disk", "sdb1")));

        assertThat(outcome.status()).isEqualTo(ActionStatus.FAILED);
        assertThat(outcome.retriable()).isFalse();
        assertThat(outcome.detail()).contains("a task failed (exit 2)", "fatal: [local]", "disk sdb1 is not mounted",
                "PLAY RECAP", "failed=1");
    }

    @Test
    void anUnreachableHostIsARetriableFailure() throws Exception {
        final Connector ansible = connector(closedPort(), sshd.knownHosts());

        final Outcome outcome = ansible.execute(playbook("local", Map.of("playbook", "greet", "greeting", "x")));

        assertThat(outcome.status()).isEqualTo(ActionStatus.FAILED);
        assertThat(outcome.retriable()).isTrue();
        assertThat(outcome.detail()).contains("host unreachable (exit 4)", "unreachable=1");
        assertThat(output).doesNotExist();
    }

    @Test
    void aHostKeyThatDoesNotMatchKnownHostsIsRefusedByAnsibleToo() throws Exception {
        final Connector ansible = connector(sshd.port(), sshd.foreignKnownHosts());

        final Outcome outcome = ansible.execute(playbook("local", Map.of("playbook", "greet", "greeting", "x")));

        assertThat(outcome.status()).isEqualTo(ActionStatus.FAILED);
        assertThat(outcome.retriable()).as(outcome.detail()).isFalse();
        assertThat(outcome.detail()).contains("the host key does not match the configured known_hosts file");
        assertThat(output).doesNotExist();
    }

    // --- hostile input (issue 5, must show 2) -------------------------------------------------------

    static Stream<String> hostileValues() {
        return Stream.of("x; touch %s", "$(touch %s)", "`touch %s`", "../../../../..%s", "x && touch %s",
                "{{ lookup('pipe', 'touch %s') }}", "-e@%s", "greet\ntouch %s");
    }

    @ParameterizedTest
    @MethodSource("hostileValues")
    void hostilePlaybookNamesVarsAndHostsAreRefusedAndNothingRuns(String template) throws Exception {
        final Connector ansible = connector();
        final String hostile = String.format(template, marker);

        final Outcome name = ansible.execute(playbook("local", Map.of("playbook", hostile)));
        final Outcome var = ansible.execute(playbook("local", Map.of("playbook", "greet", "greeting", hostile)));
        final Outcome host = ansible.execute(playbook(hostile, Map.of("playbook", "greet", "greeting", "x")));

        assertThat(name.status()).isEqualTo(ActionStatus.REJECTED);
        assertThat(name.detail()).startsWith("playbook name '").contains("is not allowed").endsWith("; nothing was run");
        assertThat(var.status()).isEqualTo(ActionStatus.REJECTED);
        assertThat(var.detail()).startsWith("extra var 'greeting' '").contains("is not allowed");
        assertThat(host.status()).isEqualTo(ActionStatus.REJECTED);
        assertThat(host.detail()).startsWith("host name '").contains("is not allowed");
        assertNothingRan();
    }

    @Test
    void varsThatWouldChangeHowAnsibleConnectsAndPlaybooksOutsideTheDirectoryAreRefused() throws Exception {
        final Connector ansible = connector();

        final Outcome connectionVar = ansible.execute(playbook("local",
                Map.of("playbook", "greet", "greeting", "x", "ansible_ssh_common_args", "-oProxyCommand=touch")));
        final Outcome escape = ansible.execute(playbook("local", Map.of("playbook", "escape")));
        final Outcome missing = ansible.execute(playbook("local", Map.of("playbook", "passwd")));
        final Outcome unknownHost = ansible.execute(playbook("db", Map.of("playbook", "greet", "greeting", "x")));

        assertThat(connectionVar.detail()).startsWith("extra var 'ansible_ssh_common_args' is not allowed: ansible_*"
                + " variables decide how Ansible connects");
        assertThat(escape.detail()).isEqualTo("playbook 'escape' resolves outside " + playbooks + "; nothing was run");
        assertThat(missing.detail()).isEqualTo("playbook 'passwd' does not exist in " + playbooks
                + " (as passwd.yml or .yaml); nothing was run");
        assertThat(unknownHost.detail()).startsWith("host 'db' is not configured for the ansible connector");
        assertThat(Stream.of(connectionVar, escape, missing, unknownHost).map(Outcome::status))
                .containsOnly(ActionStatus.REJECTED);
        assertNothingRan();
    }

    private void assertNothingRan() {
        assertThat(marker).as("a hostile value reached a shell or a template").doesNotExist();
        assertThat(output).doesNotExist();
        assertThat(dataDir.resolve("logs/ansible")).as("ansible-playbook was never started").doesNotExist();
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }
}
