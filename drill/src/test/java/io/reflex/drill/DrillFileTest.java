package io.reflex.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.reflex.model.ActionType;
import io.reflex.model.Target;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
    void unknownFaultKindsAndModesAreRefusedNamingTheKnownOnes() {
        assertThat(catchThrowableOfType(DrillFileException.class, () -> DrillFile.parse(
                GOOD.replace("type: kill", "type: melt"), "melt.yaml")).problems())
                .containsExactly(new DrillProblem("fault.type", "'melt' is not a fault type; use one of [kill, stop,"
                        + " ssh-stop, scale-to-zero, cordon, alert-storm]"));
        assertThat(catchThrowableOfType(DrillFileException.class, () -> DrillFile.parse(
                GOOD.replace("mode: live", "mode: rehearse"), "m.yaml")).problems())
                .containsExactly(new DrillProblem("mode", "'rehearse' is not a mode; use live or dry-run"));
    }

    private static String withFault(String fault) {
        return GOOD.replace("fault: {type: kill, connector: process, service: demo-shop, signal: KILL}", "fault: " + fault);
    }

    @Test
    void anSshStopIsAStopServiceOfTheConnectorsService() {
        DrillDefinition drill = DrillFile.parse(withFault("{type: ssh-stop, connector: ssh, host: web-1, service: nginx}"),
                "ssh.yaml");
        assertThat(drill.fault()).isEqualTo(new Fault.SshStop("ssh", "web-1", "nginx", null));
        Fault.SshStop ssh = (Fault.SshStop) drill.fault();
        assertThat(ssh.resourceKey()).isEqualTo("service:nginx");
        assertThat(ssh.action()).isEqualTo(ActionType.STOP_SERVICE);
        assertThat(ssh.undoAction()).isEqualTo(ActionType.START_SERVICE);
        assertThat(ssh.target()).isEqualTo(new Target("ssh", "service", "nginx"));
    }

    @Test
    void aScaleToZeroStopsTheKubernetesDeploymentTarget() {
        DrillDefinition drill = DrillFile.parse(withFault("{type: scale-to-zero, connector: k8s, namespace: shop,"
                + " deployment: cart, resource: \"service:cart\"}"), "scale.yaml");
        Fault.ScaleToZero scale = (Fault.ScaleToZero) drill.fault();
        assertThat(scale.target()).isEqualTo(new Target("k8s", "deployment", "shop/cart"));
        assertThat(scale.resourceKey()).isEqualTo("service:cart");
        assertThat(scale.action()).isEqualTo(ActionType.STOP_SERVICE);
        assertThat(scale.undoAction()).isEqualTo(ActionType.START_SERVICE);
    }

    @Test
    void aCordonIsUndoneWithAnUncordon() {
        Fault.Cordon cordon = (Fault.Cordon) DrillFile.parse(withFault("{type: cordon, connector: k8s, node: worker-1}"),
                "cordon.yaml").fault();
        assertThat(cordon.target()).isEqualTo(new Target("k8s", "node", "worker-1"));
        assertThat(cordon.resourceKey()).isEqualTo("node:worker-1");
        assertThat(cordon.action()).isEqualTo(ActionType.CORDON_NODE);
        assertThat(cordon.undoAction()).isEqualTo(ActionType.UNCORDON_NODE);
    }

    @Test
    void connectorFaultsNameEveryMissingFieldAndABadResource() {
        assertThat(catchThrowableOfType(DrillFileException.class, () -> DrillFile.parse(withFault(
                "{type: ssh-stop, resource: nokey}"), "x.yaml")).problems()).extracting(DrillProblem::path)
                .containsExactlyInAnyOrder("fault.connector", "fault.host", "fault.service", "fault.resource");
        assertThat(catchThrowableOfType(DrillFileException.class, () -> DrillFile.parse(withFault(
                "{type: scale-to-zero, connector: k8s, node: x}"), "x.yaml")).problems()).extracting(DrillProblem::path)
                .containsExactlyInAnyOrder("fault.node", "fault.namespace", "fault.deployment");
        assertThat(catchThrowableOfType(DrillFileException.class, () -> DrillFile.parse(withFault(
                "{type: cordon, connector: k8s}"), "x.yaml")).problems())
                .containsExactly(new DrillProblem("fault.node", "is missing"));
    }

    private static final String STORM = """
            name: storm
            mode: dry-run
            fault:
              type: alert-storm
              alerts: 200
              over: 1m
              alert: HostDown
              resource: "host:storm-{i}"
              labels: {zone: "zone-{i%10}", team: infra}
              severity: warning
            expect: {rule: isolate host on HostDown, action: isolate_host, guardrail: blastRadius}
            slo: 30s
            """;

    @Test
    void anAlertStormIsADryRunWithoutSteadyStateWhoseTemplatesRenderPerAlert() {
        DrillDefinition drill = DrillFile.parse(STORM, "storm.yaml");
        assertThat(drill.mode()).isEqualTo(DrillMode.DRY_RUN);
        assertThat(drill.steadyState()).isNull();
        Fault.AlertStorm storm = (Fault.AlertStorm) drill.fault();
        assertThat(storm.alerts()).isEqualTo(200);
        assertThat(storm.over()).isEqualTo(Duration.ofMinutes(1));
        assertThat(storm.alertName()).isEqualTo("HostDown");
        assertThat(storm.severity()).isEqualTo("warning");
        assertThat(storm.resourceKey(17)).isEqualTo("host:storm-17");
        assertThat(storm.labels(17)).containsExactly(Map.entry("team", "infra"), Map.entry("zone", "zone-7"));
        assertThat(drill.expect().guardrail()).isEqualTo("blastRadius");
    }

    @Test
    void anAlertStormInLiveModeIsRefusedAsSynthetic() {
        assertThat(catchThrowableOfType(DrillFileException.class, () -> DrillFile.parse(
                STORM.replace("mode: dry-run", "mode: live").replace(", guardrail: blastRadius", ""), "s.yaml")).problems())
                .contains(new DrillProblem("mode", "an alert-storm fault is synthetic and runs only in dry-run mode;"
                        + " write mode: dry-run"));
    }

    @Test
    void aBadStormNamesEachBadField() {
        DrillFileException e = catchThrowableOfType(DrillFileException.class, () -> DrillFile.parse("""
                name: storm
                mode: dry-run
                fault: {type: alert-storm, alerts: 0, over: soon, resource: "host:one", labels: {zone: "z-{j}"}}
                alert: {name: X}
                expect: {rule: r}
                slo: 30s
                """, "s.yaml"));
        assertThat(e.problems()).extracting(DrillProblem::path).containsExactlyInAnyOrder("fault.alerts", "fault.over",
                "fault.alert", "fault.labels.zone", "alert");
        DrillFileException oneResource = catchThrowableOfType(DrillFileException.class, () -> DrillFile.parse(
                STORM.replace("host:storm-{i}", "host:one"), "s.yaml"));
        assertThat(oneResource.problems()).singleElement().satisfies(p -> {
            assertThat(p.path()).isEqualTo("fault.resource");
            assertThat(p.message()).contains("put {i} in it");
        });
    }

    @Test
    void aDryRunNeedsTheAlertItSendsAndALiveDrillRefusesOne() {
        DrillDefinition dry = DrillFile.parse(GOOD.replace("mode: live", "mode: dry-run")
                + "alert: {name: ServiceDown, labels: {service: demo-shop}}\n", "dry.yaml");
        assertThat(dry.alert()).isEqualTo(new SyntheticAlert("ServiceDown", Map.of("service", "demo-shop"), "critical"));
        assertThat(catchThrowableOfType(DrillFileException.class, () -> DrillFile.parse(
                GOOD.replace("mode: live", "mode: dry-run"), "dry.yaml")).problems())
                .singleElement().satisfies(p -> {
                    assertThat(p.path()).isEqualTo("alert");
                    assertThat(p.message()).startsWith("is missing: a dry run sends the alert");
                });
        assertThat(catchThrowableOfType(DrillFileException.class, () -> DrillFile.parse(
                GOOD + "alert: {name: ServiceDown}\n", "live.yaml")).problems())
                .extracting(DrillProblem::path).containsExactly("alert");
        assertThat(catchThrowableOfType(DrillFileException.class, () -> DrillFile.parse(
                GOOD.replace("target: \"service:demo-shop\"", "guardrail: blastRadius"), "live.yaml")).problems())
                .extracting(DrillProblem::path).containsExactly("expect.guardrail");
    }

    @Test
    void aLiveDrillNeedsASteadyState() {
        assertThat(catchThrowableOfType(DrillFileException.class, () -> DrillFile.parse("""
                name: x
                fault: {type: kill, service: s}
                expect: {rule: r}
                slo: 30s
                """, "x.yaml")).problems()).containsExactly(new DrillProblem("steadyState", "is missing"));
    }

    @Test
    void abortTakesAGuardrailFlagAndAProbe() {
        DrillDefinition drill = DrillFile.parse(GOOD + """
                abort:
                  onGuardrail: true
                  probe: {tcp: "127.0.0.1:5432", interval: 2s}
                """, "abort.yaml");
        assertThat(drill.abort().onGuardrail()).isTrue();
        assertThat(drill.abort().probe().probe()).isEqualTo(new SteadyState.Tcp("127.0.0.1", 5432));
        assertThat(drill.abort().probe().interval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(DrillFile.parse(GOOD, "g.yaml").abort()).isEqualTo(Abort.NONE);
        assertThat(catchThrowableOfType(DrillFileException.class, () -> DrillFile.parse(GOOD
                + "abort: {onGuardrail: maybe, probe: {tcp: nope}, when: now}\n", "a.yaml")).problems())
                .extracting(DrillProblem::path).containsExactlyInAnyOrder("abort.onGuardrail", "abort.when");
        assertThat(catchThrowableOfType(DrillFileException.class, () -> DrillFile.parse(GOOD
                + "abort: {probe: {tcp: nope}}\n", "a.yaml")).problems())
                .extracting(DrillProblem::path).containsExactly("abort.probe.tcp");
        assertThat(catchThrowableOfType(DrillFileException.class, () -> DrillFile.parse(GOOD
                + "abort: {onGuardrail: false}\n", "a.yaml")).problems())
                .extracting(DrillProblem::path).containsExactly("abort");
    }

    @Test
    void aPrometheusProbeHasAQueryAndMayNameItsUrl() {
        String prom = "prometheus: {query: 'up{job=\"shop\"}', url: \"http://127.0.0.1:9090\"}";
        DrillDefinition drill = DrillFile.parse(GOOD.replace(
                "http: {url: \"http://127.0.0.1:8081/health\", status: 204}", prom), "p.yaml");
        assertThat(drill.steadyState().probe()).isEqualTo(new SteadyState.Prometheus("up{job=\"shop\"}",
                URI.create("http://127.0.0.1:9090")));
        DrillDefinition noUrl = DrillFile.parse(GOOD.replace(
                "http: {url: \"http://127.0.0.1:8081/health\", status: 204}", "prometheus: {query: up}"), "p.yaml");
        assertThat(noUrl.steadyState().probe()).isEqualTo(new SteadyState.Prometheus("up", null));
        assertThat(catchThrowableOfType(DrillFileException.class, () -> DrillFile.parse(GOOD.replace(
                "http: {url: \"http://127.0.0.1:8081/health\", status: 204}", "prometheus: {url: \"ftp://x\"}"),
                "p.yaml")).problems()).extracting(DrillProblem::path)
                .containsExactlyInAnyOrder("steadyState.prometheus.query", "steadyState.prometheus.url");
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
