package io.reflex.ingest.publish;

import java.util.List;

/** Kafka refused some records of a transaction for themselves; the transaction was aborted. */
public final class RecordsRefusedException extends Exception {

    /**
     * @param index  the record's position in the list given to {@link BatchWriter#write}
     * @param reason {@link AlertRecords#RECORD_TOO_LARGE} or {@link AlertRecords#INVALID_RECORD}
     * @param error  Kafka's error, in one line
     */
    public record Refusal(int index, String reason, String error) {
    }

    private final List<Refusal> refusals;

    public RecordsRefusedException(List<Refusal> refusals) {
        super("Kafka refused " + refusals.size() + " record(s): " + refusals);
        this.refusals = List.copyOf(refusals);
    }

    public List<Refusal> refusals() {
        return refusals;
    }
}
