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

/** N alerts within a window, grouped by labels: acts once when the count is reached. */
class WindowCountTest {
    static final String RULE = """
            rule "3 crash loops within 5m in a namespace"
            when
                $a : AlertEvent(name == "PodCrashLooping", firing, label("namespace") != null)
                not Throttle(name == "crash-loops", group == $a.label("namespace"), this coincides[5m] $a)
                Number(intValue >= 3) from accumulate(
                    AlertEvent(name == "PodCrashLooping", firing, label("namespace") == $a.label("namespace"),
                                this before[0s, 5m] $a),
                    count(1))
            then
                remediate.scale($a, "deployment", $a.label("deployment"), 3);
                insert(new Throttle("crash-loops", $a.label("namespace")));
            end
            """;

    private static RuleHarness.In crash(int minute, String namespace, String pod) {
        return firing(ofMinutes(minute), "PodCrashLooping",
                Map.of("namespace", namespace, "deployment", "web-" + namespace, "pod", pod));
    }

    @Test
    void actsOnceWhenTheCountIsReachedWithinTheWindowPerGroup() {
        List<RuleHarness.In> in = List.of(
                crash(0, "a", "a1"), crash(1, "a", "a2"), crash(2, "a", "a3"),
                crash(3, "a", "a4"),                                   // 4th within the window: no second action
                crash(0, "b", "b1"), crash(4, "b", "b2"), crash(6, "b", "b3"), // never 3 within 5 minutes
                crash(8, "a", "a5"), crash(9, "a", "a6"), crash(10, "a", "a7")); // a new window in a

        List<RuleHarness.Out> out = RuleHarness.run(Drl.HEADER + RULE, in, ofMinutes(20));

        assertThat(out).extracting(RuleHarness.Out::at, o -> o.request().type(), o -> o.request().targetName(),
                        o -> o.request().params())
                .containsExactly(
                        tuple(ofMinutes(2), ActionType.SCALE, "web-a", Map.of("replicas", "3")),
                        tuple(ofMinutes(10), ActionType.SCALE, "web-a", Map.of("replicas", "3")));
    }
}
