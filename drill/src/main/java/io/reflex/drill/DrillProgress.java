package io.reflex.drill;

/** Gets every progress line a drill run logs, as it happens (the API and console show them live). */
@FunctionalInterface
public interface DrillProgress {
    /** Ignores them. */
    DrillProgress NONE = (drillId, message) -> { };

    void step(String drillId, String message);
}
