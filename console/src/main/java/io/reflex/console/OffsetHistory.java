package io.reflex.console;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * End offsets of one topic sampled over time, kept for a window, giving a write rate: the
 * offsets added between the oldest and newest sample in the window, per second. Not thread-safe.
 */
final class OffsetHistory {
    private record Sample(Instant at, long endOffset) {
    }

    private final Duration window;
    private final Deque<Sample> samples = new ArrayDeque<>();

    OffsetHistory(Duration window) {
        this.window = window;
    }

    void add(Instant at, long endOffset) {
        if (!samples.isEmpty() && endOffset < samples.peekLast().endOffset()) {
            samples.clear(); // the topic was deleted and made again: the old offsets say nothing about it
        }
        samples.addLast(new Sample(at, endOffset));
        Instant oldest = at.minus(window);
        while (samples.size() > 1 && samples.peekFirst().at().isBefore(oldest)) {
            samples.removeFirst();
        }
    }

    Long endOffset() {
        return samples.isEmpty() ? null : samples.peekLast().endOffset();
    }

    /** Records per second over the window, or null before two samples some time apart. */
    Double ratePerSecond() {
        if (samples.size() < 2) {
            return null;
        }
        Sample first = samples.peekFirst();
        Sample last = samples.peekLast();
        double seconds = Duration.between(first.at(), last.at()).toNanos() / 1e9;
        return seconds <= 0 ? null : (last.endOffset() - first.endOffset()) / seconds;
    }
}
