package io.reflex.ingest.auth;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The token bucket of one source, thread-safe and lock-free. Implemented as the generic cell
 * rate algorithm: one {@code long}, the time at which the bucket would be full again, moved
 * forward by one emission interval per permit, so the arithmetic is exact integer nanoseconds
 * and "refill" needs no timer. Starts full.
 *
 * <p>Time comes from a monotonic nanosecond source ({@code System::nanoTime} in the app, a
 * counter in tests); differences are compared, never absolute values, so its wrap-around is harmless.
 */
public final class RateLimiter {

    /**
     * @param allowed           whether the request may go on
     * @param retryAfterSeconds when refused: the {@code Retry-After} to answer with the 429,
     *                          whole seconds rounded up, at least 1; 0 when allowed
     */
    public record Decision(boolean allowed, long retryAfterSeconds) {
        static final Decision ALLOWED = new Decision(true, 0);

        static Decision refused(long retryAfterSeconds) {
            return new Decision(false, retryAfterSeconds);
        }
    }

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final LongSupplier nanoTime;
    private final long intervalNanos;
    private final long burst;
    private final long toleranceNanos;
    private final AtomicLong fullAt;

    /**
     * @param config   a valid config ({@link RateLimitConfig#validate})
     * @param nanoTime a monotonic clock in nanoseconds, e.g. {@code System::nanoTime}
     * @throws IllegalArgumentException when the config is not valid
     */
    public RateLimiter(RateLimitConfig config, LongSupplier nanoTime) {
        java.util.List<String> problems = config.validate("rateLimit");
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        this.nanoTime = nanoTime;
        this.intervalNanos = Math.max(1, Math.round(NANOS_PER_SECOND / config.ratePerSecond()));
        this.burst = config.burst();
        this.toleranceNanos = intervalNanos * burst;
        this.fullAt = new AtomicLong(nanoTime.getAsLong());
    }

    private RateLimiter() {
        this.nanoTime = () -> 0;
        this.intervalNanos = 0;
        this.burst = Long.MAX_VALUE;
        this.toleranceNanos = 0;
        this.fullAt = null;
    }

    /** A limiter that allows everything. */
    public static RateLimiter unlimited() {
        return new RateLimiter();
    }

    /** The limiter of a source's {@code rateLimit} section; unlimited when there is none (null). */
    public static RateLimiter of(RateLimitConfig configOrNull, LongSupplier nanoTime) {
        return configOrNull == null ? unlimited() : new RateLimiter(configOrNull, nanoTime);
    }

    public boolean isUnlimited() {
        return fullAt == null;
    }

    /** {@code tryAcquire(1)}: one webhook. */
    public Decision tryAcquire() {
        return tryAcquire(1);
    }

    /**
     * Takes {@code permits} from the bucket if it holds them; otherwise takes nothing and says
     * when to retry.
     *
     * @throws IllegalArgumentException when {@code permits} is below 1 or above the burst, which
     *                                  could never be granted
     */
    public Decision tryAcquire(int permits) {
        if (permits < 1 || permits > burst) {
            throw new IllegalArgumentException("permits must be from 1 to the burst (" + burst + "), got " + permits);
        }
        if (fullAt == null) {
            return Decision.ALLOWED;
        }
        long cost = intervalNanos * permits;
        while (true) {
            long now = nanoTime.getAsLong();
            long current = fullAt.get();
            long base = current - now > 0 ? current : now; // an empty-enough bucket starts filling from now
            long next = base + cost;
            long excess = next - now - toleranceNanos;
            if (excess > 0) {
                return Decision.refused(Math.max(1, (excess + NANOS_PER_SECOND - 1) / NANOS_PER_SECOND));
            }
            if (fullAt.compareAndSet(current, next)) {
                return Decision.ALLOWED;
            }
        }
    }

    @Override
    public String toString() {
        return isUnlimited() ? "unlimited"
                : String.format(java.util.Locale.ROOT, "%.3f/s, burst %d", NANOS_PER_SECOND / (double) intervalNanos, burst);
    }
}
