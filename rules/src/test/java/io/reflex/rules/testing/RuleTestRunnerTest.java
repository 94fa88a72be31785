package io.reflex.rules.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.reflex.model.AlertStatus;
import io.reflex.rules.RuleCompiler;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.kie.api.KieBase;

/** The runner on small packages: what passes, and the diff lines of what does not. */
class RuleTestRunnerTest {
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final String DRL = """
            package io.reflex.rules.testing.example;

            import io.reflex.model.AlertEvent;
            import io.reflex.model.ActionType;
            import io.reflex.model.AlertStatus;
            import io.reflex.rules.vocabulary.ActionOutcome;

            global io.reflex.rules.Remediate remediate;

            rule "restart"
            when
                $a : AlertEvent(name == "ServiceDown", firing, label("service") != null)
            then
                remediate.restartService($a, $a.label("service"));
            end

            rule "escalate when not resolved within 5m"
            when
                $a : AlertEvent(name == "ServiceDown", firing)
                not AlertEvent(name == "ServiceDown", status == AlertStatus.RESOLVED,
                               fingerprint == $a.fingerprint, this after[0s, 5m] $a)
            then
                remediate.escalate($a, "still down after 5m");
            end

            rule "notify on disk"
            when
                $a : AlertEvent(name == "DiskFull", firing)
            then
                remediate.notify($a, "ops", "disk full on " + $a.resource().key());
            end

            rule "escalate when a restart did not help within 1m"
            when
                $done : ActionOutcome(type == ActionType.RESTART_SERVICE, succeeded)
                $a : AlertEvent(name == "ServiceDown", firing, resource == $done.resource)
                not AlertEvent(name == "ServiceDown", status == AlertStatus.RESOLVED, resource == $done.resource,
                               this after[0s, 1m] $done)
            then
                remediate.notify($a, "ops", $done.detail() + " but still down: " + $done.alertName());
            end

            rule "broken"
            when
                $a : AlertEvent(name == "Boom")
            then
                throw new IllegalStateException("boom");
            end
            """;
    private static KieBase rules;

    @BeforeAll
    static void compile() {
        rules = RuleCompiler.compile("the runner test package", DRL);
    }

    private static List<RuleTestResult> run(String yaml) throws Exception {
        return RuleTestRunner.run(RuleTestFile.parse("t.tests.yaml", YAML.readTree(yaml)), rules);
    }

    @Test
    void matchingActionsPass() throws Exception {
        List<RuleTestResult> results = run("""
                tests:
                  - name: disk
                    alerts: [{at: 30s, name: DiskFull, labels: {host: web-1}}]
                    expect:
                      - {at: 30s, type: notify, target: channel:ops, params: {message: disk full on host:web-1},
                         rule: notify on disk}
                """);

        assertThat(results).containsExactly(new RuleTestResult("disk", List.of()));
        assertThat(results.get(0).passed()).isTrue();
    }

    @Test
    void aMissingAndAnUnexpectedActionAreReportedNotThrown() throws Exception {
        List<RuleTestResult> results = run("""
                tests:
                  - name: wrong
                    alerts: [{at: 5m, name: DiskFull, labels: {host: web-1}}]
                    expect:
                      - {at: 0s, type: restart_service, target: service:shop}
                """);

        assertThat(results).hasSize(1);
        assertThat(results.get(0).passed()).isFalse();
        assertThat(results.get(0).problems()).containsExactly(
                "expected restart_service service:shop at 0s, got nothing",
                "unexpected notify channel:ops {message=disk full on host:web-1} at 5m (rule 'notify on disk')");
    }

    @Test
    void atMatchesWithinOneSecondAndParamsAndRuleMustEqual() throws Exception {
        List<RuleTestResult> results = run("""
                tests:
                  - name: one second late is on time
                    alerts: [{at: 10s, name: DiskFull, labels: {host: h}}]
                    expect: [{at: 9s, type: notify, target: channel:ops}]
                  - name: two seconds late is not
                    alerts: [{at: 10s, name: DiskFull, labels: {host: h}}]
                    expect: [{at: 8s, type: notify, target: channel:ops}]
                  - name: other params
                    alerts: [{at: 0s, name: DiskFull, labels: {host: h}}]
                    expect: [{type: notify, target: channel:ops, params: {message: hello}}]
                  - name: other rule
                    alerts: [{at: 0s, name: DiskFull, labels: {host: h}}]
                    expect: [{type: notify, target: channel:ops, rule: restart}]
                """);

        assertThat(results).extracting(RuleTestResult::passed).containsExactly(true, false, false, false);
        assertThat(results.get(1).problems()).first().isEqualTo("expected notify channel:ops at 8s, got nothing");
        assertThat(results.get(2).problems()).first()
                .isEqualTo("expected notify channel:ops {message=hello}, got nothing");
    }

