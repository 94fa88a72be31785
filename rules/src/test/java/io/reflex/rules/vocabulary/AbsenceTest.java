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

/** Absence: X did not resolve within T. */
class AbsenceTest {
    static final String RULE = """
            rule "disk full not resolved within 10m"
            when
                $a : AlertEvent(name == "DiskFull", firing)
                not AlertEvent(fingerprint == $a.fingerprint, status == AlertStatus.RESOLVED, this after[0s, 10m] $a)
            then
                remediate.runPlaybook($a, "clean-disk", java.util.Map.of("host", $a.label("instance")));
            end
            """;

    @Test
    void actsWhenTheAlertHasNotResolvedWithinTheTime() {
        List<RuleHarness.In> in = List.of(
                firing(ofMinutes(0), "DiskFull", Map.of("instance", "x")),   // never resolves
                firing(ofMinutes(0), "DiskFull", Map.of("instance", "y")),
                resolved(ofMinutes(4), "DiskFull", Map.of("instance", "y")), // resolves in time
                firing(ofMinutes(2), "DiskFull", Map.of("instance", "z")),
                resolved(ofMinutes(13), "DiskFull", Map.of("instance", "z"))); // resolves too late

        List<RuleHarness.Out> out = RuleHarness.run(Drl.HEADER + RULE, in, ofMinutes(20));

        assertThat(out).extracting(o -> o.request().type(), o -> o.request().targetName(), o -> o.request().params())
                .containsExactly(
                        tuple(ActionType.RUN_PLAYBOOK, "clean-disk", Map.of("host", "x")),
                        tuple(ActionType.RUN_PLAYBOOK, "clean-disk", Map.of("host", "z")));
        // Due when T has passed, on the stage's next tick (a second at most), not before.
        assertThat(out.get(0).at()).isBetween(ofMinutes(10), ofMinutes(10).plus(ofSeconds(1)));
        assertThat(out.get(1).at()).isBetween(ofMinutes(12), ofMinutes(12).plus(ofSeconds(1)));
    }
}
