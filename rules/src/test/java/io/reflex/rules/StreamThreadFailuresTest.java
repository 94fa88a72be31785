package io.reflex.rules;

import io.reflex.testkit.MutableClock;
import static io.reflex.rules.Alerts.T0;
import static org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
import static org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class StreamThreadFailuresTest {
    private final MutableClock clock = new MutableClock(T0);
    private final StreamThreadFailures handler = new StreamThreadFailures(clock);
    private final RuntimeException failure = new IllegalStateException("broker went away");

    @Test
    void threadIsReplacedAFewTimesThenTheStageShutsDown() {
        assertThat(handler.handle(failure)).isEqualTo(REPLACE_THREAD);
        assertThat(handler.handle(failure)).isEqualTo(REPLACE_THREAD);
        assertThat(handler.handle(failure)).isEqualTo(REPLACE_THREAD);

        assertThat(handler.handle(failure)).isEqualTo(SHUTDOWN_CLIENT);
    }

    @Test
    void failuresOutsideTheWindowDoNotCount() {
        handler.handle(failure);
        handler.handle(failure);
        handler.handle(failure);

        clock.advance(StreamThreadFailures.WINDOW.plus(Duration.ofSeconds(1)));

        assertThat(handler.handle(failure)).isEqualTo(REPLACE_THREAD);
    }
}
