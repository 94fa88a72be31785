package io.reflex.remediator.guard;

import static io.reflex.remediator.guard.Fixtures.T0;
import static io.reflex.remediator.guard.Fixtures.isolate;
import static io.reflex.remediator.guard.Fixtures.restart;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

class HoldsTest {
    private final MutableClock clock = new MutableClock(T0);
    private final ActivityLog activity = new ActivityLog();

    private Guardrails guardrails(List<MaintenanceWindow> windows, List<Silence> silences) {
        return new Guardrails(new GuardrailsConfig(null, null, null, null, null, windows, silences), activity, clock);
    }

    @Test
    void silenceHoldsMatchingActionsUntilItEnds() {
        Guardrails guardrails = guardrails(List.of(), List.of());
        Instant until = T0.plus(Duration.ofHours(2));
        Silence added = guardrails.holds().addSilence(new Silence(null, List.of(new LabelMatcher("zone", null, "eu-1"),
                new LabelMatcher("type", "=~", "isolate_.*")), null, until, "carol", "switch replacement"));

        Verdict held = guardrails.check(isolate("i1", "web-1", "eu-1", T0));

        assertThat(held.decision()).isEqualTo(Decision.HOLD);
        assertThat(held.guardrail()).isEqualTo("silence:" + added.id());
        assertThat(held.reason()).isEqualTo("Held by silence " + added.id() + " by carol (switch replacement) matching"
                + " [zone=\"eu-1\", type=~\"isolate_.*\"] until 2026-11-26T14:00:00Z");
        assertThat(held.retryAt()).isEqualTo(until);
        assertThat(guardrails.check(isolate("i2", "web-9", "us-1", T0)).allowed()).as("other zone").isTrue();
        assertThat(guardrails.check(restart("r1", "inc-1", "checkout", T0)).allowed()).as("other type").isTrue();
        assertThat(guardrails.describe().silences()).containsExactly(added);

        clock.set(until);
        assertThat(guardrails.check(isolate("i1", "web-1", "eu-1", until)).allowed()).isTrue();
        assertThat(guardrails.describe().silences()).as("an ended silence is dropped").isEmpty();
    }

    @Test
    void removedSilenceHoldsNothing() {
        Guardrails guardrails = guardrails(List.of(), List.of(new Silence(null,
                List.of(new LabelMatcher("target", "!=", "host:db-1")), T0.minusSeconds(60), T0.plusSeconds(600),
                "ops", null)));
        assertThat(guardrails.check(isolate("i1", "web-1", "eu-1", T0)).decision()).isEqualTo(Decision.HOLD);
        assertThat(guardrails.check(isolate("i2", "db-1", "eu-1", T0)).allowed()).isTrue();

        assertThat(guardrails.holds().removeSilence("config-0")).isTrue();

        assertThat(guardrails.check(isolate("i1", "web-1", "eu-1", T0)).allowed()).isTrue();
    }

    @Test
    void weeklyWindowCrossingMidnightHoldsUntilItCloses() {
        ZoneId paris = ZoneId.of("Europe/Paris");
        // Saturday 23:00 Paris for 2h: still open on Sunday at 00:30.
        MaintenanceWindow saturdayNight = new MaintenanceWindow("weekly-patching",
                List.of(new LabelMatcher("rule", "!~", "notify-.*")), List.of("SAT"), "23:00", "2h", "Europe/Paris",
                null, null);
        Guardrails guardrails = guardrails(List.of(saturdayNight), List.of());
        Instant sundayHalfPastMidnight = ZonedDateTime.of(2026, 11, 29, 0, 30, 0, 0, paris).toInstant();
        clock.set(sundayHalfPastMidnight);

        Verdict held = guardrails.check(restart("r1", "inc-1", "checkout", clock.instant()));

        Instant closes = ZonedDateTime.of(2026, 11, 29, 1, 0, 0, 0, paris).toInstant();
        assertThat(held.decision()).isEqualTo(Decision.HOLD);
        assertThat(held.guardrail()).isEqualTo("maintenanceWindow:weekly-patching");
        assertThat(held.reason()).isEqualTo("Held by maintenance window weekly-patching matching [rule!~\"notify-.*\"],"
                + " open until 2026-11-29T00:00:00Z");
        assertThat(held.retryAt()).isEqualTo(closes);
        assertThat(guardrails.describe().maintenanceWindows()).singleElement()
                .satisfies(w -> assertThat(w.open()).isTrue());

        clock.set(closes);
        assertThat(guardrails.check(restart("r1", "inc-1", "checkout", closes)).allowed()).isTrue();
        clock.set(ZonedDateTime.of(2026, 11, 27, 23, 30, 0, 0, paris).toInstant());
        assertThat(guardrails.check(restart("r2", "inc-2", "cart", clock.instant())).allowed())
                .as("Friday night is not in the window").isTrue();
    }

    @Test
    void oneOffWindowAndTheLongestHoldWins() {
        MaintenanceWindow upgrade = new MaintenanceWindow("db-upgrade", List.of(new LabelMatcher("target", null,
                "service:checkout")), null, null, null, null, T0.minusSeconds(60), T0.plus(Duration.ofHours(3)));
        Silence shorter = new Silence("s1", List.of(new LabelMatcher("target", null, "service:checkout")), null,
                T0.plus(Duration.ofHours(1)), "ops", null);
        Guardrails guardrails = guardrails(List.of(upgrade), List.of(shorter));

        Verdict held = guardrails.check(restart("r1", "inc-1", "checkout", T0));

        assertThat(held.guardrail()).isEqualTo("maintenanceWindow:db-upgrade");
        assertThat(held.retryAt()).isEqualTo(T0.plus(Duration.ofHours(3)));
    }

    @Test
    void silenceWithProblemsIsRefusedWithEveryProblem() {
        Holds holds = new Holds(List.of(), List.of());
        Silence bad = new Silence(null, List.of(new LabelMatcher("zone", "==", "x"), new LabelMatcher("host", "=~", "(")),
                T0, T0.minusSeconds(1), "eve", null);

        assertThatThrownBy(() -> holds.addSilence(bad)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("silence.matchers[0].op: '==' is not an operator")
                .hasMessageContaining("silence.matchers[1].value is not a regular expression")
                .hasMessageContaining("silence.until must be after from");
    }
}
