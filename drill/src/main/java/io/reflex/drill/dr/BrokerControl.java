package io.reflex.drill.dr;

/**
 * Restarts the Kafka broker Reflex uses, for a DR drill's {@code restartBroker} step. The embedded
 * broker of {@code reflex up} provides one (the app adapts EmbeddedKafka's restart to it); an
 * external cluster has none.
 */
@FunctionalInterface
public interface BrokerControl {
    /**
     * Stops the broker and starts it again on the same ports and data; returns once it answers
     * clients again.
     *
     * @throws RuntimeException when it could not restart, with the reason
     */
    void restart();
}
