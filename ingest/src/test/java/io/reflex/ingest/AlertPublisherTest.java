package io.reflex.ingest;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The guards that run before any producer exists: no Kafka needed. */
class AlertPublisherTest {

    @Test
    void refusesToWeakenAcks() {
        assertThatThrownBy(() -> new AlertPublisher(Map.of("bootstrap.servers", "127.0.0.1:1", "acks", "1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("kafka.acks=1 is not allowed")
                .hasMessageContaining("Remove the override");
    }

    @Test
    void refusesToTurnIdempotenceOff() {
        assertThatThrownBy(() -> new AlertPublisher(Map.of("bootstrap.servers", "127.0.0.1:1",
                "enable.idempotence", "false")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("kafka.enable.idempotence=false is not allowed");
    }

    @Test
    void refusesABoundThatIsNotANumber() {
        assertThatThrownBy(() -> new AlertPublisher(Map.of("bootstrap.servers", "127.0.0.1:1",
                "delivery.timeout.ms", "ten seconds")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("kafka.delivery.timeout.ms=ten seconds is not a number of milliseconds");
    }
}
