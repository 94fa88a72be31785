package io.reflex.bench;

import io.reflex.model.AlertEvent;
import io.reflex.model.AlertStatus;
import io.reflex.model.Resource;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The alerts of the rules benchmark, the same sequence on every run: one every millisecond from
 * the start ({@link #START} unless given); a fixed share of them (spread evenly) carry a name some
 * rule matches, cycling through those names; the others carry names no rule knows. The instance
 * is drawn from a seeded random, so that name and instance are not locked together by the cycles.
 */
final class RulesAlerts {
    /** The pseudo time of the first alert. */
    static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    private static final int OTHER_NAMES = 50;
    private static final long SEED = 20_260_101L;

    private final Instant start;
    private final List<String> matchingNames;
    private final double matchShare;
    private final String[] instances;
    private final Resource[] resources;
    private final String[] others = new String[OTHER_NAMES];
    private final SplittableRandom random = new SplittableRandom(SEED);
    private long index;
    private long matching;
    private double owed;

    RulesAlerts(List<String> matchingNames, double matchShare, int instanceCount) {
        this(matchingNames, matchShare, instanceCount, START);
    }

    /** @param start the time of the first alert (the stage benchmark starts at the wall clock) */
    RulesAlerts(List<String> matchingNames, double matchShare, int instanceCount, Instant start) {
        this.start = start;
        this.matchingNames = matchingNames;
        this.matchShare = matchShare;
        this.instances = new String[instanceCount];
        this.resources = new Resource[instanceCount];
        for (int i = 0; i < instanceCount; i++) {
            instances[i] = "inst-" + i;
            resources[i] = Resource.of("host", instances[i]);
        }
        for (int i = 0; i < OTHER_NAMES; i++) {
            others[i] = "Unmatched" + i;
        }
    }

    /** The next alert; its time is the start plus its index in milliseconds. */
    AlertEvent next() {
        long n = index++;
        // Bresenham-like spreading: exactly round(share * n) of the first n alerts match.
        owed += matchShare;
        String name;
        if (owed >= 1) {
            owed -= 1;
            name = matchingNames.get((int) (matching++ % matchingNames.size()));
        } else {
            name = others[(int) (n % OTHER_NAMES)];
        }
        int instance = random.nextInt(instances.length);
        Instant at = start.plusMillis(n);
        String id = "alt-" + n;
        return new AlertEvent(id, "bench", name, AlertStatus.FIRING, "warning", resources[instance],
                Map.of("alertname", name, "instance", instances[instance]), Map.of(), at, null, at, id, null);
    }

    long matching() {
        return matching;
    }
}