    @Test
    void theClockTicksToUntilSoTimersFire() throws Exception {
        List<RuleTestResult> results = run("""
                tests:
                  - name: still down after 5m escalates
                    alerts: [{at: 0s, name: ServiceDown, labels: {service: shop}}]
                    until: 6m
                    expect:
                      - {at: 0s, type: restart_service, target: service:shop}
                      - {at: 5m, type: escalate, target: service:shop, params: {reason: still down after 5m}}
                  - name: not before
                    alerts: [{at: 0s, name: ServiceDown, labels: {service: shop}}]
                    until: 4m
                    expect:
                      - {at: 0s, type: restart_service, target: service:shop}
                  - name: resolved in time does not escalate
                    alerts:
                      - {at: 0s, name: ServiceDown, labels: {service: shop}, fingerprint: s}
                      - {at: 3m, name: ServiceDown, status: resolved, labels: {service: shop}, fingerprint: s}
                    until: 10m
                    expect:
                      - {at: 0s, type: restart_service, target: service:shop}
                """);

        assertThat(results).allSatisfy(r -> assertThat(r.problems()).as(r.name()).isEmpty());
    }

    @Test
    void alertsWithoutAFingerprintAreSeparateSeries() throws Exception {
        // Without fingerprints the resolved alert is another series: the first still escalates.
        List<RuleTestResult> results = run("""
                tests:
                  - name: distinct
                    alerts:
                      - {at: 0s, name: ServiceDown, labels: {service: shop}}
                      - {at: 3m, name: ServiceDown, status: resolved, labels: {service: shop}}
                    until: 10m
                    expect: [{at: 0s, type: restart_service, target: service:shop}]
                """);

        assertThat(results.get(0).problems())
                .containsExactly("unexpected escalate service:shop {reason=still down after 5m} at 5m"
                        + " (rule 'escalate when not resolved within 5m')");
    }

    @Test
    void aRuleThatThrowsFailsTheTestWithItsName() throws Exception {
        List<RuleTestResult> results = run("""
                tests:
                  - name: boom
                    alerts: [{at: 1m, name: Boom}]
                    expect: []
                """);

        assertThat(results.get(0).problems()).singleElement().asString()
                .startsWith("rule 'broken' threw at 1m: ").contains("boom");
    }

    @Test
    void theResourceComesFromTheLabelsOrTheResourceKey() {
        RuleTestFile.Alert byLabels = new RuleTestFile.Alert(Duration.ZERO, "X",
                AlertStatus.FIRING, Map.of("pod", "p-1", "namespace", "shop",
                        "service", "s"), null, null, null);
        RuleTestFile.Alert byKey = new RuleTestFile.Alert(Duration.ZERO, "X",
                AlertStatus.FIRING, Map.of("service", "s"), null, "host:web-2", null);
        RuleTestFile.Alert none = new RuleTestFile.Alert(Duration.ZERO, "X",
                AlertStatus.FIRING, Map.of(), null, null, null);

        assertThat(RuleTestRunner.event(byLabels, 0).resource().toString()).isEqualTo("pod:shop/p-1");
        assertThat(RuleTestRunner.event(byKey, 1).resource().key()).isEqualTo("host:web-2");
        assertThat(RuleTestRunner.event(none, 2).resource().key()).isEqualTo("alert:X");
        assertThat(RuleTestRunner.event(none, 2).label("alertname")).isEqualTo("X");
        assertThat(RuleTestRunner.event(byLabels, 0).fingerprint())
                .isNotEqualTo(RuleTestRunner.event(byKey, 1).fingerprint());
    }

    @Test
    void aResultIsFedBackAsTheOutcomeOfTheFirstMatchingActionWithoutOne() throws Exception {
        List<RuleTestResult> results = run("""
                tests:
                  - name: loop
                    alerts:
                      - {at: 0s, name: ServiceDown, labels: {service: shop}, fingerprint: shop}
                      - {at: 10s, name: ServiceDown, labels: {service: cart}, fingerprint: cart}
                      - result: {at: 20s, action: restart_service, target: service:cart, status: succeeded, detail: ok}
                      - {at: 1m, name: ServiceDown, status: resolved, labels: {service: shop}, fingerprint: shop}
                    until: 3m
                    expect:
                      - {at: 0s, type: restart_service, target: service:shop}
                      - {at: 10s, type: restart_service, target: service:cart}
                      - {at: 1m20s, type: notify, target: channel:ops, params: {message: "ok but still down: ServiceDown"}}
                """);

        assertThat(results.get(0).problems()).isEmpty();
    }

    @Test
    void aResultThatAnswersNoActionFailsTheTest() throws Exception {
        List<RuleTestResult> results = run("""
                tests:
                  - name: too early
                    alerts:
                      - result: {at: 0s, action: restart_service, status: failed}
                      - {at: 5s, name: DiskFull, labels: {host: h}}
                    expect: [{type: notify, target: channel:ops}]
                """);

        assertThat(results.get(0).problems()).containsExactly("result restart_service failed at 0s answers no"
                + " action: no restart_service without a result was asked for by then");
    }
}
