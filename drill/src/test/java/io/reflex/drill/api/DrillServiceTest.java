package io.reflex.drill.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.reflex.drill.DrillDefinition;
import io.reflex.drill.DrillFile;
import io.reflex.drill.DrillFileException;
import io.reflex.drill.DrillReport;
import io.reflex.model.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DrillServiceTest {
    private static final Duration BOUND = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private final TestClock clock = new TestClock(Instant.parse("2026-11-26T10:00:00Z"));
    private final FakeExecutor executor = new FakeExecutor();
    private final List<DrillService> services = new ArrayList<>();

    @AfterEach
    void stop() {
        executor.releaseAll();
        services.forEach(DrillService::close);
    }

    private DrillService service(int maxRuns, int queue) {
        DrillService service = new DrillService(dir, maxRuns, queue, executor, clock).start();
        services.add(service);
        return service;
    }

    static String yaml(String name) {
        return """
                name: %s
                steadyState: {http: "http://127.0.0.1:1/health"}
                fault: {type: kill, service: demo-shop}
                expect: {rule: restart service on ServiceDown, action: restart_service, target: "service:demo-shop"}
                slo: 30s
                """.formatted(name);
    }

    private static DrillDefinition drill(String name) {
        return DrillFile.parse(yaml(name), name + ".yaml");
    }

    @Test
    void runsOneDrillAtATimeInTheOrderTheyWereQueuedWithTheirProgress() {
        DrillService service = service(10, 5);
        executor.block = true;
        DrillRun first = service.submit(drill("one"), "one.yaml");
        clock.advance(Duration.ofSeconds(1));
        DrillRun second = service.submit(drill("two"), null);
        assertThat(first.id()).isEqualTo("drill-one-20261126T100000Z");
        assertThat(second.status()).isEqualTo(DrillRun.State.QUEUED);

        await().atMost(BOUND).until(() -> service.run(first.id()).orElseThrow().status() == DrillRun.State.RUNNING);
        assertThat(service.run(second.id()).orElseThrow().status()).isEqualTo(DrillRun.State.QUEUED);
        assertThat(executor.started).containsExactly(first.id());

        executor.release(first.id());
        await().atMost(BOUND).until(() -> service.run(first.id()).orElseThrow().status() == DrillRun.State.PASSED);
        await().atMost(BOUND).until(() -> service.run(second.id()).orElseThrow().status() == DrillRun.State.RUNNING);
        executor.release(second.id());
        await().atMost(BOUND).until(() -> service.run(second.id()).orElseThrow().status().ended());

        assertThat(executor.started).containsExactly(first.id(), second.id());
        DrillRun done = service.run(first.id()).orElseThrow();
        assertThat(done.file()).isEqualTo("one.yaml");
        assertThat(done.report().passed()).isTrue();
        assertThat(done.progress()).anyMatch(l -> l.endsWith("queued from one.yaml")).anyMatch(l -> l.endsWith("started"))
                .anyMatch(l -> l.endsWith("injected kill of demo-shop")).anyMatch(l -> l.contains("PASSED: recovered"));
        assertThat(service.runs()).extracting(DrillRun::id).containsExactly(second.id(), first.id());
    }

    @Test
    void aFullQueueRefusesTheRunAndQueuesNothing() {
        DrillService service = service(10, 2);
        executor.block = true;
        DrillRun running = service.submit(drill("a"), null);
        await().atMost(BOUND).until(() -> service.run(running.id()).orElseThrow().status() == DrillRun.State.RUNNING);
        service.submit(drill("b"), null);
        service.submit(drill("c"), null);

        assertThatThrownBy(() -> service.submit(drill("d"), null)).isInstanceOf(DrillService.QueueFullException.class)
                .hasMessageContaining("2 drills are already queued (at most 2)");
        assertThat(service.runs()).extracting(DrillRun::drill).containsExactlyInAnyOrder("a", "b", "c");
    }

    @Test
    void runsOfTheSameDrillInTheSameSecondGetDistinctIds() {
        DrillService service = service(10, 5);
        executor.block = true;
        String a = service.submit(drill("same"), null).id();
        String b = service.submit(drill("same"), null).id();
        assertThat(a).isEqualTo("drill-same-20261126T100000Z");
        assertThat(b).isEqualTo("drill-same-20261126T100000Z-2");
    }

    @Test
    void endedRunsAreStoredAsReportFilesAndReloadedByTheNextService() throws IOException {
        DrillService service = service(10, 5);
        DrillRun run = service.submit(drill("keep"), "keep.yaml");
        await().atMost(BOUND).until(() -> service.run(run.id()).orElseThrow().status().ended());
        DrillRun ended = service.run(run.id()).orElseThrow();
        service.close();

        Path file = dir.resolve("runs").resolve(run.id() + ".json");
        assertThat(file).exists();
        DrillReport stored = Json.MAPPER.readValue(file.toFile(), DrillReport.class);
        assertThat(stored.passed()).isTrue();
        assertThat(stored.reason()).isEqualTo(ended.report().reason());

        DrillService again = service(10, 5);
        DrillRun reloaded = again.run(run.id()).orElseThrow();
        assertThat(reloaded.status()).isEqualTo(DrillRun.State.PASSED);
        assertThat(reloaded.file()).isEqualTo("keep.yaml");
        assertThat(reloaded.drill()).isEqualTo("keep");
        assertThat(reloaded.queuedAt()).isEqualTo(ended.queuedAt());
        assertThat(reloaded.progress()).isEqualTo(ended.progress());
        assertThat(reloaded.report().phases().recoverMs()).isEqualTo(4000L);
    }

    @Test
    void pastMaxRunsTheOldestReportsAreDeleted() {
        DrillService service = service(2, 5);
        List<String> ids = new ArrayList<>();
        for (String name : List.of("first", "second", "third")) {
            String id = service.submit(drill(name), null).id();
            ids.add(id);
            await().atMost(BOUND).until(() -> service.run(id).orElseThrow().status().ended());
            clock.advance(Duration.ofMinutes(1));
        }
        assertThat(service.runs()).extracting(DrillRun::id).containsExactly(ids.get(2), ids.get(1));
        assertThat(dir.resolve("runs").resolve(ids.get(0) + ".json")).doesNotExist();
        assertThat(dir.resolve("runs").resolve(ids.get(1) + ".json")).exists();

        service.close();
        assertThat(service(1, 5).runs()).extracting(DrillRun::id).containsExactly(ids.get(2));
        assertThat(dir.resolve("runs").resolve(ids.get(1) + ".json")).doesNotExist();
    }

    @Test
    void aDrillThatThrowsEndsFailedWithTheReason() {
        DrillService service = service(10, 5);
        executor.failure = new IllegalStateException("Kafka is not reachable at 127.0.0.1:1");
        DrillRun run = service.submit(drill("broken"), null);
        await().atMost(BOUND).until(() -> service.run(run.id()).orElseThrow().status().ended());
        DrillRun ended = service.run(run.id()).orElseThrow();
        assertThat(ended.status()).isEqualTo(DrillRun.State.FAILED);
        assertThat(ended.report().reason()).isEqualTo("the drill could not run: Kafka is not reachable at 127.0.0.1:1");
        assertThat(ended.report().passed()).isFalse();
        assertThat(dir.resolve("runs").resolve(run.id() + ".json")).exists();
    }

    @Test
    void listsEveryDrillFileAndTheProblemsOfOnesThatDoNotParse() throws IOException {
        Files.writeString(dir.resolve("kill.yaml"), yaml("kill"));
        Files.writeString(dir.resolve("broken.yaml"), "name: broken\nfault: {type: kill}\n");
        Files.writeString(dir.resolve("notes.txt"), "not a drill");
        DrillService service = service(10, 5);

        List<DrillFileInfo> files = service.files();
        assertThat(files).extracting(DrillFileInfo::file).containsExactly("broken.yaml", "kill.yaml");
        DrillFileInfo kill = files.get(1);
        assertThat(kill.valid()).isTrue();
        assertThat(kill.name()).isEqualTo("kill");
        assertThat(kill.mode()).isEqualTo("live");
        assertThat(kill.resource()).isEqualTo("service:demo-shop");
        assertThat(kill.expect()).isEqualTo("rule \"restart service on ServiceDown\", restart_service service:demo-shop");
        assertThat(kill.sloMs()).isEqualTo(30_000L);
        assertThat(files.get(0).valid()).isFalse();
        assertThat(files.get(0).problems()).contains("fault.service: is missing", "steadyState: is missing");
    }

    @Test
    void readsOnlyPlainFileNamesOfTheDrillDir() throws IOException {
        Files.writeString(dir.resolve("kill.yaml"), yaml("kill"));
        Files.writeString(dir.resolve("broken.yaml"), "name: broken\n");
        DrillService service = service(10, 5);

        assertThat(service.readFile("kill.yaml").name()).isEqualTo("kill");
        assertThatThrownBy(() -> service.readFile("../kill.yaml")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("file: '../kill.yaml' is a path");
        assertThatThrownBy(() -> service.readFile("runs/x.yaml")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is a path");
        assertThatThrownBy(() -> service.readFile("missing.yaml")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("there is no drill file 'missing.yaml'").hasMessageContaining("kill.yaml");
        assertThatThrownBy(() -> service.readFile("broken.yaml")).isInstanceOf(DrillFileException.class)
                .satisfies(e -> assertThat(((DrillFileException) e).problems()).isNotEmpty());
    }

    /** Passes every drill after reporting one progress line; can hold each run until released. */
    private final class FakeExecutor implements DrillExecutor {
        final List<String> started = new java.util.concurrent.CopyOnWriteArrayList<>();
        final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();
        volatile boolean block;
        volatile RuntimeException failure;

        @Override
        public DrillReport run(DrillDefinition drill, String runId, Consumer<String> progress) {
            started.add(runId);
            if (failure != null) {
                throw failure;
            }
            progress.accept("injected kill of demo-shop");
            if (block) {
                try {
                    gates.computeIfAbsent(runId, id -> new CountDownLatch(1)).await(BOUND.toSeconds(), TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("drill", drill.name());
            fields.put("id", runId);
            fields.put("fault", drill.fault().describe());
            fields.put("injectedAt", clock.instant().toString());
            fields.put("phases", Map.of("detectMs", 1000, "decideMs", 100, "actMs", 900, "recoverMs", 4000));
            fields.put("sloMs", drill.slo().toMillis());
            fields.put("passed", true);
            fields.put("reason", "recovered in 4.0s (SLO 30.0s)");
            fields.put("finishedAt", clock.instant().toString());
            return Json.MAPPER.convertValue(fields, DrillReport.class);
        }

        void release(String runId) {
            gates.computeIfAbsent(runId, id -> new CountDownLatch(1)).countDown();
        }

        void releaseAll() {
            block = false;
            gates.values().forEach(CountDownLatch::countDown);
        }
    }

    private static final class TestClock extends Clock {
        private final AtomicReference<Instant> now;

        TestClock(Instant start) {
            now = new AtomicReference<>(start);
        }

        void advance(Duration by) {
            now.updateAndGet(t -> t.plus(by));
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    }
}
