package io.reflex.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reflex.app.config.CliOverrides;
import io.reflex.app.config.ConfigLoader;
import io.reflex.app.config.ReflexConfig;
import io.reflex.app.demo.Demo;
import io.reflex.app.demo.DemoDrill;
import io.reflex.drill.DrillReport;
import io.reflex.drill.gameday.GameDayReport;
import io.reflex.model.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7, Must show 5: a GameDay of 20 drills on this machine, with its report. A real Reflex as
 * {@code ./reflex up} runs it with the demo (embedded broker, every role, demo-shop as a real
 * process watched by a probe, the demo rules) and the demo's own GameDay file, run through the
 * command line as a person would: demo-shop is really killed 16 times and healed by the demo rule
 * each time, and ServiceDown is rehearsed 4 times in dry run.
 */
class GameDayIT {
    private static final Duration BOUND = Duration.ofSeconds(60);

    @TempDir
    Path dataDir;

    private Reflex reflex;
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() {
        if (reflex != null) {
            reflex.close();
        }
    }

    @Test
    void theDemoGameDayRunsTwentyDrillsAndItsReportHasCoverageMttrAndAPage(@TempDir Path out) throws Exception {
        ReflexConfig config = new ConfigLoader(new Demo())
                .load(new CliOverrides(null, 0, dataDir, null, null, false), Map.of());
        String healthUrl = config.ingest().probes().stream().filter(p -> p.name().equals(Demo.SERVICE)).findFirst()
                .orElseThrow().url();
        reflex = new Reflex(config, Clock.systemUTC()).start();
        Path gameDayFile = config.drillDir().resolve(DemoDrill.GAMEDAY_FILE);
        await("Reflex healthy, the demo's drill files written").atMost(BOUND).until(() ->
                status("http://127.0.0.1:" + reflex.httpPort() + "/health") == 200 && Files.exists(gameDayFile)
                        && Files.exists(config.drillDir().resolve(DemoDrill.DRY_RUN_FILE)));
        Path pidFile = dataDir.resolve("run").resolve(Demo.SERVICE + ".pid");
        await("demo-shop healthy").atMost(BOUND).until(() -> Files.exists(pidFile) && status(healthUrl) == 200);
        long firstPid = pid(pidFile);

        Path html = out.resolve("gameday.html");
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"drill", "gameday", gameDayFile.toString(),
                "--url", "http://127.0.0.1:" + reflex.httpPort(), "--data-dir", dataDir.toString(),
                "--json", "--html", html.toString()},
                new PrintStream(stdout, true, StandardCharsets.UTF_8), new PrintStream(stderr, true, StandardCharsets.UTF_8));
        String printed = stdout.toString(StandardCharsets.UTF_8);
        String progress = stderr.toString(StandardCharsets.UTF_8);
        GameDayReport report = Json.MAPPER.readValue(printed, GameDayReport.class);
        // The readable report, for the README (MTTR p50/p90/max of the demo drill).
        System.out.println(report.readable());
        assertThat(code).as(report.readable() + progress).isEqualTo(Main.OK);

        int runs = DemoDrill.GAMEDAY_KILLS + DemoDrill.GAMEDAY_DRY_RUNS;
        assertThat(runs).isEqualTo(20);
        assertThat(report.id()).startsWith("gameday-demo-");
        assertThat(report.planned()).isEqualTo(runs);
        assertThat(report.stopped()).isNull();
        assertThat(report.drills()).hasSize(runs);

        List<DrillReport> live = report.drills().stream().filter(r -> r.mode().equals("live")).toList();
        List<DrillReport> dry = report.drills().stream().filter(r -> r.mode().equals("dry-run")).toList();
        assertThat(live).hasSize(DemoDrill.GAMEDAY_KILLS).allSatisfy(r -> {
            assertThat(r.drill()).isEqualTo("kill-demo-shop");
            assertThat(r.passed()).as(r.readable()).isTrue();
            assertThat(r.injectedAt()).isNotNull();
            assertThat(r.phases().complete()).as(r.readable()).isTrue();
            assertThat(r.phases().recoverMs()).isLessThanOrEqualTo(r.sloMs());
            assertThat(r.actualRules()).contains(DemoDrill.RULE);
            assertThat(r.undone()).isFalse();
        });
        assertThat(live.stream().map(DrillReport::id).distinct()).as("each run has its own drill id").hasSize(live.size());
        assertThat(dry).hasSize(DemoDrill.GAMEDAY_DRY_RUNS).allSatisfy(r -> {
            assertThat(r.drill()).isEqualTo("dry-run-demo-shop");
            assertThat(r.passed()).as(r.readable()).isTrue();
            assertThat(r.actualRules()).contains(DemoDrill.RULE);
            assertThat(r.reason()).startsWith("rehearsed: ");
        });
        // The GameDay file lists the kills first: they ran first, in order.
        assertThat(report.drills().subList(0, DemoDrill.GAMEDAY_KILLS)).containsExactlyElementsOf(live);

        GameDayReport.Totals totals = report.totals();
        assertThat(totals.drillsRun()).isEqualTo(runs);
        assertThat(totals.passed()).isEqualTo(runs);
        assertThat(totals.failed()).isZero();
        // Coverage: every live fault injected was healed. The dry runs inject nothing real: not counted.
        assertThat(totals.faultsInjected()).isEqualTo(DemoDrill.GAMEDAY_KILLS);
        assertThat(totals.faultsHealed()).isEqualTo(DemoDrill.GAMEDAY_KILLS);
        assertThat(totals.coveragePercent()).isEqualTo(100.0);
        assertThat(live.stream().filter(GameDayReport::healed)).hasSize(DemoDrill.GAMEDAY_KILLS);
        assertThat(totals.mttr().samples()).isEqualTo(DemoDrill.GAMEDAY_KILLS);
        long maxRecover = live.stream().mapToLong(r -> r.phases().recoverMs()).max().orElseThrow();
        assertThat(totals.mttr().maxMs()).isEqualTo(maxRecover);
        assertThat(totals.mttr().p50Ms()).isPositive().isLessThanOrEqualTo(totals.mttr().p90Ms());
        assertThat(totals.mttr().p90Ms()).isLessThanOrEqualTo(totals.mttr().maxMs());
        assertThat(totals.byDrill()).containsEntry("kill-demo-shop",
                        new GameDayReport.DrillCounts(DemoDrill.GAMEDAY_KILLS, DemoDrill.GAMEDAY_KILLS))
                .containsEntry("dry-run-demo-shop",
                        new GameDayReport.DrillCounts(DemoDrill.GAMEDAY_DRY_RUNS, DemoDrill.GAMEDAY_DRY_RUNS));

        assertThat(progress).contains("drill 1/20 kill-demo-shop PASS ").contains("drill 16/20 kill-demo-shop PASS ")
                .contains("drill 17/20 dry-run-demo-shop PASS ").contains("drill 20/20 dry-run-demo-shop PASS ");
        assertThat(html).exists();
        String page = Files.readString(html);
        assertThat(page).startsWith("<!DOCTYPE html>").contains(report.id()).contains("kill-demo-shop")
                .contains("dry-run-demo-shop");
        for (DrillReport r : report.drills()) {
            assertThat(page).contains(r.id());
        }

        // demo-shop was really killed each time, and is up again at the end.
        long lastPid = pid(pidFile);
        assertThat(lastPid).isNotEqualTo(firstPid);
        assertThat(ProcessHandle.of(lastPid)).hasValueSatisfying(p -> assertThat(p.isAlive()).isTrue());
        assertThat(status(healthUrl)).isEqualTo(200);
    }

    private int status(String url) throws Exception {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        }
    }

    private static long pid(Path pidFile) throws IOException {
        return Long.parseLong(Files.readString(pidFile).trim());
    }
}
