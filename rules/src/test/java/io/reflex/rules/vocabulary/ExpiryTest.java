package io.reflex.rules.vocabulary;

import static io.reflex.rules.RuleHarness.firing;
import static java.time.Duration.ofMinutes;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;

import io.reflex.rules.RuleCompiler;
import io.reflex.rules.RuleHarness;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Facts expire: alerts after 30 minutes, throttles after 61, so a session's memory stays bounded. */
class ExpiryTest {
    @Test
    void alertsAndThrottlesLeaveTheSessionAndNothingFiresLateWhenTheyDo() {
        assertThat(RuleCompiler.ALERT_EXPIRY).isEqualTo(ofMinutes(30));
        assertThat(RuleCompiler.THROTTLE_EXPIRY).isEqualTo(ofMinutes(61));
        try (RuleHarness harness = RuleHarness.of(Drl.HEADER + ThrottleTest.RULE)) {
            // 10 services, 3 alerts each within the first minute: 30 alerts, 10 throttles.
            for (int i = 0; i < 30; i++) {
                harness.insert(firing(ofSeconds(2L * i), "ServiceDown",
                        Map.of("service", "svc-" + (i % 10), "pod", "p" + i)));
            }
            assertThat(harness.actions()).hasSize(10);
            assertThat(harness.factCount()).isEqualTo(40);

            harness.advanceTo(ofMinutes(29));
            assertThat(harness.factCount()).as("nothing has expired yet").isEqualTo(40);

            harness.advanceTo(ofMinutes(31));
            assertThat(harness.factCount()).as("the alerts have expired, the throttles not").isEqualTo(10);

            harness.advanceTo(ofMinutes(62));
            assertThat(harness.factCount()).as("the throttles have expired too").isZero();
            assertThat(harness.actions()).as("no alert held back by a throttle fired when it left").hasSize(10);
            assertThat(harness.failures()).isEmpty();
        }
    }

    @Test
    void anAlertWaitedOnByAnAbsenceRuleStillExpires() {
        try (RuleHarness harness = RuleHarness.of(Drl.HEADER + AbsenceTest.RULE)) {
            harness.insert(firing(ofMinutes(0), "DiskFull", Map.of("instance", "x")));
            assertThat(harness.factCount()).isEqualTo(1);

            harness.advanceTo(ofMinutes(31));

            assertThat(harness.actions()).hasSize(1);
            assertThat(harness.factCount()).isZero();
        }
    }
}
