package io.reflex.drill.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reflex.drill.DrillFileException;
import io.reflex.drill.dr.DrDrill;
import io.reflex.drill.dr.DrDrillReport;
import io.reflex.drill.dr.DrDrillRunner;
import io.reflex.drill.gameday.ReportHtml;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DrDrillServiceTest {
    private static final Duration BOUND = Duration.ofSeconds(10);
    private static final String BROKER_ONLY = """
            name: broker-bounce
            kind: dr
            traffic: {alerts: 300, over: 10s}
            restartBroker: {after: 4s}
            timeout: 1m
            """;

    @TempDir
    Path dir;

    private final Clock clock = Clock.fixed(Instant.parse("2026-11-26T10:00:00Z"), ZoneOffset.UTC);
    private final List<DrillService> services = new ArrayList<>();
    private final List<DrDrill> ran = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        services.forEach(DrillService::close);
    }

    /** Counts what it is given into a report, as the runner would, and says two progress lines. */
    private final DrExecutor fake = new DrExecutor() {
        @Override
        public DrDrillReport run(DrDrill drill, String runId, Consumer<String> progress) {
            ran.add(drill);
            progress.accept("restarting the Kafka broker at +4000 ms");
            progress.accept("the Kafka broker is back at +6000 ms");
            Instant start = clock.instant();
            return new DrDrillReport(drill.name(), runId, null, drill.traffic().alerts(), drill.traffic().alerts(), 0,
                    List.of(), 0, drill.traffic().alerts(), 0, 0, 0, List.of(), null, start, null, null, null, null,
                    start.plusSeconds(6), start.plusSeconds(12), start.plusSeconds(15), true, "every one decided once");
        }
    };

    private DrillService service(DrExecutor dr) {
        DrillService service = new DrillService(dir, 10, 5, (drill, id, progress) -> {
            throw new AssertionError("no live drill runs here");
        }, dr, null, d -> { }, clock).start();
        services.add(service);
        return service;
    }

    @Test
    void aDrFileIsListedRunOnTheWorkerStoredAndReloaded() throws Exception {
        Files.writeString(dir.resolve("bounce.yaml"), BROKER_ONLY);
        DrillService service = service(fake);

        assertThat(service.files()).singleElement().satisfies(f -> {
            assertThat(f.kind()).isEqualTo(DrillFileInfo.DR);
            assertThat(f.name()).isEqualTo("broker-bounce");
            assertThat(f.fault()).isEqualTo("300 DrTest alerts over 10s; broker restart at 4s");
            assertThat(f.problems()).isEmpty();
        });
        DrillService.Submitted submitted = service.submitFile("bounce.yaml");
        assertThat(submitted.kind()).isEqualTo(DrillFileInfo.DR);
        assertThat(submitted.id()).isEqualTo("drill-broker-bounce-20261126T100000Z");
        assertThat(service.awaitEnd(submitted.id(), BOUND)).isTrue();

        DrillRun run = service.run(submitted.id()).orElseThrow();
        assertThat(ran).singleElement().satisfies(d -> assertThat(d.kill()).isNull());
        assertThat(run.kind()).isEqualTo(DrillRun.DR);
        assertThat(run.status()).isEqualTo(DrillRun.State.PASSED);
        assertThat(run.report()).isNull();
        assertThat(run.drReport().alertsAcked()).isEqualTo(300);
        assertThat(run.progress()).anyMatch(l -> l.endsWith("the Kafka broker is back at +6000 ms"))
                .last().asString().endsWith("PASSED: every one decided once");
        assertThat(run.summary().kind()).isEqualTo(DrillRun.DR);
        assertThat(run.summary().reason()).isEqualTo("every one decided once");
        assertThat(service.reportFile(run.id())).exists();

        services.remove(service);
        service.close();
        DrillRun reloaded = service(fake).run(run.id()).orElseThrow();
        assertThat(reloaded.kind()).isEqualTo(DrillRun.DR);
        assertThat(reloaded.drReport()).isEqualTo(run.drReport());
        assertThat(reloaded.file()).isEqualTo("bounce.yaml");
        assertThat(reloaded.startedAt()).isEqualTo(run.startedAt());
        assertThat(reloaded.progress()).isEqualTo(run.progress());
    }

    @Test
    void aBrokerRestartIsRefusedAtSubmitWhenTheBrokerIsNotInThisProcess() throws Exception {
        Files.writeString(dir.resolve("bounce.yaml"), BROKER_ONLY);
        DrillService service = service(DrExecutor.of(new DrDrillRunner(Map.of(), null, clock)));

        assertThatThrownBy(() -> service.submitFile("bounce.yaml")).isInstanceOfSatisfying(DrillFileException.class,
                e -> assertThat(e.problems()).singleElement().satisfies(p -> {
                    assertThat(p.path()).isEqualTo("restartBroker");
                    assertThat(p.message()).contains("not embedded in this process");
                }));
        assertThat(service.runs()).isEmpty();
        assertThat(service.files()).singleElement().satisfies(f -> assertThat(f.problems())
                .singleElement().asString().startsWith("restartBroker"));
    }

    @Test
    void withoutADrExecutorDrDrillsAreRefused() throws Exception {
        Files.writeString(dir.resolve("bounce.yaml"), BROKER_ONLY);
        DrillService service = service(null);

        assertThatThrownBy(() -> service.submitFile("bounce.yaml")).isInstanceOf(DrillFileException.class)
                .hasMessageContaining("runs no DR drills");
    }

    @Test
    void theDrReportPageEscapesEveryValue() {
        Instant start = Instant.parse("2026-11-26T10:00:00Z");
        DrDrillReport report = new DrDrillReport("<b>x</b>", "drill-x-1", "rules", 10, 9, 1, List.of("a<1>"), 0, 9,
                2, 0, 0, List.of("action <dup> written twice"), 3, start, start.plusSeconds(2), "rules (pid 1, KILL)",
                null, null, start.plusSeconds(5), null, start.plusSeconds(60), false, "1 alert <lost>");

        String page = ReportHtml.dr(report);

        assertThat(page).contains("&lt;b&gt;x&lt;/b&gt;", "a&lt;1&gt;", "action &lt;dup&gt; written twice",
                "1 alert &lt;lost&gt;", "10 / 9", "+2.0s", "+5.0s", "FAIL")
                .doesNotContain("<b>x</b>", "<dup>", "<lost>");
    }
}
