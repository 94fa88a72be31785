package io.reflex.bench;

/**
 * One measured phase of the rules-stage benchmark.
 *
 * @param commitIntervalMs the stage's {@code commit.interval.ms}: under exactly_once_v2 an action becomes readable
 *                         (read_committed) only when the transaction holding it commits
 * @param mode             {@code paced N/s} (steady offered load) or {@code flood} (every alert sent at once)
 * @param alerts           alerts measured in the phase (warm-up excluded)
 * @param seconds          from the first send to the stage's commit of the last alert's offset
 * @param actions          actions matched to an alert of the phase (through the RULE_FIRED timeline entry)
 * @param latencies        alert sent to its action readable, one sample per action
 */
record StageLatency(int commitIntervalMs, String mode, long alerts, double seconds, long actions,
        Latencies latencies) {

    double alertsPerSecond() {
        return alerts / seconds;
    }

    String row() {
        return String.format("| %d | %s | %,d | %,.0f | %,d | %.0f | %.0f | %.0f | %.0f |", commitIntervalMs, mode, alerts,
                alertsPerSecond(), actions, latencies.quantileMillis(0.50), latencies.quantileMillis(0.90),
                latencies.quantileMillis(0.99), latencies.quantileMillis(1.0));
    }

    static String header() {
        return "| commit.interval.ms | load | alerts | alerts/s | actions | p50 ms | p90 ms | p99 ms | max ms |\n"
                + "| --- | --- | --- | --- | --- | --- | --- | --- | --- |";
    }
}
