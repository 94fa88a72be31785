package io.reflex.ingest.auth;

import java.util.ArrayList;
import java.util.List;

/**
 * The rate limit of one source (YAML: the {@code rateLimit} section of a source; no section means
 * unlimited): a token bucket that refills at {@code ratePerSecond} and holds at most
 * {@code burst} requests.
 *
 * <pre>{@code
 * rateLimit:
 *   ratePerSecond: 10     # sustained requests per second; 0.5 = one every 2 s
 *   burst: 20             # requests at once after a quiet spell (default: ratePerSecond rounded up, at least 1)
 * }</pre>
 *
 * <p>One webhook costs one permit, whatever number of alerts it carries. The alerts per request
 * are bounded by {@code ingest.limits.maxAlertsPerRequest} already, and Alertmanager batches a
 * whole group in one request after an outage: charging per alert would refuse exactly those
 * batches, forever once one is larger than the burst, with a Retry-After that could never be met.
 *
 * @param ratePerSecond sustained requests per second, from {@value #MIN_RATE} to {@value #MAX_RATE}
 * @param burst         bucket size, 1 to {@value #MAX_BURST}
 */
public record RateLimitConfig(Double ratePerSecond, Integer burst) {

    public static final double MIN_RATE = 0.001;
    public static final double MAX_RATE = 1_000_000;
    public static final int MAX_BURST = 1_000_000;

    public RateLimitConfig {
        if (burst == null && ratePerSecond != null && Double.isFinite(ratePerSecond) && ratePerSecond > 0) {
            burst = (int) Math.max(1, Math.min(MAX_BURST, Math.ceil(ratePerSecond)));
        }
    }

    public static RateLimitConfig of(double ratePerSecond, int burst) {
        return new RateLimitConfig(ratePerSecond, burst);
    }

    /**
     * Every problem, each as {@code "<path>.<key>: problem"}; empty when valid.
     *
     * @param path where this section is, e.g. {@code ingest.sources.grafana.rateLimit}
     */
    public List<String> validate(String path) {
        List<String> problems = new ArrayList<>();
        String p = path == null || path.isEmpty() ? "" : path + ".";
        if (ratePerSecond == null) {
            problems.add(p + "ratePerSecond: missing; requests per second, e.g. 10 (remove rateLimit for no limit)");
        } else if (!Double.isFinite(ratePerSecond) || ratePerSecond < MIN_RATE || ratePerSecond > MAX_RATE) {
            problems.add(p + "ratePerSecond: must be from " + MIN_RATE + " to " + (long) MAX_RATE + ", got "
                    + ratePerSecond);
        }
        if (burst != null && (burst < 1 || burst > MAX_BURST)) {
            problems.add(p + "burst: must be from 1 to " + MAX_BURST + ", got " + burst);
        }
        return problems;
    }
}
