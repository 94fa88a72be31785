package io.reflex.rules;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens when a stream thread dies: it is replaced (a broker restart, a fenced producer
 * or a timeout heal on retry), unless threads keep dying, in which case the stage shuts down.
 *
 * <p>Replacing forever would be wrong for a failure that repeats on the same record: the new
 * thread re-reads it from the last commit and dies again, in a loop that looks alive. A
 * stopped stage is visible ({@code /health}, {@link RulesStage#running()}). Bad JSON on the
 * alerts topic never gets here: the deserialization handler logs and skips it.
 */
final class StreamThreadFailures implements StreamsUncaughtExceptionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(StreamThreadFailures.class);

    static final int MAX_REPLACEMENTS = 3;
    static final Duration WINDOW = Duration.ofMinutes(5);

    private final Clock clock;
    private final Deque<Instant> failures = new ArrayDeque<>();

    StreamThreadFailures(Clock clock) {
        this.clock = clock;
    }

    @Override
    public synchronized StreamThreadExceptionResponse handle(Throwable error) {
        Instant now = clock.instant();
        while (!failures.isEmpty() && failures.peekFirst().isBefore(now.minus(WINDOW))) {
            failures.removeFirst();
        }
        failures.addLast(now);
        if (failures.size() > MAX_REPLACEMENTS) {
            LOG.error("rules stage: a stream thread died for the {}th time within {}; shutting the stage down"
                    + " instead of replacing it again. Fix the cause below and restart.", failures.size(), WINDOW,
                    error);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        LOG.error("rules stage: a stream thread died ({} of {} tolerated within {}); replacing it, it resumes from"
                + " the last commit", failures.size(), MAX_REPLACEMENTS, WINDOW, error);
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }
}
