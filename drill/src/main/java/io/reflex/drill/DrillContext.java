package io.reflex.drill;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where a drill runner finds the Reflex it drills.
 *
 * @param kafka         Kafka client settings ({@code bootstrap.servers}, security)
 * @param dataDir       the data dir of the Reflex whose process connector runs the services
 * @param prometheusUrl the Prometheus that {@code prometheus} probes ask when a drill file names none; may be null
 */
public record DrillContext(Map<String, Object> kafka, Path dataDir, URI prometheusUrl) {
    public DrillContext {
        kafka = Map.copyOf(kafka);
    }
}
