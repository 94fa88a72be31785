package io.reflex.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class OffsetHistoryTest {
    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
    private final OffsetHistory history = new OffsetHistory(Duration.ofMinutes(1));

    @Test
    void noRateBeforeTwoSamples() {
        assertThat(history.ratePerSecond()).isNull();
        history.add(T0, 100);
        assertThat(history.ratePerSecond()).isNull();
        assertThat(history.endOffset()).isEqualTo(100);
    }

    @Test
    void rateIsOverTheLastMinuteOnly() {
        history.add(T0, 0);
        history.add(T0.plusSeconds(30), 3_000); // a burst that leaves the window
        history.add(T0.plusSeconds(60), 3_000);
        history.add(T0.plusSeconds(95), 3_600);
        // kept: the samples at 60 s and 95 s (the one at 30 s is older than a minute before 95 s)
        assertThat(history.ratePerSecond()).isCloseTo(600 / 35.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(history.endOffset()).isEqualTo(3_600);
    }

    @Test
    void aRecreatedTopicStartsAFreshHistory() {
        history.add(T0, 500);
        history.add(T0.plusSeconds(5), 10);
        assertThat(history.ratePerSecond()).isNull();
        assertThat(history.endOffset()).isEqualTo(10);
    }
}
