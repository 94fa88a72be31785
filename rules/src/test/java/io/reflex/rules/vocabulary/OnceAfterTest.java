package io.reflex.rules.vocabulary;

import static io.reflex.rules.RuleHarness.firing;
import static io.reflex.rules.RuleHarness.resolved;
import static java.time.Duration.ofMinutes;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.reflex.model.ActionType;
import io.reflex.rules.RuleHarness;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Once-after: act once, at the end of a quiet period following a burst. */
class OnceAfterTest {
    static final String RULE = """
            rule "notify once flapping has been quiet for 5m"
            when
                $a : AlertEvent(name == "Flapping", label("service") != null)
                not AlertEvent(name == "Flapping", label("service") == $a.label("service"), this != $a,
                               this after[0s, 5m] $a)
            then
                remediate.notify($a, "#ops", "flapping on " + $a.label("service") + " has settled");
            end
            """;

    @Test
    void actsOncePerBurstWhenTheGroupHasBeenQuietForThePeriod() {
        List<RuleHarness.In> in = List.of(
                firing(ofMinutes(0), "Flapping", Map.of("service", "a")),
                resolved(ofMinutes(2), "Flapping", Map.of("service", "a")),
                firing(ofMinutes(4), "Flapping", Map.of("service", "a")),   // last of the burst
                firing(ofMinutes(1), "Flapping", Map.of("service", "b")),
                firing(ofMinutes(20), "Flapping", Map.of("service", "a"))); // a new burst

        List<RuleHarness.Out> out = RuleHarness.run(Drl.HEADER + RULE, in, ofMinutes(30));

        assertThat(out).extracting(o -> o.request().type(), o -> o.request().targetName(),
                        o -> o.request().params().get("message"), o -> o.request().trigger().startsAt())
                .containsExactly(
                        tuple(ActionType.NOTIFY, "#ops", "flapping on b has settled",
                                RuleHarness.T0.plus(ofMinutes(1))),
                        tuple(ActionType.NOTIFY, "#ops", "flapping on a has settled",
                                RuleHarness.T0.plus(ofMinutes(4))),
                        tuple(ActionType.NOTIFY, "#ops", "flapping on a has settled",
                                RuleHarness.T0.plus(ofMinutes(20))));
        assertThat(out).extracting(RuleHarness.Out::at).satisfiesExactly(
                at -> assertThat(at).isBetween(ofMinutes(6), ofMinutes(6).plus(ofSeconds(1))),
                at -> assertThat(at).isBetween(ofMinutes(9), ofMinutes(9).plus(ofSeconds(1))),
                at -> assertThat(at).isBetween(ofMinutes(25), ofMinutes(25).plus(ofSeconds(1))));
    }
}
