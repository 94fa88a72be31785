package io.reflex.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Where {@link RuleCompiler} reports a call of the {@code remediate} helper it cannot make:
 * at the call, not at the rule's header where Drools places every consequence error.
 */
class RuleCompilerTest {
    /** Six lines: a rule written after it starts on line 7, its consequence on line 11. */
    private static final String HEADER = """
            package io.reflex.rules.test;

            import io.reflex.model.AlertEvent;

            global io.reflex.rules.Remediate remediate;

            """;

    private static String rule(String name, String consequence) {
        return """
                rule "%s"
                when
                    $a : AlertEvent(name == "ServiceDown")
                then
                %s
                end
                """.formatted(name, consequence.indent(4).stripTrailing());
    }

    private static RuleError onlyError(String drl) {
        List<RuleError> errors = RuleCompiler.validate(drl);
        assertThat(errors).hasSize(1);
        return errors.get(0);
    }

    @Test
    void aMisspelledActionIsReportedAtItsCallWithTheActionsThereAre() {
        RuleError error = onlyError(HEADER + rule("typo", """
                remediate.notify($a, "#ops", "restarting");
                remediate.restartServce($a, "shop");"""));

        assertThat(error.line()).isEqualTo(12);
        assertThat(error.column()).isEqualTo(4);
        assertThat(error.message()).contains("remediate.restartServce(AlertEvent, String) is not an action",
                "in rule 'typo'", "restartService(AlertEvent trigger, String service)",
                "scale(AlertEvent trigger, String kind, String name, int replicas)",
                "runScript(AlertEvent trigger, String host, String script, Map args)");
    }

    @Test
    void aMissingParameterIsReportedAtItsCallWithWhatTheActionTakes() {
        RuleError error = onlyError(HEADER + rule("no replicas", """
                remediate.scale($a, "deployment", "cart");"""));

        assertThat(error.line()).isEqualTo(11);
        assertThat(error.column()).isEqualTo(4);
        assertThat(error.message()).contains("remediate.scale does not take the arguments (AlertEvent, String, String)",
                "in rule 'no replicas'", "scale(AlertEvent trigger, String kind, String name, int replicas)");
    }

    @Test
    void aParameterOfTheWrongTypeIsReportedAtItsCall() {
        RuleError error = onlyError(HEADER + rule("replicas as text", """
                // three, as a word
                    remediate.scale($a, "deployment", "cart", "three");"""));

        assertThat(error.line()).isEqualTo(12);
        assertThat(error.column()).isEqualTo(8);
        assertThat(error.message()).contains("(AlertEvent, String, String, String)", "int replicas");
    }

    @Test
    void aMethodTheHelperDoesNotHaveIsReportedAtItsColumnInsideOtherCode() {
        RuleError error = onlyError(HEADER + rule("nothing", """
                if ($a != null) { remediate.nothingHere(); }"""));

        assertThat(error.line()).isEqualTo(11);
        assertThat(error.column()).isEqualTo(22);
        assertThat(error.message()).contains("remediate.nothingHere() is not an action", "isolateHost(");
    }

    @Test
    void ofTwoCallsOfOneActionTheOneWithTheWrongArgumentsIsReported() {
        RuleError error = onlyError(HEADER + rule("one good one bad", """
                remediate.scale($a, "deployment", "cart", Integer.parseInt("3"));
                remediate.scale(
                        $a, "deployment", "web");"""));

        assertThat(error.line()).isEqualTo(12);
        assertThat(error.column()).isEqualTo(4);
    }

    @Test
    void anErrorInTheSecondRuleIsReportedInTheSecondRule() {
        String drl = HEADER + rule("fine", "remediate.restartService($a, \"shop\");")
                + rule("broken", "remediate.restartService($a, \"shop\");\nremediate.isolateHost($a, \"h1\", \"now\");");

        RuleError error = onlyError(drl);

        // The first rule takes lines 7 to 12; the second starts on 13, its consequence on 17.
        assertThat(error.line()).isEqualTo(18);
        assertThat(error.column()).isEqualTo(4);
        assertThat(error.message()).contains("in rule 'broken'", "isolateHost(AlertEvent trigger, String host,"
                + " boolean requiresApproval)");
    }

    @Test
    void twoBadCallsAreEachReportedAtTheirOwnLine() {
        List<RuleError> errors = RuleCompiler.validate(HEADER + rule("twice", """
                remediate.restartServce($a, "shop");
                remediate.isolateHots($a, "h1");"""));

        assertThat(errors).extracting(RuleError::line, RuleError::column)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(11, 4),
                        org.assertj.core.groups.Tuple.tuple(12, 4));
    }

    @Test
    void twoIdenticalBadCallsAreEachReportedAtTheirOwnLine() {
        List<RuleError> errors = RuleCompiler.validate(HEADER + rule("same typo twice", """
                remediate.restartServce($a, "shop");
                remediate.restartServce($a, "cart");"""));

        assertThat(errors).extracting(RuleError::line, RuleError::column)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(11, 4),
                        org.assertj.core.groups.Tuple.tuple(12, 4));
    }

    @Test
    void anotherErrorOfTheSameConsequenceStaysOnTheRulesLine() {
        List<RuleError> errors = RuleCompiler.validate(HEADER + rule("two kinds", """
                remediate.restartServce($a, "shop");
                String s = $a.nmae();"""));

        assertThat(errors).hasSize(2);
        assertThat(errors).filteredOn(e -> e.line() == 11).singleElement()
                .satisfies(e -> assertThat(e.message()).contains("restartServce").doesNotContain("nmae"));
        assertThat(errors).filteredOn(e -> e.line() == 7).singleElement()
                .satisfies(e -> assertThat(e.message()).contains("nmae").doesNotContain("restartServce"));
    }

    @Test
    void anErrorThatIsNotACallOfTheHelperKeepsTheCompilersPlace() {
        RuleError error = onlyError(HEADER + rule("not the helper", """
                String s = $a.nmae();"""));

        assertThat(error.line()).isEqualTo(7);
        assertThat(error.message()).contains("nmae").doesNotContain("The actions are");
    }

    @Test
    void theActionsListedAreThePublicMethodsOfTheHelper() {
        assertThat(Remediate.actionMethods()).contains("stopService(AlertEvent trigger, String service)",
                "startService(AlertEvent trigger, String service)", "cordonNode(AlertEvent trigger, String node)",
                "drainNode(AlertEvent trigger, String node, boolean requiresApproval)", "escalate(AlertEvent trigger,"
                + " String reason)").noneMatch(m -> m.startsWith("actionMethods") || m.startsWith("begin"));
    }
}
