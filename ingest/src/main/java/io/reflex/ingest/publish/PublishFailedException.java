package io.reflex.ingest.publish;

/**
 * A publish that stored nothing: every alert of the request is absent from {@code reflex.alerts}
 * and {@code reflex.alerts.dlq} (see {@link Reason#UNCONFIRMED} for the one exception, which a
 * resend repairs). The webhook answers 503 with {@code Retry-After}; a resend is safe.
 */
public final class PublishFailedException extends RuntimeException {

    public enum Reason {
        /** The publish queue is at its bound (Kafka slow or down): refused at once, nothing queued. */
        QUEUE_FULL("queue_full"),
        /** Waited in the queue until the deadline without reaching Kafka. */
        TIMED_OUT("timed_out"),
        /**
         * Its transaction was under way when the deadline came and Kafka had not confirmed it.
         * Kafka may still commit it; this publisher then remembers the alerts, and a resend of
         * them is acknowledged without storing them a second time.
         */
        UNCONFIRMED("unconfirmed"),
        /** Kafka failed or aborted the transaction. */
        KAFKA("kafka"),
        /** Kafka refused even the cut-down dead letter of an alert; check {@code reflex.alerts.dlq}. */
        DEAD_LETTER_REFUSED("dead_letter_refused"),
        /** Some alerts were dead-lettered; only from the all-or-nothing {@code publish}. */
        DEAD_LETTERED("dead_lettered"),
        /** The publisher is closed or closing. */
        CLOSED("closed");

        private final String code;

        Reason(String code) {
            this.code = code;
        }

        /** Lower-case code, for logs, metrics and error bodies. */
        public String code() {
            return code;
        }
    }

    private final Reason reason;

    public PublishFailedException(Reason reason, String message) {
        this(reason, message, null);
    }

    public PublishFailedException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
