package io.reflex.connectors.spi;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a provider gets to build its connector.
 *
 * @param settings the YAML map under {@code connectors.<name>}, already parsed into plain
 *                 maps, lists, strings, numbers and booleans (values may be strings when they
 *                 came from {@code REFLEX_} environment overrides); never null
 * @param dataDir  where the connector may keep files (logs, pid files); may not exist yet
 * @param clock    the only source of "now": deadlines are compared against it
 */
public record ConnectorContext(Map<String, Object> settings, Path dataDir, Clock clock) {

    public ConnectorContext {
        // YAML maps may hold null values ("key:" with nothing after it), which Map.copyOf rejects.
        settings = settings == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(settings));
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(clock, "clock");
    }
}
