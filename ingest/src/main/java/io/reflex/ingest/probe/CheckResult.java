package io.reflex.ingest.probe;

/**
 * The outcome of one probe check.
 *
 * @param healthy whether the check passed
 * @param detail  what happened, one short line, e.g. {@code HTTP 503}, {@code connection refused}, {@code exit code 2}
 * @param output  the last lines a command printed, for the alert summary only (never logged: it may be
 *                anything); empty when there is none
 */
public record CheckResult(boolean healthy, String detail, String output) {

    public CheckResult {
        output = output == null ? "" : output;
    }

    public static CheckResult up(String detail) {
        return new CheckResult(true, detail, "");
    }

    public static CheckResult down(String detail) {
        return new CheckResult(false, detail, "");
    }

    public static CheckResult down(String detail, String output) {
        return new CheckResult(false, detail, output);
    }
}
