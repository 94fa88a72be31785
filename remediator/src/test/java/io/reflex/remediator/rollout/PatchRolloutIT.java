package io.reflex.remediator.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reflex.connectors.process.ProcessConnectorProvider;
import io.reflex.connectors.spi.Connectors;
import io.reflex.connectors.spi.Outcome;
import io.reflex.model.Action;
import io.reflex.model.ActionMode;
import io.reflex.model.ActionStatus;
import io.reflex.model.ActionType;
import io.reflex.model.RuleRef;
import io.reflex.model.Target;
import io.reflex.remediator.rollout.RolloutConfig.Gate;
import io.reflex.remediator.rollout.RolloutConfig.Group;
import io.reflex.remediator.rollout.RolloutConfig.Member;
import io.reflex.remediator.rollout.RolloutConfig.Step;
import io.reflex.remediator.rollout.RolloutFakes.RecordingListener;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Must show 5 of issue 5: a patch rollout over 6 real processes, through the real process
 * connector, in batches of 2, halts at the first failing gate.
 */
class PatchRolloutIT {

    private static final Clock CLOCK = Clock.systemUTC();
    private static final int MEMBERS = 6;
    /** The member whose service answers 503 on /ready once restarted. */
    private static final String BROKEN = "web-4";

    @TempDir
    Path dataDir;

    private Connectors connectors;

    @AfterEach
    void noProcessOutlivesTheTest() {
        if (connectors != null) {
            connectors.close();
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive)
                        .map(p -> p.pid() + " " + p.info().commandLine().orElse("?")))
                        .as("processes still running after the connectors were closed").isEmpty());
    }

    @Test
    void aRolloutOverSixProcessesInBatchesOfTwoHaltsAtTheFirstFailingGate() throws Exception {
        final Map<String, Object> services = new LinkedHashMap<>();
        final List<Member> members = new ArrayList<>();
        for (int i = 1; i <= MEMBERS; i++) {
            final String name = "web-" + i;
            final int port = freePort();
            services.put(name, service(name, port));
            members.add(new Member(name, Map.of("port", Integer.toString(port))));
        }
        // autostart: the connector starts all six and waits until each answers /alive.
        connectors = Connectors.create(List.of(new ProcessConnectorProvider()),
                Map.of("process", Map.of("autostart", true, "services", services)), dataDir, CLOCK);
        final Map<String, Long> before = pids();
        assertThat(before).hasSize(MEMBERS);

        final Group web = new Group(members, 2,
                new Step("process", "restart_service", "service", null, Map.of("patch", "{patch}")),
                Gate.http("http://127.0.0.1:{port}/ready"), Duration.ofSeconds(3), Duration.ofMillis(200), null);
        final RolloutConfig config = new RolloutConfig(Map.of("web", web));
        assertThat(config.validate("remediator.rollouts")).isEmpty();
        final RecordingListener listener = new RecordingListener();
        final PatchRollout rollout = new PatchRollout(config, connectors::get, Probes.builtIn(), CLOCK, listener);
        final Instant now = CLOCK.instant();
        final Action action = new Action("act-patch-1", "inc-7", new RuleRef("patch-web", 3), ActionType.ROTATE_PATCH,
                new Target("rollout", PatchRollout.GROUP_KIND, "web"), Map.of("patch", "2026.11-1"), ActionMode.EXECUTE,
                false, now, now.plus(Duration.ofSeconds(60)), "group:web", Map.of());

        final Outcome outcome = rollout.run(action);

        assertThat(outcome.status()).as(outcome.detail()).isEqualTo(ActionStatus.FAILED);
        assertThat(outcome.retriable()).isFalse();
        assertThat(outcome.detail()).matches("halted at batch 2/3: gate of web-4 failed \\(HTTP 503 for \\d+\\.\\ds\\);"
                + " batches 3\\.\\.3 not started \\(web-5 and web-6 untouched\\); web-3 and web-4 were patched;"
                + " patched and healthy in earlier batches: web-1 and web-2");

        final Map<String, Long> after = pids();
        for (String member : List.of("web-1", "web-2", "web-3", "web-4")) {
            assertThat(after.get(member)).as(member + " was restarted").isNotEqualTo(before.get(member));
            assertThat(ProcessHandle.of(before.get(member)).filter(ProcessHandle::isAlive)).as(member + "'s old process").isEmpty();
            assertThat(starts(member)).as(member + " started twice").hasSize(2);
        }
        for (String member : List.of("web-5", "web-6")) {
            assertThat(after.get(member)).as(member + " never restarted").isEqualTo(before.get(member));
            assertThat(ProcessHandle.of(before.get(member)).filter(ProcessHandle::isAlive)).as(member + " still running").isPresent();
            assertThat(starts(member)).as(member + " started once").containsExactly(Long.toString(before.get(member)));
        }

        assertThat(listener.escalations).hasSize(1);
        assertThat(listener.escalations.get(0)).startsWith("inc-7: rollout of patch 2026.11-1 to group web halted at batch 2/3");
        assertThat(listener.steps).filteredOn(s -> s.contains(": batch ")).hasSize(4).allSatisfy(s ->
                assertThat(s).matches("inc-7: batch [12]/3: restart_service service:web-[1-4] SUCCEEDED: restarted web-[1-4]: .*"));
        assertThat(listener.steps).filteredOn(s -> s.startsWith("inc-7: gate ") && s.contains(" healthy after ")).extracting(s -> s.split(" ")[2])
                .containsExactly("web-1", "web-2", "web-3");
        assertThat(listener.steps).anyMatch(s -> s.startsWith("inc-7: gate web-4 unhealthy after ")
                && s.endsWith(": GET " + "http://127.0.0.1:" + web.members().get(3).vars().get("port") + "/ready - HTTP 503"));
    }

    private Map<String, Object> service(String name, int port) throws IOException {
        final List<String> command = new ArrayList<>(List.of(java(), "-Xmx32m", "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC", "-Xshare:auto", "-cp", testClasses(), RolloutTestService.class.getName(),
                Integer.toString(port), startsFile(name).toString()));
        if (name.equals(BROKEN)) {
            command.add("unready-after-restart");
        }
        final Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("command", command);
        spec.put("health", "http://127.0.0.1:" + port + "/alive");
        spec.put("startTimeout", "20s");
        return spec;
    }

    private Map<String, Long> pids() throws IOException {
        final Map<String, Long> pids = new LinkedHashMap<>();
        for (int i = 1; i <= MEMBERS; i++) {
            final Path file = dataDir.resolve("run").resolve("web-" + i + ".pid");
            pids.put("web-" + i, Long.parseLong(Files.readString(file).trim()));
        }
        return pids;
    }

    private List<String> starts(String member) throws IOException {
        return Files.readAllLines(startsFile(member));
    }

    private Path startsFile(String member) {
        return dataDir.resolve(member + ".starts");
    }

    private static String java() {
        return ProcessHandle.current().info().command().orElseThrow();
    }

    /**
     * A class path holding only the test service, copied out of target/test-classes: the
     * services are started again mid-test, and a concurrent build of this module may be
     * rewriting target/ meanwhile.
     */
    private String testClasses() throws IOException {
        final Path root = dataDir.resolve("classes");
        final String resource = RolloutTestService.class.getName().replace('.', '/') + ".class";
        final Path file = root.resolve(resource);
        if (!Files.exists(file)) {
            Files.createDirectories(file.getParent());
            try (InputStream in = RolloutTestService.class.getClassLoader().getResourceAsStream(resource)) {
                Files.copy(Objects.requireNonNull(in, resource), file);
            }
        }
        return root.toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
