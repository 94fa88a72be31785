package io.reflex.ingest.publish;

import java.util.ArrayList;
import java.util.List;

/**
 * The bounds of the alert publisher (YAML {@code ingest.publish}): how much one Kafka
 * transaction carries and how much may wait for one. The queue is bounded so memory stays flat
 * while Kafka is down: over it, a publish fails at once (the webhook answers 503) instead of
 * buffering.
 *
 * @param maxBatchAlerts     alerts (records) in one transaction
 * @param maxBatchBytes      serialized bytes in one transaction; one request larger than this still
 *                           goes alone, since a request is never split across transactions
 * @param maxQueuedAlerts    alerts waiting for a transaction
 * @param maxQueuedBytes     serialized bytes waiting for a transaction; a request is always admitted
 *                           into an empty queue, so one larger than this is not refused forever
 * @param deadLetterMaxBytes the largest dead letter: a dead-lettered alert has its labels and
 *                           annotations cut until it fits
 */
public record PublishLimits(Integer maxBatchAlerts, Long maxBatchBytes, Integer maxQueuedAlerts, Long maxQueuedBytes,
                            Integer deadLetterMaxBytes, Integer committers) {

    public static final int DEFAULT_MAX_BATCH_ALERTS = 500;
    public static final long DEFAULT_MAX_BATCH_BYTES = 1L << 20;
    public static final int DEFAULT_MAX_QUEUED_ALERTS = 10_000;
    public static final long DEFAULT_MAX_QUEUED_BYTES = 16L << 20;
    public static final int DEFAULT_DEAD_LETTER_MAX_BYTES = 16 << 10;
    /**
     * Transactions in flight at once. One transaction costs a few round trips to the broker
     * whatever its size; several committers overlap them, so throughput grows with them.
     */
    public static final int DEFAULT_COMMITTERS = 2;

    /** Below this a dead letter could not hold the alert's identity and the reason. */
    static final int MIN_DEAD_LETTER_BYTES = 4 << 10;

    public PublishLimits {
        maxBatchAlerts = maxBatchAlerts == null ? DEFAULT_MAX_BATCH_ALERTS : maxBatchAlerts;
        maxBatchBytes = maxBatchBytes == null ? DEFAULT_MAX_BATCH_BYTES : maxBatchBytes;
        maxQueuedAlerts = maxQueuedAlerts == null ? DEFAULT_MAX_QUEUED_ALERTS : maxQueuedAlerts;
        maxQueuedBytes = maxQueuedBytes == null ? DEFAULT_MAX_QUEUED_BYTES : maxQueuedBytes;
        deadLetterMaxBytes = deadLetterMaxBytes == null ? DEFAULT_DEAD_LETTER_MAX_BYTES : deadLetterMaxBytes;
        committers = committers == null ? DEFAULT_COMMITTERS : committers;
    }

    /** One committer's share: the queue bounds are split so that all of them together keep the configured bounds. */
    public PublishLimits perCommitter() {
        return new PublishLimits(maxBatchAlerts, maxBatchBytes, Math.max(maxBatchAlerts, maxQueuedAlerts / committers),
                Math.max(maxBatchBytes, maxQueuedBytes / committers), deadLetterMaxBytes, 1);
    }

    public static PublishLimits defaults() {
        return new PublishLimits(null, null, null, null, null, null);
    }

    /** Every problem, as "publish.key: problem" lines; empty when valid. */
    public List<String> validate() {
        List<String> problems = new ArrayList<>();
        atLeast(problems, "maxBatchAlerts", maxBatchAlerts, 1);
        atLeast(problems, "maxBatchBytes", maxBatchBytes, 1);
        atLeast(problems, "maxQueuedAlerts", maxQueuedAlerts, 1);
        atLeast(problems, "maxQueuedBytes", maxQueuedBytes, 1);
        atLeast(problems, "deadLetterMaxBytes", deadLetterMaxBytes, MIN_DEAD_LETTER_BYTES);
        atLeast(problems, "committers", committers, 1);
        return problems;
    }

    /** @throws IllegalArgumentException listing every problem */
    public PublishLimits requireValid() {
        List<String> problems = validate();
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid ingest.publish settings: " + String.join("; ", problems));
        }
        return this;
    }

    private static void atLeast(List<String> problems, String key, long value, long min) {
        if (value < min) {
            problems.add("publish." + key + ": must be at least " + min + ", got " + value);
        }
    }
}
