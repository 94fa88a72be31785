package io.reflex.drill;

import java.util.Map;
import java.util.Objects;

/**
 * The alert a fault would raise, as a dry-run drill sends it instead of injecting the fault (the
 * drill file's {@code alert} section): on the fault's resource, tagged with the drill id.
 */
public record SyntheticAlert(String name, Map<String, String> labels, String severity) {
    public static final String DEFAULT_SEVERITY = "critical";

    public SyntheticAlert {
        Objects.requireNonNull(name, "name");
        labels = Map.copyOf(labels);
        severity = severity == null ? DEFAULT_SEVERITY : severity;
    }
}
