package io.reflex.ingest.publish;

import io.reflex.ingest.publish.RecordsRefusedException.Refusal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes each batch in one Kafka transaction with a transactional producer.
 *
 * <p>The order of a write decides what its failure means:
 * <ol>
 *   <li>send every record, flush, and wait for every acknowledgement (bounded by
 *       {@code delivery.timeout.ms}). A failure here means the commit was never sent: abort, and
 *       the batch is definitely not stored. Records Kafka refused for themselves are reported
 *       ({@link RecordsRefusedException}) so the caller can retry without them.</li>
 *   <li>commit. Only now can the outcome be unknown: a commit that times out may have reached
 *       the transaction coordinator. Kafka allows only retrying it then (not aborting), so it is
 *       retried until Kafka answers; the write returns or throws only with a known outcome.</li>
 * </ol>
 *
 * <p>Errors the producer cannot recover from (fenced, out-of-order sequence, authorization, a
 * transaction state broken by a broker restart, or an abort that timed out) close it; the next
 * write creates a new one with the same {@code transactional.id}, whose registration fences the
 * old one and aborts its open transaction, so no stale transaction holds back read_committed
 * readers.
 */
public final class KafkaBatchWriter implements BatchWriter {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaBatchWriter.class);

    /** Pause between commit retries whose failure came back at once, so the retry loop never spins. */
    private static final long COMMIT_RETRY_BACKOFF_MS = 200;

    private final Supplier<Producer<String, byte[]>> factory;
    private final String transactionalId;
    private final Duration ackBound;
    private final Duration closeTimeout;
    private final PublisherMetrics metrics;
    private final CountDownLatch closing = new CountDownLatch(1);

    /** Replaced by the writing thread, closed by {@link #close()}: guarded by {@code this}. */
    private Producer<String, byte[]> producer;
    /** Touched by the writing thread only. */
    private boolean initialized;

    /**
     * @param factory         creates a transactional producer; called now (so a bad configuration
     *                        fails at start) and again after each unrecoverable error
     * @param transactionalId the factory's {@code transactional.id}, for logs
     * @param ackBound        how long to wait for the acknowledgements of one batch's sends; past
     *                        {@code delivery.timeout.ms} Kafka fails them by itself
     * @param closeTimeout    how long {@link #close()} lets the producer finish
     */
    public KafkaBatchWriter(Supplier<Producer<String, byte[]>> factory, String transactionalId, Duration ackBound,
            Duration closeTimeout, PublisherMetrics metrics) {
        this.factory = factory;
        this.transactionalId = transactionalId;
        this.ackBound = ackBound;
        this.closeTimeout = closeTimeout;
        this.metrics = metrics;
        this.producer = factory.get();
    }

    @Override
    public void open() {
        try {
            ready();
        } catch (WriteFailedException e) {
            LOG.warn("Kafka is not ready for ingest yet ({}); webhooks are answered 503 until it is", e.getMessage());
        }
    }

    @Override
    public void write(List<TopicRecord> records) throws RecordsRefusedException, WriteFailedException {
        Producer<String, byte[]> current = begin();
        List<CompletableFuture<Exception>> acks = new ArrayList<>(records.size());
        RuntimeException failure = null;
        for (TopicRecord record : records) {
            CompletableFuture<Exception> ack = new CompletableFuture<>();
            acks.add(ack);
            try {
                current.send(new ProducerRecord<>(record.topic(), record.key(), record.value()),
                        (metadata, error) -> ack.complete(error));
            } catch (RuntimeException e) {
                // Thrown, not called back: the producer is in an error state or closed; the rest would fail alike.
                ack.complete(e);
                failure = e;
                break;
            }
        }
        if (failure == null) {
            try {
                // Sends now rather than after linger.ms; returns once every record is acknowledged or
                // failed, which Kafka bounds by delivery.timeout.ms.
                current.flush();
            } catch (RuntimeException e) {
                failure = e;
            }
        }
        // Also after a failure: the error a refused record caused can surface in a later send before
        // the refused record's own callback has run, and only that callback names the record.
        RuntimeException ackFailure = awaitAcks(acks);
        if (failure == null) {
            failure = ackFailure;
        }
        if (failure == null) {
            commit(current, records.size());
            return;
        }
        List<Refusal> refusals = refusals(acks);
        abortOrDiscard(current, failure);
        if (!refusals.isEmpty()) {
            throw new RecordsRefusedException(refusals);
        }
        throw new WriteFailedException("Kafka did not take the batch: " + describe(failure), false, failure);
    }

    /** A producer with its transactional state registered, or why there is none. */
    private Producer<String, byte[]> ready() throws WriteFailedException {
        Producer<String, byte[]> current;
        synchronized (this) {
            // Checked under the lock that close() takes, so no producer is created after it.
            if (closing.getCount() == 0) {
                throw new WriteFailedException("the Kafka writer is closed", false, null);
            }
            if (producer == null) {
                try {
                    producer = factory.get();
                } catch (RuntimeException e) {
                    throw new WriteFailedException("cannot create a Kafka producer: " + describe(e), false, e);
                }
                initialized = false;
            }
            current = producer;
        }
        if (!initialized) {
            try {
                current.initTransactions();
                initialized = true;
                LOG.info("Kafka producer with transactional.id {} registered; publishing alerts in transactions",
                        transactionalId);
            } catch (TimeoutException e) {
                // Safe to retry on the same producer: the next write does.
                throw new WriteFailedException("Kafka did not register transactional.id " + transactionalId
                        + " within max.block.ms; is Kafka reachable? (" + describe(e) + ")", false, e);
            } catch (RuntimeException e) {
                discard(current, e);
                throw new WriteFailedException("cannot register transactional.id " + transactionalId + ": "
                        + describe(e), false, e);
            }
        }
        return current;
    }

    private Producer<String, byte[]> begin() throws WriteFailedException {
        Producer<String, byte[]> current = ready();
        try {
            current.beginTransaction();
            return current;
        } catch (RuntimeException e) {
            // Nothing is sent yet: start over once with a fresh producer.
            discard(current, e);
        }
        current = ready();
        try {
            current.beginTransaction();
            return current;
        } catch (RuntimeException e) {
            discard(current, e);
            throw new WriteFailedException("cannot begin a Kafka transaction: " + describe(e), false, e);
        }
    }

    /** The first error among the acknowledgements (a record's own error first), or null when all arrived fine. */
    private RuntimeException awaitAcks(List<CompletableFuture<Exception>> acks) {
        try {
            CompletableFuture.allOf(acks.toArray(CompletableFuture<?>[]::new))
                    .get(ackBound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            return new TimeoutException("Kafka did not acknowledge the records within " + ackBound.toMillis() + " ms");
        } catch (ExecutionException e) {
            return new IllegalStateException("an acknowledgement failed unexpectedly", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new InterruptException(e);
        }
        Exception first = null;
        for (CompletableFuture<Exception> ack : acks) {
            Exception error = ack.join();
            if (error != null && (first == null || reason(error) != null && reason(first) == null)) {
                first = error;
            }
        }
        if (first == null) {
            return null;
        }
        return first instanceof RuntimeException runtime ? runtime : new IllegalStateException(first);
    }

    private static List<Refusal> refusals(List<CompletableFuture<Exception>> acks) {
        List<Refusal> refusals = new ArrayList<>();
        for (int i = 0; i < acks.size(); i++) {
            Exception error = acks.get(i).getNow(null);
            String reason = error == null ? null : reason(error);
            if (reason != null) {
                refusals.add(new Refusal(i, reason, describe(error)));
            }
        }
        return refusals;
    }

    /** The dead-letter reason when Kafka refused this record for itself; null for errors of the batch or of Kafka. */
    static String reason(Throwable error) {
        if (error instanceof RecordTooLargeException || error instanceof RecordBatchTooLargeException) {
            return AlertRecords.RECORD_TOO_LARGE;
        }
        if (error instanceof InvalidRecordException || error instanceof CorruptRecordException) {
            return AlertRecords.INVALID_RECORD;
        }
        return null;
    }

    /**
     * Commits; returns once Kafka confirmed. A timeout leaves the outcome unknown, and Kafka
     * allows only retrying then, so it retries until Kafka answers either way.
     */
    private void commit(Producer<String, byte[]> current, int records) throws WriteFailedException {
        long inDoubtSince = 0;
        while (true) {
            long attempt = System.nanoTime();
            try {
                current.commitTransaction();
                if (inDoubtSince != 0) {
                    LOG.info("Kafka confirmed the commit of {} record(s) after {} ms in doubt", records,
                            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - inDoubtSince));
                }
                return;
            } catch (TimeoutException e) {
                if (closing.getCount() == 0) {
                    throw new WriteFailedException("closed while Kafka had not confirmed a commit of " + records
                            + " record(s); they may or may not be stored", true, e);
                }
                if (inDoubtSince == 0) {
                    inDoubtSince = attempt;
                    LOG.warn("Kafka has not confirmed the commit of {} record(s) within max.block.ms ({}); the commit "
                            + "may have reached it, so it is retried until Kafka answers", records, describe(e));
                }
                if (TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - attempt) < COMMIT_RETRY_BACKOFF_MS
                        && pause(COMMIT_RETRY_BACKOFF_MS)) {
                    throw new WriteFailedException("closed while Kafka had not confirmed a commit of " + records
                            + " record(s); they may or may not be stored", true, e);
                }
            } catch (InterruptException e) {
                Thread.currentThread().interrupt();
                throw new WriteFailedException("interrupted while Kafka had not confirmed a commit of " + records
                        + " record(s); they may or may not be stored", true, e);
            } catch (RuntimeException e) {
                // Kafka answered, or the producer broke. Before any timeout that means "not committed";
                // after one, and after close, it proves nothing about a commit that may have landed.
                boolean inDoubt = inDoubtSince != 0 || closing.getCount() == 0;
                abortOrDiscard(current, e);
                throw new WriteFailedException("Kafka did not commit " + records + " record(s): " + describe(e)
                        + (inDoubt ? " (after the commit was in doubt: it may have landed)" : ""), inDoubt, e);
            }
        }
    }

    /** Sleeps unless closing; true when closing. */
    private boolean pause(long millis) {
        try {
            return closing.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    private void abortOrDiscard(Producer<String, byte[]> current, RuntimeException cause) {
        if (fatal(cause) || closing.getCount() == 0) {
            discard(current, cause);
            return;
        }
        try {
            current.abortTransaction();
        } catch (RuntimeException e) {
            // Often a timeout while Kafka is away. A fresh producer with the same transactional.id
            // fences this one once Kafka is back, which aborts the open transaction.
            discard(current, e);
        }
    }

    /** Errors after which the producer is unusable. */
    static boolean fatal(Throwable error) {
        for (Throwable e = error; e != null; e = e.getCause() == e ? null : e.getCause()) {
            if (e instanceof ProducerFencedException || e instanceof InvalidProducerEpochException
                    || e instanceof OutOfOrderSequenceException || e instanceof AuthorizationException
                    || e instanceof AuthenticationException || e instanceof UnsupportedVersionException
                    || e instanceof IllegalStateException) {
                return true;
            }
        }
        return false;
    }

    /** Closes the producer; the next write creates a new one with the same transactional.id. */
    private void discard(Producer<String, byte[]> current, Throwable cause) {
        synchronized (this) {
            if (producer != current) {
                return;
            }
            producer = null;
            initialized = false;
        }
        if (closing.getCount() != 0) {
            metrics.producerRestart();
            if (fatal(cause)) {
                LOG.error("the Kafka producer (transactional.id {}) failed for good ({}); closing it, the next publish "
                        + "starts a new one with the same transactional.id", transactionalId, describe(cause));
            } else {
                LOG.warn("closing the Kafka producer (transactional.id {}) after {}; the next publish starts a new one "
                        + "with the same transactional.id, which aborts its open transaction", transactionalId,
                        describe(cause));
            }
        }
        try {
            current.close(Duration.ZERO);
        } catch (RuntimeException e) {
            LOG.debug("closing a broken Kafka producer failed: {}", e.toString());
        }
    }

    @Override
    public void close() {
        closing.countDown();
        Producer<String, byte[]> current;
        synchronized (this) {
            current = producer;
            producer = null;
        }
        if (current != null) {
            // An open transaction is aborted by the producer as it closes.
            current.close(closeTimeout);
        }
    }

    /** A one-line description of a Kafka failure, for logs and error bodies. */
    public static String describe(Throwable error) {
        String message = error.getMessage();
        String type = error.getClass().getSimpleName();
        String text = message == null ? type : type + ": " + message;
        Throwable cause = error.getCause();
        if (cause != null && cause != error && cause.getMessage() != null && (message == null
                || !message.contains(cause.getMessage()))) {
            text += " (" + cause.getClass().getSimpleName() + ": " + cause.getMessage() + ")";
        }
        return text;
    }
}
