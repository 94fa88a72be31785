package io.reflex.model;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * A topic with its types, declared once in {@link Topics}.
 *
 * @param partitions the default used when Reflex creates the topic itself
 * @param compacted  whether only the latest value per key is kept
 */
public record Topic<V>(String name, Serde<V> valueSerde, int partitions, boolean compacted) {

    /** Every Reflex topic is keyed by a string: a resource key, target key or incident id. */
    public Serde<String> keySerde() {
        return Serdes.String();
    }
}
