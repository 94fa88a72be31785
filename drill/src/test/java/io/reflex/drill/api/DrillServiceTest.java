package io.reflex.drill.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.reflex.drill.DrillDefinition;
import io.reflex.drill.DrillFile;
import io.reflex.drill.DrillFileException;
import io.reflex.drill.DrillMode;
import io.reflex.drill.DrillProblem;
import io.reflex.drill.DrillReport;
import io.reflex.drill.gameday.DrillMetrics;
import io.reflex.drill.gameday.DrillScheduler;
import io.reflex.drill.gameday.GameDayReport;
import io.reflex.drill.gameday.Schedule;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
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
        DrillService service = new DrillService(dir, maxRuns, queue, executor, null, d -> { }, clock).start();
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

    static String dryRunYaml(String name) {
        return """
                name: %s
                mode: dry-run
                fault: {type: kill, service: demo-shop}
                alert: {name: ServiceDown, labels: {service: demo-shop}}
                expect: {rule: restart service on ServiceDown, action: restart_service, target: "service:demo-shop"}
                slo: 30s
                """.formatted(name);
    }

    /** kill.yaml, rehearse.yaml and day.yaml: kill twice, then the dry run once. */
    private void gameDayFiles() throws IOException {
        Files.writeString(dir.resolve("kill.yaml"), yaml("kill"));
        Files.writeString(dir.resolve("rehearse.yaml"), dryRunYaml("rehearse"));
        Files.writeString(dir.resolve("day.yaml"), """
                name: day
                drills:
                  - {file: kill.yaml, repeat: 2, pauseBetween: 1s}
                  - rehearse.yaml
                """);
    }

    @Test
    void aGameDayQueuesBehindARunAndRunsItsDrillsAsRunsCarryingItsId() throws IOException {
        gameDayFiles();
        DrillService service = service(10, 5);
        executor.block = true;
        DrillRun first = service.submit(drill("first"), null);
        DrillService.Submitted day = service.submitFile("day.yaml");
        assertThat(day.kind()).isEqualTo("gameday");
        assertThat(day.id()).isEqualTo("gameday-day-20261126T100000Z");
        assertThat(day.status()).isEqualTo(DrillRun.State.QUEUED);
        await().atMost(BOUND).until(() -> service.run(first.id()).orElseThrow().status() == DrillRun.State.RUNNING);
        assertThat(service.gameDay(day.id()).orElseThrow().status()).isEqualTo(DrillRun.State.QUEUED);

        executor.releaseAll();
        await().atMost(BOUND).until(() -> service.gameDay(day.id()).orElseThrow().status().ended());
        GameDayRun ended = service.gameDay(day.id()).orElseThrow();
        assertThat(ended.status()).isEqualTo(DrillRun.State.PASSED);
        assertThat(ended.runs()).hasSize(3);
        assertThat(executor.started).containsExactly(first.id(), ended.runs().get(0), ended.runs().get(1),
                ended.runs().get(2));
        for (String id : ended.runs()) {
            DrillRun run = service.run(id).orElseThrow();
            assertThat(run.gameday()).isEqualTo(day.id());
            assertThat(run.status()).isEqualTo(DrillRun.State.PASSED);
            assertThat(dir.resolve("runs").resolve(id + ".json")).exists();
        }
        assertThat(service.run(ended.runs().get(2)).orElseThrow().report().mode()).isEqualTo("dry-run");
        GameDayReport.Totals t = ended.report().totals();
        assertThat(t.passed()).isEqualTo(3);
        // The dry run injected nothing real: 2 faults, both healed.
        assertThat(t.faultsInjected()).isEqualTo(2);
        assertThat(t.faultsHealed()).isEqualTo(2);
        assertThat(t.coveragePercent()).isEqualTo(100.0);
        assertThat(ended.report().id()).isEqualTo(day.id());
        assertThat(ended.progress()).anyMatch(l -> l.contains("drill 1/3: kill"))
                .anyMatch(l -> l.contains("drill 3/3: rehearse: PASSED"))
                .anyMatch(l -> l.contains("PASSED: 3/3 passed; coverage 100.0% (2/2)"));
        GameDayRun.Summary summary = service.gameDays().get(0).summary();
        assertThat(summary.coveragePercent()).isEqualTo(100.0);
        assertThat(summary.passed()).isEqualTo(3);
        assertThat(summary.mttrP50Ms()).isEqualTo(4000L);
    }

    @Test
    void aGameDayWithAFailedDrillFailsAndIsStoredAndReloaded() throws IOException {
        gameDayFiles();
        DrillService service = service(10, 5);
        AtomicInteger calls = new AtomicInteger();
        executor.failWhen = runId -> calls.incrementAndGet() == 2;
        String id = service.submitFile("day.yaml").id();
        await().atMost(BOUND).until(() -> service.gameDay(id).orElseThrow().status().ended());
        GameDayRun ended = service.gameDay(id).orElseThrow();
        assertThat(ended.status()).isEqualTo(DrillRun.State.FAILED);
        assertThat(ended.report().totals().failed()).isEqualTo(1);
        assertThat(service.run(ended.runs().get(1)).orElseThrow().report().reason()).startsWith("the drill could not run");
        service.close();

        assertThat(dir.resolve("gamedays").resolve(id + ".json")).exists();
        DrillService again = service(10, 5);
        GameDayRun reloaded = again.gameDay(id).orElseThrow();
        assertThat(reloaded.status()).isEqualTo(DrillRun.State.FAILED);
        assertThat(reloaded.runs()).isEqualTo(ended.runs());
        assertThat(reloaded.progress()).isEqualTo(ended.progress());
        assertThat(reloaded.file()).isEqualTo("day.yaml");
        assertThat(reloaded.report()).isEqualTo(ended.report());
        assertThat(again.run(ended.runs().get(0)).orElseThrow().gameday()).isEqualTo(id);
    }

    @Test
    void pastMaxRunsTheOldestGameDaysAreDeleted() throws IOException {
        gameDayFiles();
        DrillService service = service(1, 5);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            String id = service.submitFile("day.yaml").id();
            ids.add(id);
            await().atMost(BOUND).until(() -> service.gameDay(id).orElseThrow().status().ended());
            clock.advance(Duration.ofMinutes(1));
        }
        assertThat(service.gameDays()).extracting(GameDayRun::id).containsExactly(ids.get(1));
        assertThat(dir.resolve("gamedays").resolve(ids.get(0) + ".json")).doesNotExist();
        assertThat(dir.resolve("gamedays").resolve(ids.get(1) + ".json")).exists();
    }

    @Test
    void aGameDayNamingADrillOutsideTheDrillDirIsRefused() throws IOException {
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("outside.yaml"), yaml("outside"));
        Path inner = Files.createDirectories(dir.resolve("inner"));
        DrillService service = new DrillService(inner, 10, 5, executor, null, d -> { }, clock).start();
        services.add(service);
        Files.writeString(inner.resolve("escape.yaml"), "name: escape\ndrills: [../outside.yaml]\n");

        assertThatThrownBy(() -> service.submitFile("escape.yaml")).isInstanceOf(DrillFileException.class)
                .satisfies(e -> assertThat(((DrillFileException) e).problems().toString())
                        .contains("drills[0] (../outside.yaml)").contains("outside the drill dir"));
        assertThat(service.gameDays()).isEmpty();
        assertThat(service.files()).singleElement().satisfies(f -> {
            assertThat(f.kind()).isEqualTo("gameday");
            assertThat(f.valid()).isFalse();
        });
    }

    @Test
    void aDrillTheExecutorCannotRunIsRefusedWithItsProblemsAndNothingIsQueued() throws IOException {
        gameDayFiles();
        DrillService service = service(10, 5);
        executor.problems.put("rehearse", List.of(new DrillProblem("steadyState.prometheus.url", "is missing")));
        assertThatThrownBy(() -> service.submit(drill("rehearse"), null)).isInstanceOf(DrillFileException.class)
                .satisfies(e -> assertThat(((DrillFileException) e).problems().get(0).path())
                        .isEqualTo("steadyState.prometheus.url"));
        assertThatThrownBy(() -> service.submitFile("day.yaml")).isInstanceOf(DrillFileException.class)
                .satisfies(e -> assertThat(((DrillFileException) e).problems().get(0).path())
                        .isEqualTo("drills[1] (rehearse.yaml): steadyState.prometheus.url"));
        assertThat(service.runs()).isEmpty();
        assertThat(service.gameDays()).isEmpty();
        List<DrillFileInfo> files = service.files();
        assertThat(files).filteredOn(f -> f.file().equals("day.yaml")).singleElement()
                .satisfies(f -> assertThat(f.runs()).isEqualTo(3));
    }

    @Test
    void everyFinishedRunAndGameDayIsCountedInTheMetrics() throws IOException {
        gameDayFiles();
        PrometheusRegistry registry = new PrometheusRegistry();
        DrillService service = new DrillService(dir, 10, 5, executor, new DrillMetrics(registry), d -> { }, clock)
                .start();
        services.add(service);
        String id = service.submitFile("day.yaml").id();
        await().atMost(BOUND).until(() -> service.gameDay(id).orElseThrow().status().ended());

        assertThat(counter(registry, "reflex_drill_runs", "kill", "live")).isEqualTo(2.0);
        assertThat(counter(registry, "reflex_drill_runs", "rehearse", "dry-run")).isEqualTo(1.0);
        assertThat(gauge(registry, "reflex_gameday_coverage_ratio")).isEqualTo(1.0);
        assertThat(gauge(registry, "reflex_drill_running")).isEqualTo(0.0);
    }

    private static double counter(PrometheusRegistry registry, String name, String drill, String mode) {
        for (MetricSnapshot m : registry.scrape()) {
            if (m.getMetadata().getName().equals(name) && m instanceof CounterSnapshot c) {
                return c.getDataPoints().stream().filter(d -> drill.equals(d.getLabels().get("drill"))
                        && mode.equals(d.getLabels().get("mode"))).mapToDouble(CounterSnapshot.CounterDataPointSnapshot::getValue)
                        .sum();
            }
        }
        throw new AssertionError("no " + name);
    }

    private static double gauge(PrometheusRegistry registry, String name) {
        for (MetricSnapshot m : registry.scrape()) {
            if (m.getMetadata().getName().equals(name) && m instanceof GaugeSnapshot g) {
                return g.getDataPoints().get(0).getValue();
            }
        }
        throw new AssertionError("no " + name);
    }

    @Test
    void aDueScheduleSubmitsItsFileAndGetsTheOutcomeOnceItEnded() throws IOException {
        gameDayFiles();
        DrillService service = service(10, 5);
        List<DrillScheduler.Outcome> outcomes = new CopyOnWriteArrayList<>();
        CountDownLatch never = new CountDownLatch(1);
        AtomicInteger waits = new AtomicInteger();
        // The first wait jumps the clock to the due time; later ones block until the scheduler closes.
        DrillScheduler scheduler = new DrillScheduler(List.of(new Schedule("nightly", "0 3 * * *", "UTC", "day.yaml")),
                service::runScheduled, outcomes::add, clock, until -> {
                    if (waits.incrementAndGet() == 1) {
                        clock.set(until);
                    } else {
                        never.await();
                    }
                });
        try {
            scheduler.start();
            await().atMost(BOUND).until(() -> !outcomes.isEmpty());
        } finally {
            scheduler.close();
        }
        DrillScheduler.Outcome outcome = outcomes.get(0);
        assertThat(outcome.error()).isNull();
        assertThat(outcome.dueAt()).isEqualTo(Instant.parse("2026-11-27T03:00:00Z"));
        assertThat(outcome.gameDay().id()).isEqualTo("gameday-day-20261127T030000Z");
        assertThat(outcome.passed()).isTrue();
        assertThat(service.gameDays()).extracting(GameDayRun::id).containsExactly(outcome.gameDay().id());
    }

    /** Passes every drill after reporting one progress line; can hold each run until released. */
    private final class FakeExecutor implements DrillExecutor {
        final List<String> started = new java.util.concurrent.CopyOnWriteArrayList<>();
        final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();
        volatile boolean block;
        volatile RuntimeException failure;
        volatile java.util.function.Predicate<String> failWhen;

        final Map<String, List<DrillProblem>> problems = new ConcurrentHashMap<>();

        @Override
        public List<DrillProblem> problems(DrillDefinition drill) {
            return problems.getOrDefault(drill.name(), List.of());
        }

        @Override
        public DrillReport run(DrillDefinition drill, String runId, Consumer<String> progress) {
            started.add(runId);
            if (failure != null) {
                throw failure;
            }
            if (failWhen != null && failWhen.test(runId)) {
                throw new IllegalStateException("Kafka is not reachable");
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
            fields.put("mode", drill.mode().word());
            fields.put("phases", drill.mode() == DrillMode.DRY_RUN
                    ? Map.of("detectMs", 1000, "decideMs", 100, "actMs", 900)
                    : Map.of("detectMs", 1000, "decideMs", 100, "actMs", 900, "recoverMs", 4000));
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

        void set(Instant to) {
            now.set(to);
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
