package io.reflex.rules.vocabulary;

import static io.reflex.rules.RuleHarness.firing;
import static java.time.Duration.ofMinutes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.reflex.rules.ActionRequest;
import io.reflex.rules.RuleHarness;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Throttle: act at most once within T per group. */
class ThrottleTest {
    static final String RULE = """
            rule "restart at most once per 10m per service"
            when
                $a : AlertEvent(name == "ServiceDown", firing, label("service") != null)
                not Throttle(name == "restart", group == $a.label("service"), this coincides[10m] $a)
            then
                remediate.restartService($a, $a.label("service"));
                insert(new Throttle("restart", $a.label("service")));
            end
            """;

    @Test
    void actsOncePerWindowPerGroupAndNeverLateWhenTheThrottleExpires() {
        List<RuleHarness.In> in = List.of(
                firing(ofMinutes(0), "ServiceDown", Map.of("service", "cart", "pod", "1")),
                firing(ofMinutes(1), "ServiceDown", Map.of("service", "cart", "pod", "2")),
                firing(ofMinutes(2), "ServiceDown", Map.of("service", "checkout")),
                firing(ofMinutes(9), "ServiceDown", Map.of("service", "cart", "pod", "3")),
                firing(ofMinutes(11), "ServiceDown", Map.of("service", "cart", "pod", "4")),
                firing(ofMinutes(15), "ServiceDown", Map.of("service", "cart", "pod", "5")));

        // Run well past the throttle's expiry: the alerts it held back must not fire then.
        List<RuleHarness.Out> out = RuleHarness.run(Drl.HEADER + RULE, in, ofMinutes(70));

        assertThat(out).extracting(RuleHarness.Out::at, o -> o.request().targetName(),
                        o -> o.request().trigger().label("pod"))
                .containsExactly(
                        tuple(ofMinutes(0), "cart", "1"),
                        tuple(ofMinutes(2), "checkout", null),
                        tuple(ofMinutes(11), "cart", "4"));
        assertThat(out).extracting(o -> o.request().rule()).containsOnly("restart at most once per 10m per service");
        assertThat(out).map(RuleHarness.Out::request).map(ActionRequest::targetKind).containsOnly("service");
    }
}
