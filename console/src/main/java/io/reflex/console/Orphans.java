package io.reflex.console;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Records that arrived before what they belong to (a timeline entry or an action before its
 * incident, a result before its action): the topics are read partition by partition, so this is
 * normal for a while, but a record whose owner never comes would otherwise be kept forever.
 * Holds at most {@code max}; past it the oldest arrival is dropped first and counted. Not
 * thread-safe; {@link IncidentView} guards it.
 */
final class Orphans {
    private final int max;
    private long nextSeq;
    /** Arrival order, so the oldest is dropped first. */
    private final LinkedHashMap<Long, Waiting> bySeq = new LinkedHashMap<>();
    private final Map<String, Set<Long>> byOwner = new HashMap<>();
    private long dropped;

    private record Waiting(String owner, Object item) {
    }

    Orphans(int max) {
        this.max = max;
    }

    static String incident(String incidentId) {
        return "incident:" + incidentId;
    }

    static String action(String actionId) {
        return "action:" + actionId;
    }

    /** Keeps {@code item} until {@code owner} ({@link #incident} or {@link #action}) appears. */
    void add(String owner, Object item) {
        long seq = nextSeq++;
        bySeq.put(seq, new Waiting(owner, item));
        byOwner.computeIfAbsent(owner, k -> new LinkedHashSet<>()).add(seq);
        while (bySeq.size() > max) {
            dropOldest();
        }
    }

    /** Removes and returns what waited for {@code owner}, in arrival order. */
    List<Object> adopt(String owner) {
        Set<Long> seqs = byOwner.remove(owner);
        if (seqs == null) {
            return List.of();
        }
        List<Object> items = new ArrayList<>(seqs.size());
        for (Long seq : seqs) {
            items.add(bySeq.remove(seq).item());
        }
        return items;
    }

    private void dropOldest() {
        var oldest = bySeq.entrySet().iterator().next();
        bySeq.remove(oldest.getKey());
        Set<Long> siblings = byOwner.get(oldest.getValue().owner());
        siblings.remove(oldest.getKey());
        if (siblings.isEmpty()) {
            byOwner.remove(oldest.getValue().owner());
        }
        dropped++;
    }

    int size() {
        return bySeq.size();
    }

    /** How many were dropped since the start, to make room for newer ones. */
    long dropped() {
        return dropped;
    }
}
