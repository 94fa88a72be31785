package io.reflex.ingest;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reflex.ingest.publish.PublishLimits;
import io.reflex.ingest.publish.PublisherMetrics;
import java.time.Clock;
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
    void refusesAnEmptyTransactionalId() {
        assertThatThrownBy(() -> new AlertPublisher(Map.of("bootstrap.servers", "127.0.0.1:1",
                "transactional.id", " ")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("kafka.transactional.id is empty");
    }

    @Test
    void refusesABoundThatIsNotANumber() {
        assertThatThrownBy(() -> new AlertPublisher(Map.of("bootstrap.servers", "127.0.0.1:1",
                "delivery.timeout.ms", "ten seconds")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("kafka.delivery.timeout.ms=ten seconds is not a number of milliseconds");
        assertThatThrownBy(() -> new AlertPublisher(Map.of("bootstrap.servers", "127.0.0.1:1",
                "max.request.size", "1MB")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("kafka.max.request.size=1MB is not a number of bytes");
    }

    @Test
    void refusesLimitsOutOfRangeListingEach() {
        PublishLimits limits = new PublishLimits(0, null, -1, null, 100, null);

        assertThatThrownBy(() -> new AlertPublisher(Map.of("bootstrap.servers", "127.0.0.1:1"), limits,
                Clock.systemUTC(), PublisherMetrics.unregistered()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("publish.maxBatchAlerts: must be at least 1, got 0")
                .hasMessageContaining("publish.maxQueuedAlerts: must be at least 1, got -1")
                .hasMessageContaining("publish.deadLetterMaxBytes: must be at least 4096, got 100");
    }
}
