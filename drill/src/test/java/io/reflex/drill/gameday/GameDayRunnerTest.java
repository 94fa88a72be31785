package io.reflex.drill.gameday;

import static org.assertj.core.api.Assertions.assertThat;

import io.reflex.drill.DrillDefinition;
import io.reflex.drill.DrillReport;
import io.reflex.model.Json;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GameDayRunnerTest {
    private final FakeClock clock = new FakeClock(TestDrills.T0);
    private final List<Duration> pauses = new ArrayList<>();
    private final List<String> ran = new ArrayList<>();

    private static GameDay.Entry entry(String name, int repeat, Duration pause, boolean stop) {
        return new GameDay.Entry(Path.of(name + ".yaml"), TestDrills.drill(name), repeat, pause, stop);
    }

    /** A drill runner that answers from a script, one report (or exception) per run, and takes 2s each. */
    private GameDayRunner runner(Deque<Object> script) {
        return new GameDayRunner(drill -> {
            ran.add(drill.name());
            clock.advance(Duration.ofSeconds(2));
            Object next = script.removeFirst();
            if (next instanceof RuntimeException e) {
                throw e;
            }
            return (DrillReport) next;
        }, clock, pauses::add, GameDayRunner.NO_LISTENER);
    }

    @Test
    void addsUpCoverageMttrAndPassCounts() {
        Deque<Object> script = new ArrayDeque<>(List.of(
                TestDrills.report("a", true, 3000L, true, "recovered"),
                TestDrills.report("a", true, 1000L, true, "recovered"),
                TestDrills.report("a", true, null, false, "not recovered"),
                TestDrills.report("b", false, null, false, "not steady before"),
                TestDrills.report("b", true, 5000L, false, "over the SLO"),
                TestDrills.report("c", true, 2000L, true, "recovered")));
        GameDay gameDay = new GameDay("nightly", List.of(entry("a", 3, Duration.ofSeconds(5), false),
                entry("b", 2, Duration.ZERO, false), entry("c", 1, Duration.ofSeconds(7), false)));

        GameDayReport report = runner(script).run(gameDay);

        assertThat(report.id()).isEqualTo("gameday-nightly-20261126T100000Z");
        assertThat(report.startedAt()).isEqualTo(TestDrills.T0);
        assertThat(report.finishedAt()).isEqualTo(TestDrills.T0.plusSeconds(12));
        assertThat(report.drills()).extracting(DrillReport::drill).containsExactly("a", "a", "a", "b", "b", "c");
        GameDayReport.Totals t = report.totals();
        assertThat(t.drillsRun()).isEqualTo(6);
        assertThat(t.passed()).isEqualTo(3);
        assertThat(t.failed()).isEqualTo(3);
        assertThat(t.faultsInjected()).isEqualTo(5);
        // Healed: injected and recovered, passed or not (b's second run recovered, over its SLO).
        assertThat(t.faultsHealed()).isEqualTo(4);
        assertThat(t.coverage()).isEqualTo(0.8);
        assertThat(t.coveragePercent()).isEqualTo(80.0);
        // Recover times 1000, 2000, 3000, 5000: nearest rank p50 = 2nd, p90 = 4th.
        assertThat(t.mttr()).isEqualTo(new GameDayReport.Mttr(4, 2000L, 5000L, 5000L));
        assertThat(t.byDrill()).containsExactly(Map.entry("a", new GameDayReport.DrillCounts(3, 2)),
                Map.entry("b", new GameDayReport.DrillCounts(2, 0)), Map.entry("c", new GameDayReport.DrillCounts(1, 1)));
        // A pause after each run but the last, none for a zero pause.
        assertThat(pauses).containsExactly(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5));
        assertThat(report.readable()).contains("coverage   80.0% (4 healed / 5 injected)")
                .contains("p50 2.0s  p90 5.0s  max 5.0s  (over 4 healed)").contains("  6 PASS c");
    }

    @Test
    void aDrillThatThrowsFailsWithItsMessageAndTheGameDayGoesOn() {
        Deque<Object> script = new ArrayDeque<>(List.of(new IllegalStateException("kafka unreachable"),
                TestDrills.report("b", true, 1500L, true, "recovered")));
        GameDayReport report = runner(script).run(new GameDay("g", List.of(entry("a", 1, Duration.ZERO, false),
                entry("b", 1, Duration.ZERO, false))));

        DrillReport failed = report.drills().get(0);
        assertThat(failed.drill()).isEqualTo("a");
        assertThat(failed.passed()).isFalse();
        assertThat(failed.reason()).contains("kafka unreachable");
        assertThat(failed.injectedAt()).isNull();
        assertThat(ran).containsExactly("a", "b");
        assertThat(report.totals().faultsInjected()).isEqualTo(1);
        assertThat(report.totals().coverage()).isEqualTo(1.0);
    }

    @Test
    void aFailedRunOfAStopOnFailureEntryEndsTheGameDay() {
        Deque<Object> script = new ArrayDeque<>(List.of(TestDrills.report("a", true, 1000L, true, "ok"),
                TestDrills.report("a", true, null, false, "not recovered")));
        GameDayReport report = runner(script).run(new GameDay("g", List.of(entry("a", 3, Duration.ZERO, true),
                entry("b", 1, Duration.ZERO, false))));

        assertThat(ran).containsExactly("a", "a");
        assertThat(report.planned()).isEqualTo(4);
        assertThat(report.totals().drillsRun()).isEqualTo(2);
        assertThat(report.stopped()).contains("drill 2/4 (a) failed").contains("2 runs not made");
    }

    @Test
    void aFailureWithoutStopOnFailureGoesOn() {
        Deque<Object> script = new ArrayDeque<>(List.of(TestDrills.report("a", true, null, false, "no"),
                TestDrills.report("b", true, 1000L, true, "ok")));
        GameDayReport report = runner(script).run(new GameDay("g", List.of(entry("a", 1, Duration.ZERO, false),
                entry("b", 1, Duration.ZERO, true))));
        assertThat(ran).containsExactly("a", "b");
        assertThat(report.stopped()).isNull();
    }

    @Test
    void noFaultInjectedMeansNoCoverageFigure() {
        GameDayReport report = GameDayReport.of("g", TestDrills.T0, TestDrills.T0, 1, null,
                List.of(TestDrills.report("a", false, null, false, "not steady")));
        assertThat(report.totals().coverage()).isNull();
        assertThat(report.totals().mttr()).isEqualTo(new GameDayReport.Mttr(0, null, null, null));
        assertThat(report.readable()).contains("no fault was injected").contains("nothing healed");
    }

    @Test
    void runsUnderAGivenIdAndADryRunThatThrowsFailsInItsMode() {
        DrillDefinition dry = io.reflex.drill.DrillFile.parse("""
                name: rehearse
                mode: dry-run
                fault: {type: kill, service: demo-shop}
                alert: {name: ServiceDown, labels: {service: demo-shop}}
                expect: {rule: restart service on ServiceDown, action: restart_service, target: service:demo-shop}
                slo: 30s
                """, "rehearse.yaml");
        Deque<Object> script = new ArrayDeque<>(List.of(new IllegalStateException("kafka unreachable")));
        GameDayReport report = runner(script).run(new GameDay("g", List.of(new GameDay.Entry(Path.of("rehearse.yaml"),
                dry, 1, Duration.ZERO, false))), "gameday-g-given");
        assertThat(report.id()).isEqualTo("gameday-g-given");
        assertThat(report.drills()).singleElement().satisfies(r -> {
            assertThat(r.passed()).isFalse();
            assertThat(r.mode()).isEqualTo("dry-run");
        });
    }

    @Test
    void aDryRunCountsNeitherAsInjectedNorAsHealed() {
        DrillReport live = TestDrills.report("a", true, 1000L, true, "ok");
        DrillReport rehearsal = new DrillReport("b", "drill-b-20261126T100000Z", "kill service:demo-shop",
                "service:demo-shop", TestDrills.T0, new DrillReport.PhaseMillis(400L, 300L, 200L, null), null,
                "restart_service service:demo-shop", List.of(), List.of(), "inc-2", true, "would restart", false, null,
                TestDrills.T0.plusSeconds(5), "dry-run", false, null, List.of(), null);
        GameDayReport report = GameDayReport.of("g", TestDrills.T0, TestDrills.T0, 2, null, List.of(live, rehearsal));
        assertThat(report.totals().faultsInjected()).isEqualTo(1);
        assertThat(report.totals().faultsHealed()).isEqualTo(1);
        assertThat(report.totals().coverage()).isEqualTo(1.0);
        assertThat(report.totals().passed()).isEqualTo(2);
    }

    @Test
    void theReportRoundTripsThroughJson() throws Exception {
        GameDayReport report = GameDayReport.of("g", TestDrills.T0, TestDrills.T0.plusSeconds(30), 2, null,
                List.of(TestDrills.report("a", true, 1234L, true, "ok"), TestDrills.report("b", true, null, false, "no")));
        String json = Json.MAPPER.writeValueAsString(report);
        assertThat(json).contains("\"coverage\":0.5").contains("\"coveragePercent\":50.0").contains("\"p50Ms\":1234");
        assertThat(Json.MAPPER.readValue(json, GameDayReport.class)).isEqualTo(report);
    }

    @Test
    void tellsTheListenerAboutEachRun() {
        List<String> events = new ArrayList<>();
        GameDayRunner runner = new GameDayRunner(d -> TestDrills.report(d.name(), true, 100L, true, "ok"), clock,
                d -> { }, new GameDayRunner.Listener() {
                    @Override
                    public void drillStarted(DrillDefinition drill) {
                        events.add("start " + drill.name());
                    }

                    @Override
                    public void drillFinished(DrillDefinition drill, DrillReport report) {
                        events.add("end " + drill.name() + " " + report.passed());
                    }
                });
        runner.run(new GameDay("g", List.of(entry("a", 2, Duration.ZERO, false))));
        assertThat(events).containsExactly("start a", "end a true", "start a", "end a true");
    }

    /** A clock the test moves. */
    static final class FakeClock extends Clock {
        private volatile Instant now;

        FakeClock(Instant now) {
            this.now = now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        void set(Instant instant) {
            now = instant;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
