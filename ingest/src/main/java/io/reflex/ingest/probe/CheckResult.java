package io.reflex.ingest.probe;

/**
 * The outcome of one probe check.
 *
 * @param healthy whether the target answered 2xx in time
 * @param detail  what happened, e.g. {@code HTTP 200}, {@code HTTP 503}, {@code connection refused}
 */
public record CheckResult(boolean healthy, String detail) {

    public static CheckResult up(String detail) {
        return new CheckResult(true, detail);
    }

    public static CheckResult down(String detail) {
        return new CheckResult(false, detail);
    }
}
