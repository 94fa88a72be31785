package io.reflex.ingest.auth;

import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The signed messages accepted recently, each remembered until its own signature would be
 * stale anyway (timestamp + tolerance), so memory is bounded by the traffic of one tolerance
 * window and by {@code capacity}.
 *
 * <p>When full, the entry closest to expiry is dropped: it is the one a replay could use for the
 * shortest time. That weakens replay protection for it, so a warning is logged (at most once a
 * minute) asking for a larger {@code replayCapacity} or a lower rate limit.
 */
final class ReplayCache {
    private static final Logger LOG = LoggerFactory.getLogger(ReplayCache.class);
    private static final long WARN_EVERY_MS = 60_000;

    private record Entry(long expiresAtMs, String key) {
    }

    private static final Comparator<Entry> BY_EXPIRY = Comparator.comparingLong(Entry::expiresAtMs)
            .thenComparing(Entry::key);

    private final String source;
    private final int capacity;
    private final Map<String, Long> expiries = new HashMap<>();
    private final TreeSet<Entry> byExpiry = new TreeSet<>(BY_EXPIRY);
    private long evictedEarly;
    private long lastWarningMs = Long.MIN_VALUE;

    ReplayCache(String source, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("replay capacity must be at least 1, got " + capacity);
        }
        this.source = source;
        this.capacity = capacity;
    }

    /**
     * Remembers {@code key} until {@code expiresAtMs}.
     *
     * @return true when it was new; false when it is already remembered (a replay)
     */
    synchronized boolean add(String key, long expiresAtMs, long nowMs) {
        purge(nowMs);
        if (expiries.containsKey(key)) {
            return false;
        }
        if (expiries.size() >= capacity) {
            Entry oldest = byExpiry.pollFirst();
            expiries.remove(oldest.key());
            evictedEarly++;
            if (lastWarningMs == Long.MIN_VALUE || nowMs - lastWarningMs >= WARN_EVERY_MS) {
                lastWarningMs = nowMs;
                LOG.warn("source {}: more than {} signed webhooks within the signature tolerance; forgetting the "
                        + "oldest before it expires, so it could be replayed. Raise auth.replayCapacity or lower "
                        + "the source's rate limit ({} forgotten early so far)", source, capacity, evictedEarly);
            }
        }
        expiries.put(key, expiresAtMs);
        byExpiry.add(new Entry(expiresAtMs, key));
        return true;
    }

    /** Forgets {@code key}, so the same message is accepted again. */
    synchronized void remove(String key) {
        Long expiresAtMs = expiries.remove(key);
        if (expiresAtMs != null) {
            byExpiry.remove(new Entry(expiresAtMs, key));
        }
    }

    synchronized int size(long nowMs) {
        purge(nowMs);
        return expiries.size();
    }

    /** Entries dropped because the cache was full, before they expired. */
    synchronized long evictedEarly() {
        return evictedEarly;
    }

    private void purge(long nowMs) {
        while (!byExpiry.isEmpty() && byExpiry.first().expiresAtMs() < nowMs) {
            expiries.remove(byExpiry.pollFirst().key());
        }
    }
}
