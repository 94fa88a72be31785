package io.reflex.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.reflex.model.ActionType;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DrillFileTest {
    private static final String GOOD = """
            name: kill-demo-shop
            mode: live
            steadyState:
              http: {url: "http://127.0.0.1:8081/health", status: 204}
              interval: 500ms
              timeout: 2s
            fault: {type: kill, connector: process, service: demo-shop, signal: KILL}
            expect: {rule: restart service on ServiceDown, action: restart_service, target: "service:demo-shop"}
            slo: 30s
            timeout: 90s
            undo: restart
            """;

    @Test
    void aCompleteFileReadsIntoADefinition() {
        DrillDefinition drill = DrillFile.parse(GOOD, "kill.yaml");
        assertThat(drill.name()).isEqualTo("kill-demo-shop");
        assertThat(drill.mode()).isEqualTo(DrillMode.LIVE);
        assertThat(drill.steadyState().probe()).isEqualTo(new SteadyState.Http("http://127.0.0.1:8081/health", 204));
        assertThat(drill.steadyState().interval()).isEqualTo(Duration.ofMillis(500));
        assertThat(drill.fault()).isEqualTo(new Fault.ProcessSignal("kill", "process", "demo-shop", Fault.Signal.KILL));
        assertThat(drill.fault().resourceKey()).isEqualTo("service:demo-shop");
        assertThat(drill.expect()).isEqualTo(new Expectation("restart service on ServiceDown",
                ActionType.RESTART_SERVICE, "service:demo-shop"));
        assertThat(drill.slo()).isEqualTo(Duration.ofSeconds(30));
        assertThat(drill.timeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(drill.undo()).isEqualTo(Undo.RESTART);
    }

    @Test
    void defaultsFillWhatAShortFileLeavesOut() {
        DrillDefinition drill = DrillFile.parse("""
                name: stop-db
                steadyState: {tcp: "127.0.0.1:5432"}
                fault: {type: stop, service: db}
                expect: {action: start_service}
                slo: 1m
                """, "stop.yaml");
        assertThat(drill.steadyState().probe()).isEqualTo(new SteadyState.Tcp("127.0.0.1", 5432));
        assertThat(drill.steadyState().interval()).isEqualTo(SteadyState.DEFAULT_INTERVAL);
        assertThat(drill.fault()).isEqualTo(new Fault.ProcessSignal("stop", "process", "db", Fault.Signal.TERM));
        assertThat(drill.timeout()).isEqualTo(DrillDefinition.DEFAULT_TIMEOUT);
        assertThat(drill.undo()).isEqualTo(Undo.RESTART);
        assertThat(drill.mode()).isEqualTo(DrillMode.LIVE);
        assertThat(drill.expect().rule()).isNull();
    }

    @Test
    void aCommandProbeIsAnArgvList() {
        DrillDefinition drill = DrillFile.parse(GOOD.replace("http: {url: \"http://127.0.0.1:8081/health\", status: 204}",
                "command: [pg_isready, -q]"), "cmd.yaml");
        assertThat(drill.steadyState().probe()).isEqualTo(new SteadyState.Command(List.of("pg_isready", "-q")));
    }

    @Test
    void everyProblemIsReportedAtOnceWithItsPath() {
        DrillFileException e = catchThrowableOfType(DrillFileException.class, () -> DrillFile.parse("""
                name: "bad name!"
                steadyState:
                  http: {url: "ftp://x", status: 999}
                  interval: soon
                fault: {type: kill, service: demo-shop, signal: HUP, extra: 1}
                expect: {action: reboot, target: "nokey"}
                timeout: 10s
                undo: pray
                color: blue
                """, "bad.yaml"));
        assertThat(e.problems()).extracting(DrillProblem::path).containsExactlyInAnyOrder(
                "color", "name", "steadyState.http.status", "steadyState.interval", "fault.extra", "fault.signal",
                "expect.action", "expect.target", "slo", "undo");
        assertThat(e.getMessage()).startsWith("bad.yaml: 10 problems")
                .contains("fault.signal: 'HUP' is not a signal; use KILL or TERM")
                .contains("slo: is missing");
    }

    @Test
    void theUrlIsCheckedOnceTheStatusIsFine() {
        DrillFileException e = catchThrowableOfType(DrillFileException.class, () -> DrillFile.parse(
                GOOD.replace("http://127.0.0.1:8081/health", "ftp://x"), "bad.yaml"));
        assertThat(e.problems()).containsExactly(new DrillProblem("steadyState.http.url",
                "'ftp://x' is not an http(s) URL, e.g. http://127.0.0.1:8081/health"));
    }

    @Test
    void dryRunIsRefusedAsNotYet() {
        DrillFileException e = catchThrowableOfType(DrillFileException.class, () -> DrillFile.parse(
                GOOD.replace("mode: live", "mode: dry-run"), "dry.yaml"));
        assertThat(e.problems()).containsExactly(new DrillProblem("mode",
                "dry-run drills are not yet supported; use mode: live"));
    }

    @Test
    void laterFaultKindsAreRefusedAsNotYetAndUnknownOnesAsUnknown() {
        assertThat(catchThrowableOfType(DrillFileException.class, () -> DrillFile.parse(
                GOOD.replace("type: kill", "type: alert-storm"), "storm.yaml")).problems())
                .singleElement().satisfies(p -> {
                    assertThat(p.path()).isEqualTo("fault.type");
                    assertThat(p.message()).contains("not yet supported");
                });
        assertThat(catchThrowableOfType(DrillFileException.class, () -> DrillFile.parse(
                GOOD.replace("type: kill", "type: melt"), "melt.yaml")).problems())
                .containsExactly(new DrillProblem("fault.type", "'melt' is not a fault type; use kill or stop"));
    }

    @Test
    void anSloLongerThanTheTimeoutCouldNeverFailAndIsRefused() {
        assertThat(catchThrowableOfType(DrillFileException.class, () -> DrillFile.parse(
                GOOD.replace("slo: 30s", "slo: 5m"), "slo.yaml")).problems())
                .extracting(DrillProblem::path).containsExactly("slo");
    }

    @Test
    void expectNeedsARuleOrAnAction() {
        assertThat(catchThrowableOfType(DrillFileException.class, () -> DrillFile.parse(
                GOOD.replace("expect: {rule: restart service on ServiceDown, action: restart_service, target: \"service:demo-shop\"}",
                        "expect: {}"), "e.yaml")).problems())
                .extracting(DrillProblem::path).containsExactly("expect");
    }

    @Test
    void textThatIsNotYamlOrNotAMappingSaysSo() {
        assertThat(catchThrowableOfType(DrillFileException.class, () -> DrillFile.parse("name: [", "x.yaml"))
                .problems()).singleElement().satisfies(p -> assertThat(p.message()).startsWith("is not YAML at line"));
        assertThat(catchThrowableOfType(DrillFileException.class, () -> DrillFile.parse("- a\n- b", "x.yaml"))
                .problems()).singleElement().satisfies(p -> assertThat(p.message()).contains("mapping"));
    }
}
