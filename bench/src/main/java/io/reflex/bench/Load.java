package io.reflex.bench;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Closed-loop load: {@code concurrency} senders, each sending its next request as soon as the
 * previous one is answered, until the time is up. Bounded by count of senders and by time.
 */
final class Load {
    private final IngestBench.Sender sender;
    private final int concurrency;
    private final Latencies latencies = new Latencies();
    private final AtomicLong succeeded = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    Load(IngestBench.Sender sender, int concurrency) {
        this.sender = sender;
        this.concurrency = concurrency;
    }

    /** @return the seconds it ran */
    double run(Duration duration) throws InterruptedException {
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        CountDownLatch done = new CountDownLatch(concurrency);
        for (int i = 0; i < concurrency; i++) {
            next(end, done);
        }
        if (!done.await(duration.toSeconds() + 120, TimeUnit.SECONDS)) {
            throw new IllegalStateException("senders still waiting 2 minutes after the end: the system under test hangs");
        }
        return (System.nanoTime() - start) / 1e9;
    }

    private void next(long end, CountDownLatch done) {
        if (System.nanoTime() >= end) {
            done.countDown();
            return;
        }
        long sent = System.nanoTime();
        CompletableFuture<Boolean> answer;
        try {
            answer = sender.send();
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((ok, error) -> {
            latencies.add(System.nanoTime() - sent);
            if (error == null && Boolean.TRUE.equals(ok)) {
                succeeded.incrementAndGet();
            } else {
                failed.incrementAndGet();
            }
            next(end, done);
        });
    }

    Latencies latencies() {
        return latencies;
    }

    long succeeded() {
        return succeeded.get();
    }

    long failed() {
        return failed.get();
    }
}
