package io.reflex.drill;

/**
 * When a live drill stops early and undoes its fault (the drill file's {@code abort} section).
 *
 * @param onGuardrail stop when a guardrail holds or refuses one of the drill's actions
 * @param probe       stop when this probe fails (e.g. a dependent service's health); null: none
 */
public record Abort(boolean onGuardrail, SteadyState probe) {
    /** No abort conditions. */
    public static final Abort NONE = new Abort(false, null);

    public boolean any() {
        return onGuardrail || probe != null;
    }
}
