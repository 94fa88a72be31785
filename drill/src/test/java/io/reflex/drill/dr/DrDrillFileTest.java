package io.reflex.drill.dr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.reflex.drill.DrillFileException;
import io.reflex.drill.DrillProblem;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DrDrillFileTest {
    private static final Path BASE = Path.of("/drills");

    @Test
    void readsAFullDrDrill() {
        DrDrill drill = DrDrillFile.parse("""
                name: kill-rules
                kind: dr
                traffic: {alerts: 600, over: 20s, alert: DrTest, resource: "service:dr-{i}"}
                kill:
                  role: rules
                  pidFile: run/rules.pid
                  signal: KILL
                  after: 6s
                  restart: [java, -cp, app.jar, io.reflex.app.Main, up, --roles, rules]
                  restartAfter: 2s
                restartBroker: {after: 12s}
                timeout: 2m
                """, "kill-rules.yaml", BASE);

        assertThat(drill.name()).isEqualTo("kill-rules");
        assertThat(drill.traffic()).isEqualTo(new DrDrill.Traffic(600, Duration.ofSeconds(20), "DrTest",
                "service:dr-{i}"));
        assertThat(drill.traffic().resourceKey(7)).isEqualTo("service:dr-7");
        assertThat(drill.kill()).isEqualTo(new DrDrill.Kill(DrDrill.Role.RULES, BASE.resolve("run/rules.pid"),
                DrDrill.Signal.KILL, Duration.ofSeconds(6),
                List.of("java", "-cp", "app.jar", "io.reflex.app.Main", "up", "--roles", "rules"), Duration.ofSeconds(2)));
        assertThat(drill.restartBrokerAfter()).contains(Duration.ofSeconds(12));
        assertThat(drill.timeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(DrDrillRunner.restartLog(drill.kill())).isEqualTo(BASE.resolve("run/rules-restart.log"));
    }

    @Test
    void leavesOutWhatHasADefault() {
        DrDrill drill = DrDrillFile.parse("""
                name: kill-remediator
                kind: dr
                traffic: {alerts: 10, over: 5s}
                kill: {role: remediator, pidFile: /run/remediator.pid, after: 1s}
                """, "x.yaml", BASE);

        assertThat(drill.traffic().alert()).isEqualTo("DrTest");
        assertThat(drill.traffic().execute()).as("rehearsal by default").isFalse();
        assertThat(drill.traffic().resource()).isEqualTo("service:dr-{i}");
        assertThat(drill.kill().signal()).isEqualTo(DrDrill.Signal.KILL);
        assertThat(drill.kill().restart()).isEmpty();
        assertThat(drill.kill().pidFile()).isEqualTo(Path.of("/run/remediator.pid"));
        assertThat(drill.restartBrokerAfter()).isEmpty();
        assertThat(drill.timeout()).isEqualTo(Duration.ofSeconds(5).plus(DrDrill.DEFAULT_CATCH_UP));
    }

    @Test
    void namesEveryProblemWithItsPath() {
        DrillFileException e = catchThrowableOfType(DrillFileException.class, () -> DrDrillFile.parse("""
                name: "bad name"
                kind: live
                traffic: {alerts: 0, over: soon, resource: "service:one", rate: 5}
                kill: {role: ingest, signal: HUP, after: 1s, restart: [], restartAfter: -1s}
                restartBroker: {after: 10m}
                timeout: 1m
                """, "bad.yaml", BASE));

        assertThat(e.problems()).extracting(DrillProblem::path).containsExactlyInAnyOrder(
                "name", "kind", "traffic.rate", "traffic.alerts", "traffic.over", "traffic.resource", "kill.role",
                "kill.pidFile", "kill.signal", "kill.restart", "kill.restartAfter", "restartBroker.after");
        assertThat(e.getMessage()).startsWith("bad.yaml: 12 problems")
                .contains("kill.role: 'ingest' is not a role a DR drill kills; use rules or remediator")
                .contains("traffic.resource: 'service:one' has no {i}");
    }

    @Test
    void aTimeoutNotLongerThanTheTrafficOrBeforeTheKillIsAProblem() {
        DrillFileException e = catchThrowableOfType(DrillFileException.class, () -> DrDrillFile.parse("""
                name: short
                kind: dr
                traffic: {alerts: 10, over: 30s}
                kill: {role: rules, pidFile: r.pid, after: 40s, restart: [true], restartAfter: 1s}
                timeout: 30s
                """, "short.yaml", BASE));

        assertThat(e.problems()).extracting(DrillProblem::path).containsExactly("timeout", "kill.after");
    }

    @Test
    void aDrillThatOnlyRestartsTheBrokerNeedsNoKill() {
        DrDrill drill = DrDrillFile.parse("""
                name: bounce
                kind: dr
                traffic: {alerts: 300, over: 10s}
                restartBroker: {after: 4s}
                """, "bounce.yaml", BASE);

        assertThat(drill.kill()).isNull();
        assertThat(drill.restartBrokerAfter()).contains(Duration.ofSeconds(4));
        assertThat(drill.describe()).isEqualTo("300 DrTest alerts over 10s; broker restart at 4s");
    }

    @Test
    void neitherKillNorRestartBrokerIsAProblem() {
        DrillFileException e = catchThrowableOfType(DrillFileException.class, () -> DrDrillFile.parse("""
                name: idle
                kind: dr
                traffic: {alerts: 300, over: 10s}
                """, "idle.yaml", BASE));

        assertThat(e.problems()).singleElement().satisfies(p -> {
            assertThat(p.path()).isEqualTo("kill");
            assertThat(p.message()).contains("restartBroker").contains("at least one");
        });
    }

    @Test
    void tellsDrDrillFilesFromLiveOnes() {
        assertThat(DrDrillFile.isDr("name: x\nkind: dr\n")).isTrue();
        assertThat(DrDrillFile.isDr("name: x\nfault: {type: kill}\n")).isFalse();
        assertThat(DrDrillFile.isDr("[not: yaml")).isFalse();
    }

    @Test
    void trafficExecuteTakesTheRealPathAndMustBeABoolean() {
        String file = """
                name: kill-rules
                kind: dr
                traffic: {alerts: 10, over: 5s, execute: %s}
                kill: {role: rules, pidFile: /run/rules.pid, after: 1s}
                """;
        assertThat(DrDrillFile.parse(file.formatted("true"), "x.yaml", BASE).traffic().execute()).isTrue();

        DrillFileException bad = org.assertj.core.api.Assertions.catchThrowableOfType(DrillFileException.class,
                () -> DrDrillFile.parse(file.formatted("yes please"), "x.yaml", BASE));
        assertThat(bad.problems()).extracting(io.reflex.drill.DrillProblem::path).containsExactly("traffic.execute");
    }
}
