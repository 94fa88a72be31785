package io.reflex.ingest.publish;

import java.util.List;

/**
 * Writes records atomically: all of them become visible to read_committed consumers, or none.
 * {@link KafkaBatchWriter} in production; the {@link GroupCommitter} only needs this, so its
 * batching, bounds and deadlines are tested without Kafka.
 *
 * <p>Called from one thread only (the committer's), except {@link #close()}.
 */
public interface BatchWriter extends AutoCloseable {

    /** Prepares the first write (connects, registers); failures are logged, and the next write tries again. */
    default void open() {
    }

    /**
     * Writes every record in one transaction and returns once it is committed. Throws only when
     * the outcome is known to be "not committed", or when the writer was closed meanwhile
     * ({@link WriteFailedException#inDoubt()}). So it may block for long while Kafka is away with
     * a commit in flight: the caller bounds its own callers' waits.
     *
     * @throws RecordsRefusedException Kafka refused some records for themselves (too large, invalid);
     *                                 nothing was committed
     * @throws WriteFailedException    nothing was committed (or, after close, the outcome is unknown)
     */
    void write(List<TopicRecord> records) throws RecordsRefusedException, WriteFailedException;

    /** Stops: a write in progress ends soon after, by throwing. */
    @Override
    void close();
}
