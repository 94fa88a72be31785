package io.reflex.ingest.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
    private static final long SECOND = 1_000_000_000L;
    private static final long MS = 1_000_000L;

    /** Starts far from zero and near the wrap-around of nanoTime, which must not matter. */
    private final AtomicLong nanos = new AtomicLong(Long.MAX_VALUE - 3 * SECOND);

    private RateLimiter limiter(double rate, int burst) {
        return new RateLimiter(RateLimitConfig.of(rate, burst), nanos::get);
    }

    private static int allowedOf(RateLimiter limiter, int attempts) {
        int allowed = 0;
        for (int i = 0; i < attempts; i++) {
            if (limiter.tryAcquire(1).allowed()) {
                allowed++;
            }
        }
        return allowed;
    }

    @Test
    void allowsTheBurstAtOnceThenRefuses() {
        RateLimiter limiter = limiter(10, 20);

        assertThat(allowedOf(limiter, 25)).isEqualTo(20);
        RateLimiter.Decision refused = limiter.tryAcquire();
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.retryAfterSeconds()).isEqualTo(1);
    }

    @Test
    void refillsAtTheRate() {
        RateLimiter limiter = limiter(10, 5);
        assertThat(allowedOf(limiter, 5)).isEqualTo(5);

        nanos.addAndGet(99 * MS);
        assertThat(limiter.tryAcquire().allowed()).as("not a whole permit yet").isFalse();
        nanos.addAndGet(MS);
        assertThat(limiter.tryAcquire().allowed()).as("one permit after 100 ms").isTrue();
        assertThat(limiter.tryAcquire().allowed()).isFalse();

        nanos.addAndGet(300 * MS);
        assertThat(allowedOf(limiter, 10)).isEqualTo(3);
    }

    @Test
    void neverHoldsMoreThanTheBurst() {
        RateLimiter limiter = limiter(10, 5);

        nanos.addAndGet(3600 * SECOND);

        assertThat(allowedOf(limiter, 100)).isEqualTo(5);
    }

    @Test
    void sustainsTheRateOverTime() {
        RateLimiter limiter = limiter(10, 1);
        int allowed = 0;
        for (int ms = 0; ms < 10_000; ms++) {
            if (limiter.tryAcquire().allowed()) {
                allowed++;
            }
            nanos.addAndGet(MS);
        }

        assertThat(allowed).isEqualTo(100); // 10/s for 10 s, the first from the full bucket
    }

    @Test
    void roundsRetryAfterUpToWholeSecondsAndAtLeastOne() {
        RateLimiter fast = limiter(1000, 1);
        fast.tryAcquire();
        assertThat(fast.tryAcquire().retryAfterSeconds()).as("1 ms away").isEqualTo(1);

        RateLimiter slow = limiter(0.5, 1);
        slow.tryAcquire();
        assertThat(slow.tryAcquire().retryAfterSeconds()).as("exactly 2 s away").isEqualTo(2);
        nanos.addAndGet(1500 * MS);
        assertThat(slow.tryAcquire().retryAfterSeconds()).as("0.5 s away").isEqualTo(1);

        RateLimiter third = limiter(0.3, 1);
        third.tryAcquire();
        assertThat(third.tryAcquire().retryAfterSeconds()).as("3.33 s away").isEqualTo(4);
    }

    @Test
    void aRefusedRequestTakesNothing() {
        RateLimiter limiter = limiter(1, 2);
        limiter.tryAcquire(2);
        for (int i = 0; i < 50; i++) {
            assertThat(limiter.tryAcquire().allowed()).isFalse();
        }

        nanos.addAndGet(SECOND);

        assertThat(limiter.tryAcquire().allowed()).isTrue();
    }

    @Test
    void takesSeveralPermitsAtOnceAndSaysWhenAllAreBack() {
        RateLimiter limiter = limiter(2, 4);
        assertThat(limiter.tryAcquire(3).allowed()).isTrue();

        RateLimiter.Decision refused = limiter.tryAcquire(3);

        assertThat(refused.allowed()).isFalse();
        assertThat(refused.retryAfterSeconds()).as("two more permits at 2/s").isEqualTo(1);
        assertThat(limiter.tryAcquire(1).allowed()).isTrue();
        assertThatThrownBy(() -> limiter.tryAcquire(5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("burst (4)");
        assertThatThrownBy(() -> limiter.tryAcquire(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void grantsExactlyTheBurstToConcurrentCallers() throws Exception {
        RateLimiter limiter = limiter(1, 1000);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                results.add(pool.submit(() -> {
                    start.await();
                    return allowedOf(limiter, 500);
                }));
            }
            start.countDown();
            int allowed = 0;
            for (Future<Integer> result : results) {
                allowed += result.get(30, TimeUnit.SECONDS);
            }

            assertThat(allowed).isEqualTo(1000);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aSourceWithoutRateLimitIsUnlimited() {
        RateLimiter limiter = RateLimiter.of(null, nanos::get);

        assertThat(limiter.isUnlimited()).isTrue();
        assertThat(allowedOf(limiter, 100_000)).isEqualTo(100_000);
        assertThat(limiter).hasToString("unlimited");
        assertThat(RateLimiter.of(RateLimitConfig.of(5, 5), nanos::get).isUnlimited()).isFalse();
    }

    @Test
    void readsTheConfigFromYamlWithADefaultBurst() throws Exception {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());

        assertThat(yaml.readValue("{ratePerSecond: 10, burst: 20}", RateLimitConfig.class))
                .isEqualTo(RateLimitConfig.of(10, 20));
        assertThat(yaml.readValue("ratePerSecond: 2.5", RateLimitConfig.class).burst()).isEqualTo(3);
        assertThat(yaml.readValue("ratePerSecond: 0.1", RateLimitConfig.class).burst()).isEqualTo(1);
        assertThat(RateLimitConfig.of(2.5, 3).validate("rateLimit")).isEmpty();
        assertThat(new RateLimiter(RateLimitConfig.of(2.5, 3), nanos::get)).hasToString("2.500/s, burst 3");
    }

    @Test
    void reportsEveryProblemOfTheConfig() {
        assertThat(new RateLimitConfig(null, null).validate("ingest.sources.grafana.rateLimit")).containsExactly(
                "ingest.sources.grafana.rateLimit.ratePerSecond: missing; requests per second, e.g. 10 "
                        + "(remove rateLimit for no limit)");
        assertThat(new RateLimitConfig(0.0, 0).validate("rateLimit")).containsExactly(
                "rateLimit.ratePerSecond: must be from 0.001 to 1000000, got 0.0",
                "rateLimit.burst: must be from 1 to 1000000, got 0");
        assertThat(new RateLimitConfig(Double.NaN, 5).validate("rateLimit")).hasSize(1);
        assertThat(new RateLimitConfig(-1.0, null).validate("rateLimit")).hasSize(1);
        assertThatThrownBy(() -> new RateLimiter(new RateLimitConfig(0.0, 1), nanos::get))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ratePerSecond");
    }
}
