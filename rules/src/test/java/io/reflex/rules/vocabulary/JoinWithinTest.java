package io.reflex.rules.vocabulary;

import static io.reflex.rules.RuleHarness.firing;
import static java.time.Duration.ofMinutes;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.reflex.model.ActionType;
import io.reflex.rules.RuleHarness;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A join of two different alerts within a timeout, on a shared label. */
class JoinWithinTest {
    static final String RULE = """
            rule "pods crash loop on a node within 2m of it going not ready"
            when
                $n : AlertEvent(name == "NodeNotReady", firing)
                $p : AlertEvent(name == "PodCrashLooping", firing, label("instance") == $n.label("instance"),
                                this after[0s, 2m] $n)
            then
                remediate.isolateHost($p, $n.label("instance"));
            end
            """;

    @Test
    void actsOnlyWhenTheSecondAlertFollowsTheFirstOnTheSameInstanceWithinTheTimeout() {
        List<RuleHarness.In> in = List.of(
                firing(ofMinutes(0), "NodeNotReady", Map.of("instance", "i1")),
                firing(ofSeconds(90), "PodCrashLooping", Map.of("instance", "i1")),   // within 2m: acts
                firing(ofMinutes(0), "NodeNotReady", Map.of("instance", "i2")),
                firing(ofMinutes(3), "PodCrashLooping", Map.of("instance", "i2")),    // too late
                firing(ofMinutes(4), "PodCrashLooping", Map.of("instance", "i3")),
                firing(ofMinutes(5), "NodeNotReady", Map.of("instance", "i3")),       // wrong order
                firing(ofMinutes(6), "NodeNotReady", Map.of("instance", "i4")),
                firing(ofMinutes(7), "PodCrashLooping", Map.of("instance", "i5")));   // other instance

        List<RuleHarness.Out> out = RuleHarness.run(Drl.HEADER + RULE, in, ofMinutes(10));

        assertThat(out).extracting(RuleHarness.Out::at, o -> o.request().type(), o -> o.request().targetKind(),
                        o -> o.request().targetName(), o -> o.request().requiresApproval())
                .containsExactly(tuple(ofSeconds(90), ActionType.ISOLATE_HOST, "host", "i1", true));
    }
}
