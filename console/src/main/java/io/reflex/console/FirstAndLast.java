package io.reflex.console;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * A list that keeps its first {@code head} and its most recent {@code tail} elements and counts
 * the ones dropped in between: the start of a long incident explains it, the end says where it
 * stands now. Not thread-safe; {@link IncidentView} guards it.
 */
final class FirstAndLast<T> {
    private final int headSize;
    private final int tailSize;
    private final List<T> head = new ArrayList<>();
    private final ArrayDeque<T> tail = new ArrayDeque<>();
    private int dropped;

    private FirstAndLast(int headSize, int tailSize) {
        this.headSize = headSize;
        this.tailSize = tailSize;
    }

    /** At most {@code max} elements (at least 2): the first tenth (at least one) and the most recent rest. */
    static <T> FirstAndLast<T> keeping(int max) {
        if (max < 2) {
            throw new IllegalArgumentException("keep at least 2 elements (the first and the latest), got " + max);
        }
        int head = Math.max(1, max / 10);
        return new FirstAndLast<>(head, max - head);
    }

    /** Appends; returns the element dropped to make room, or null when nothing was dropped. */
    T add(T item) {
        if (head.size() < headSize) {
            head.add(item);
            return null;
        }
        tail.addLast(item);
        if (tail.size() > tailSize) {
            dropped++;
            return tail.removeFirst();
        }
        return null;
    }

    boolean anyMatch(Predicate<? super T> test) {
        return head.stream().anyMatch(test) || tail.stream().anyMatch(test);
    }

    /** The kept elements, first ones then most recent ones, each part in the order added. */
    List<T> items() {
        List<T> all = new ArrayList<>(head.size() + tail.size());
        all.addAll(head);
        all.addAll(tail);
        return all;
    }

    int size() {
        return head.size() + tail.size();
    }

    /** How many elements were dropped from the middle. */
    int dropped() {
        return dropped;
    }
}
