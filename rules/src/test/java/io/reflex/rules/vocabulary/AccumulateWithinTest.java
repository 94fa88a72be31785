package io.reflex.rules.vocabulary;

import static io.reflex.rules.RuleHarness.firing;
import static java.time.Duration.ofMinutes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.reflex.model.ActionType;
import io.reflex.rules.RuleHarness;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Accumulate-within with a threshold: the sum of a numeric label over a window, per group. */
class AccumulateWithinTest {
    static final String RULE = """
            rule "more than 100 errors within 5m in a service"
            when
                $a : AlertEvent(name == "ErrorBurst", firing, label("service") != null)
                not Throttle(name == "error-burst", group == $a.label("service"), this coincides[5m] $a)
                Number(doubleValue > 100) from accumulate(
                    $e : AlertEvent(name == "ErrorBurst", firing, label("service") == $a.label("service"),
                                     this before[0s, 5m] $a),
                    sum(number($e, "errors")))
            then
                remediate.escalate($a, "more than 100 errors within 5m in " + $a.label("service"));
                insert(new Throttle("error-burst", $a.label("service")));
            end
            """;

    private static RuleHarness.In errors(int minute, String service, int errors) {
        return firing(ofMinutes(minute), "ErrorBurst",
                Map.of("service", service, "errors", Integer.toString(errors), "batch", minute + service));
    }

    @Test
    void actsOnceWhenTheSumWithinTheWindowCrossesTheThreshold() {
        List<RuleHarness.In> in = List.of(
                errors(0, "a", 40), errors(1, "a", 50), errors(2, "a", 20),  // 110 within 5m: acts
                errors(3, "a", 30),                                          // still throttled
                errors(0, "b", 60), errors(6, "b", 60),                      // 60 + 60, but 6m apart
                errors(0, "c", 100));                                        // 100 is not more than 100

        List<RuleHarness.Out> out = RuleHarness.run(Drl.HEADER + RULE, in, ofMinutes(15));

        assertThat(out).extracting(RuleHarness.Out::at, o -> o.request().type(), o -> o.request().targetKind(),
                        o -> o.request().targetName(), o -> o.request().params().get("reason"))
                .containsExactly(tuple(ofMinutes(2), ActionType.ESCALATE, "service", "a",
                        "more than 100 errors within 5m in a"));
    }

    @Test
    void aNonNumericLabelFailsTheRuleNamingTheLabel() {
        try (RuleHarness harness = RuleHarness.of(Drl.HEADER + RULE)) {
            harness.insert(firing(ofMinutes(0), "ErrorBurst", Map.of("service", "a", "errors", "many")));

            assertThat(harness.actions()).isEmpty();
            assertThat(harness.failures()).isNotEmpty().allSatisfy(f ->
                    assertThat(f.error()).hasStackTraceContaining("label 'errors' of alert ErrorBurst")
                            .hasStackTraceContaining("'many', not a number"));
        }
    }
}
