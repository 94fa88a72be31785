package io.reflex.ingest.publish;

/** A transaction that was not committed (or, when {@link #inDoubt()}, whose outcome is unknown). */
public final class WriteFailedException extends Exception {

    private final boolean inDoubt;

    public WriteFailedException(String message, boolean inDoubt, Throwable cause) {
        super(message, cause);
        this.inDoubt = inDoubt;
    }

    /** True when Kafka may have committed it after all (the writer was closed while waiting for the answer). */
    public boolean inDoubt() {
        return inDoubt;
    }
}
