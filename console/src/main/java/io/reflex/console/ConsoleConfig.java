package io.reflex.console;

import java.util.ArrayList;
import java.util.List;

/**
 * The console role's settings (YAML section {@code console}).
 *
 * @param maxIncidents how many incidents the console keeps in memory; past it, the oldest
 *                     resolved ones are forgotten first (they stay in Kafka)
 */
public record ConsoleConfig(Integer maxIncidents) {
    public ConsoleConfig {
        maxIncidents = maxIncidents == null ? 10_000 : maxIncidents;
    }

    public static ConsoleConfig defaults() {
        return new ConsoleConfig(null);
    }

    public List<String> validate() {
        List<String> problems = new ArrayList<>();
        if (maxIncidents < 1) {
            problems.add("console.maxIncidents must be at least 1, got " + maxIncidents);
        }
        return problems;
    }
}
