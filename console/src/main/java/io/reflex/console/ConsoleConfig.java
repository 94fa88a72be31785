package io.reflex.console;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The console role's settings (YAML section {@code console}). Every part of the console's
 * in-memory view is bounded; what it forgets stays in Kafka.
 *
 * <pre>
 * console:
 *   maxIncidents: 10000                  # past it, the oldest resolved incidents are forgotten first
 *   retention: 30d                       # resolved incidents resolved longer ago are forgotten
 *   maxTimelineEntriesPerIncident: 1000  # keeps the first tenth and the most recent rest
 *   maxActionsPerIncident: 100           # likewise
 *   maxOrphanEntries: 10000              # records waiting for their incident or action; oldest dropped first
 * </pre>
 *
 * @param maxIncidents                  how many incidents the console keeps in memory; past it, the
 *                                      oldest resolved ones are forgotten first (open ones never are)
 * @param maxOrphanEntries              how many timeline entries, actions and results the console keeps
 *                                      while their incident (or, for a result, its action) has not been read yet
 * @param maxTimelineEntriesPerIncident how many steps of one incident's timeline are kept: the first
 *                                      tenth and the most recent rest; the detail says how many were dropped
 * @param maxActionsPerIncident         how many actions of one incident are kept, the same way
 * @param retention                     resolved incidents whose {@code resolvedAt} is older are forgotten
 *                                      even while there is room under {@code maxIncidents}
 */
public record ConsoleConfig(
        Integer maxIncidents,
        Integer maxOrphanEntries,
        Integer maxTimelineEntriesPerIncident,
        Integer maxActionsPerIncident,
        Duration retention) {
    /** Below this the "first tenth" of a timeline or action list would be empty. */
    static final int MIN_PER_INCIDENT = 10;

    public ConsoleConfig {
        maxIncidents = maxIncidents == null ? 10_000 : maxIncidents;
        maxOrphanEntries = maxOrphanEntries == null ? 10_000 : maxOrphanEntries;
        maxTimelineEntriesPerIncident = maxTimelineEntriesPerIncident == null ? 1_000 : maxTimelineEntriesPerIncident;
        maxActionsPerIncident = maxActionsPerIncident == null ? 100 : maxActionsPerIncident;
        retention = retention == null ? Duration.ofDays(30) : retention;
    }

    public static ConsoleConfig defaults() {
        return new ConsoleConfig(null, null, null, null, null);
    }

    /** The defaults with another {@code maxIncidents}. */
    public static ConsoleConfig withMaxIncidents(int maxIncidents) {
        return new ConsoleConfig(maxIncidents, null, null, null, null);
    }

    /** Every problem, each starting with its key path. */
    public List<String> validate() {
        List<String> problems = new ArrayList<>();
        if (maxIncidents < 1) {
            problems.add("console.maxIncidents must be at least 1, got " + maxIncidents);
        }
        if (maxOrphanEntries < 0) {
            problems.add("console.maxOrphanEntries must be 0 or more (0 drops every record that arrives before"
                    + " its incident), got " + maxOrphanEntries);
        }
        if (maxTimelineEntriesPerIncident < MIN_PER_INCIDENT) {
            problems.add("console.maxTimelineEntriesPerIncident must be at least " + MIN_PER_INCIDENT
                    + " (the first tenth and the most recent rest are kept), got " + maxTimelineEntriesPerIncident);
        }
        if (maxActionsPerIncident < MIN_PER_INCIDENT) {
            problems.add("console.maxActionsPerIncident must be at least " + MIN_PER_INCIDENT
                    + " (the first tenth and the most recent rest are kept), got " + maxActionsPerIncident);
        }
        if (retention.isNegative() || retention.isZero()) {
            problems.add("console.retention must be a positive duration such as 30d or 12h, got " + retention);
        }
        return problems;
    }
}
