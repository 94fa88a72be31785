package io.reflex.remediator.guard;

import io.reflex.model.Action;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Maintenance windows (configured) and silences (configured or added at run time): an action
 * they match is held until the last matching one ends. Thread-safe.
 */
public final class Holds {
    public static final String SILENCE = "silence";
    public static final String MAINTENANCE = "maintenanceWindow";

    /** What the API shows: a window, and whether it is open now. */
    public record WindowStatus(String name, List<LabelMatcher> matchers, boolean open, Instant openUntil) {
    }

    private final List<MaintenanceWindow> windows;
    private final ConcurrentMap<String, Silence> silences = new ConcurrentHashMap<>();

    public Holds(List<MaintenanceWindow> windows, List<Silence> configured) {
        this.windows = List.copyOf(windows);
        for (int i = 0; i < configured.size(); i++) {
            Silence s = configured.get(i);
            Silence withId = s.id() == null ? s.withId("config-" + i) : s;
            silences.put(withId.id(), withId);
        }
    }

    /**
     * Adds a silence (the API's {@code POST}); one without an id gets a random one.
     *
     * @throws IllegalArgumentException listing every problem, for a 422 answer
     */
    public Silence addSilence(Silence silence) {
        List<String> problems = silence.validate("silence");
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        Silence added = silence.id() == null ? silence.withId(UUID.randomUUID().toString()) : silence;
        silences.put(added.id(), added);
        return added;
    }

    public boolean removeSilence(String id) {
        return silences.remove(id) != null;
    }

    /** Every silence not yet over (active or future), oldest end first. */
    public List<Silence> silences(Instant now) {
        silences.values().removeIf(s -> s.until() != null && !now.isBefore(s.until()));
        List<Silence> list = new ArrayList<>(silences.values());
        list.sort((a, b) -> a.until().compareTo(b.until()));
        return list;
    }

    public List<WindowStatus> windows(Instant now) {
        List<WindowStatus> list = new ArrayList<>();
        for (MaintenanceWindow w : windows) {
            Optional<Instant> until = w.openUntil(now);
            list.add(new WindowStatus(w.name(), w.matchers(), until.isPresent(), until.orElse(null)));
        }
        return list;
    }

    public Verdict check(Action action, Instant now) {
        Map<String, String> labels = LabelMatcher.labelsOf(action);
        Verdict latest = Verdict.allow();
        for (Silence s : silences(now)) {
            if (s.activeAt(now) && LabelMatcher.all(s.matchers(), labels) && later(s.until(), latest)) {
                latest = Verdict.hold(SILENCE + ":" + s.id(), "Held by " + s.describe() + " matching "
                        + s.matchers() + " until " + Checks.at(s.until()), s.until());
            }
        }
        for (MaintenanceWindow w : windows) {
            Optional<Instant> until = w.openUntil(now);
            if (until.isPresent() && LabelMatcher.all(w.matchers(), labels) && later(until.get(), latest)) {
                latest = Verdict.hold(MAINTENANCE + ":" + w.name(), "Held by maintenance window " + w.name()
                        + " matching " + w.matchers() + ", open until " + Checks.at(until.get()), until.get());
            }
        }
        return latest;
    }

    private static boolean later(Instant end, Verdict current) {
        return current.retryAt() == null || end.isAfter(current.retryAt());
    }
}
