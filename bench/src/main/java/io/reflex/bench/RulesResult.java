package io.reflex.bench;

/**
 * One measured ruleset of the rules benchmark.
 *
 * @param gcSeconds collection time (all collectors) while the alerts were fed; it is inside {@code seconds}
 */
record RulesResult(String ruleset, int rules, double compileSeconds, long alerts, long matching, long actions,
        long failures, double seconds, double gcSeconds, double p50Micros, double p99Micros, double heapMegabytes, long facts) {

    double alertsPerSecond() {
        return alerts / seconds;
    }

    String row() {
        return String.format("| %s | %d | %.2f | %,d | %,d | %,d | %d | %,.0f | %.1f | %.1f | %.1f | %,.0f | %,d |", ruleset,
                rules, compileSeconds, alerts, matching, actions, failures, alertsPerSecond(), p50Micros, p99Micros,
                gcSeconds,
                heapMegabytes, facts);
    }

    static String header() {
        return "| ruleset | rules | compile s | alerts | matching | actions | failures | alerts/s | p50 µs | p99 µs"
                + " | GC s | live heap MB | facts held |\n"
                + "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |";
    }
}
