package io.reflex.bench;

/** One measured scenario. */
record Result(String scenario, int batch, long alerts, long requests, long errors, double seconds, double p50Millis,
        double p99Millis) {

    double alertsPerSecond() {
        return alerts / seconds;
    }

    double requestsPerSecond() {
        return requests / seconds;
    }

    String row() {
        return String.format("| %s | %d | %,.0f | %,.0f | %.1f | %.1f | %d |", scenario, batch, alertsPerSecond(),
                requestsPerSecond(), p50Millis, p99Millis, errors);
    }

    static String header() {
        return "| scenario | alerts/request | alerts/s | requests/s | p50 ms | p99 ms | errors |\n"
                + "| --- | --- | --- | --- | --- | --- | --- |";
    }
}
