package io.reflex.ingest.publish;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Samples read from the text exposition, as Prometheus reads them; with or without labels. */
final class MetricValues {
    private MetricValues() {
    }

    /** The value of the sample {@code name} whose labels include every {@code label="value"} given; 0 when absent. */
    static double sample(PrometheusRegistry registry, String name, String... labels) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            PrometheusTextFormatWriter.create().write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
            String labelPart;
            if (line.startsWith(name + "{")) {
                labelPart = line.substring(name.length(), line.lastIndexOf('}') + 1);
            } else if (line.startsWith(name + " ")) {
                labelPart = "";
            } else {
                continue;
            }
            boolean all = true;
            for (String label : labels) {
                all &= labelPart.contains(label);
            }
            if (all) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }
}
