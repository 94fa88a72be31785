package io.reflex.rules.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.reflex.model.ActionStatus;
import io.reflex.model.ActionType;
import io.reflex.model.AlertStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading rule test files: defaults, and errors that name the key. */
class RuleTestFileTest {
    private static final YAMLMapper YAML = new YAMLMapper();

    @TempDir
    Path dir;

    private static RuleTestFile parse(String yaml) throws Exception {
        return RuleTestFile.parse("t.yaml", YAML.readTree(yaml));
    }

    @Test
    void readsTheExampleWithItsDefaults() throws Exception {
        RuleTestFile file = parse("""
                rules: demo.drl
                tests:
                  - name: restarts
                    alerts:
                      - {at: 1m30s, name: ServiceDown, labels: {service: shop, port: 8080}}
                    expect:
                      - {at: 90s, type: restart_service, target: service:shop}
                """);

        assertThat(file.rules()).isEqualTo("demo.drl");
        RuleTestFile.Test test = file.tests().get(0);
        assertThat(test.alerts()).containsExactly(new RuleTestFile.Alert(Duration.ofSeconds(90), "ServiceDown",
                AlertStatus.FIRING, Map.of("service", "shop", "port", "8080"), null, null, null));
        assertThat(test.until()).isEqualTo(Duration.ofSeconds(90));
        assertThat(test.expect()).containsExactly(new RuleTestFile.Expected(ActionType.RESTART_SERVICE,
                "service:shop", null, null, Duration.ofSeconds(90)));
    }

    @Test
    void anUnknownKeyIsNamedWithItsPath() {
        assertThatThrownBy(() -> parse("""
                tests:
                  - name: x
                    alerts: [{at: 0s, name: A, lables: {a: b}}]
                    expect: []
                """)).isInstanceOf(RuleTestFormatException.class)
                .hasMessageStartingWith("t.yaml: tests[0].alerts[0].lables: unknown key 'lables'; expected one of ")
                .hasMessageContaining("labels");
    }

    @Test
    void wrongValuesNameTheKeyAndWhatIsExpected() {
        assertThatThrownBy(() -> parse("tests: [{name: x, alerts: [{at: soon, name: A}], expect: []}]"))
                .hasMessage("t.yaml: tests[0].alerts[0].at: expected a duration such as 0s, 30s, 10m, 1h30m or 500ms,"
                        + " got 'soon'");
        assertThatThrownBy(() -> parse("tests: [{name: x, alerts: [], expect: [{type: reboot, target: a:b}]}]"))
                .hasMessageStartingWith("t.yaml: tests[0].expect[0].type: unknown action type 'reboot'");
        assertThatThrownBy(() -> parse("tests: [{name: x, alerts: [], expect: [{type: notify, target: ops}]}]"))
                .hasMessage("t.yaml: tests[0].expect[0].target: 'ops'; expected kind:name, e.g. service:shop"
                        + " or host:web-1");
        assertThatThrownBy(() -> parse("tests: [{name: x, alerts: []}]"))
                .hasMessage("t.yaml: tests[0].expect: missing; it is required");
        assertThatThrownBy(() -> parse("tests: [{name: x, alerts: [{at: 5m, name: A}], until: 1m, expect: []}]"))
                .hasMessageContaining("tests[0].until: 1m is before the last alert (at 5m)");
        assertThatThrownBy(() -> parse("tests: [{name: x, alerts: [{at: 0s, name: A, status: open}], expect: []}]"))
                .hasMessage("t.yaml: tests[0].alerts[0].status: 'open'; expected firing or resolved");
        assertThatThrownBy(() -> parse("tests: []")).hasMessage("t.yaml: tests: is empty; write at least one test");
        assertThatThrownBy(() -> parse("""
                tests:
                  - {name: x, alerts: [], expect: []}
                  - {name: x, alerts: [], expect: []}
                """)).hasMessageContaining("tests[1].name: 'x' names another test too");
    }

    @Test
    void aResultEntryAmongTheAlertsIsReadAsAResult() throws Exception {
        RuleTestFile.Test test = parse("""
                tests:
                  - name: closes the loop
                    alerts:
                      - {at: 0s, name: ServiceDown, labels: {service: shop}}
                      - result: {at: 3m, action: restart_service, status: SUCCEEDED, target: service:shop, detail: ok}
                    expect: []
                """).tests().get(0);

        assertThat(test.alerts()).hasSize(1);
        assertThat(test.results()).containsExactly(new RuleTestFile.Result(Duration.ofMinutes(3),
                ActionType.RESTART_SERVICE, "service:shop", ActionStatus.SUCCEEDED, "ok"));
        assertThat(test.until()).as("the last result counts").isEqualTo(Duration.ofMinutes(3));
    }

    @Test
    void aWrongResultNamesTheKey() {
        assertThatThrownBy(() -> parse("""
                tests: [{name: x, alerts: [{result: {at: 0s, action: restart_service, status: started}}], expect: []}]
                """)).hasMessage("t.yaml: tests[0].alerts[0].result.status: 'started'; expected one of succeeded,"
                + " failed, timed_out, rejected, skipped (only an action's final result reaches the rules)");
        assertThatThrownBy(() -> parse("""
                tests: [{name: x, alerts: [{result: {at: 0s, action: reboot, status: failed}}], expect: []}]
                """)).hasMessageStartingWith("t.yaml: tests[0].alerts[0].result.action: unknown action type 'reboot'");
        assertThatThrownBy(() -> parse("""
                tests: [{name: x, alerts: [{result: {at: 0s, status: failed}}], expect: []}]
                """)).hasMessage("t.yaml: tests[0].alerts[0].result.action: missing; it is required");
        assertThatThrownBy(() -> parse("""
                tests: [{name: x, alerts: [{result: {at: 0s, action: notify, status: failed}, at: 1s}], expect: []}]
                """)).hasMessageStartingWith("t.yaml: tests[0].alerts[0].at: unknown key 'at'; expected one of result");
    }

    @Test
    void malformedYamlSaysSoWithTheLine() throws Exception {
        Path file = Files.writeString(dir.resolve("bad.tests.yaml"), "tests:\n  - name: [unclosed\n");

        assertThatThrownBy(() -> RuleTestFile.read(file, YAML)).isInstanceOf(RuleTestFormatException.class)
                .hasMessageStartingWith(file + ": not valid YAML (").hasMessageContaining("line ");
    }

    @Test
    void theRulePackageIsNextToTheTestsUnlessNamed() throws Exception {
        Path tests = dir.resolve("shop.tests.yaml");

        assertThat(RuleTestRunner.rulesPath(tests, parse("tests: [{name: x, alerts: [], expect: []}]")))
                .isEqualTo(dir.toAbsolutePath().resolve("shop.drl"));
        assertThat(RuleTestRunner.rulesPath(tests,
                parse("{rules: ../other.drl, tests: [{name: x, alerts: [], expect: []}]}")))
                .isEqualTo(dir.toAbsolutePath().getParent().resolve("other.drl"));
    }

    @Test
    void durationsReadAndPrintInTheSameNotation() {
        assertThat(TestDurations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(TestDurations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(TestDurations.parse("5")).isNull();
        assertThat(TestDurations.format(Duration.ofSeconds(330))).isEqualTo("5m30s");
        assertThat(TestDurations.format(Duration.ZERO)).isEqualTo("0s");
    }
}
