package io.reflex.remediator.guard;

import io.reflex.model.Action;
import io.reflex.model.ActionMode;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The global pause ({@code POST /api/pause}, {@code /api/resume}): while paused every action
 * that executes for real is held, and checked again a second later. Dry runs and shadow actions
 * change nothing, so they pass. The state lives here; sharing it between processes is the caller's.
 */
public final class KillSwitch {
    public static final String NAME = "killSwitch";
    /** How soon a held action is checked again: a resume should take effect within about a second. */
    public static final Duration RECHECK = Duration.ofSeconds(1);

    /**
     * @param by     who paused or resumed last (null at start)
     * @param at     when (null at start)
     * @param reason why it was paused (null when resumed)
     */
    public record State(boolean paused, String by, Instant at, String reason) {
        public static final State RUNNING = new State(false, null, null, null);
    }

    private final AtomicReference<State> state;

    public KillSwitch(State initial) {
        this.state = new AtomicReference<>(Objects.requireNonNull(initial, "initial"));
    }

    public KillSwitch() {
        this(State.RUNNING);
    }

    public State pause(String by, String reason, Instant at) {
        State paused = new State(true, requireWho(by), Objects.requireNonNull(at, "at"), reason);
        state.set(paused);
        return paused;
    }

    public State resume(String by, Instant at) {
        State running = new State(false, requireWho(by), Objects.requireNonNull(at, "at"), null);
        state.set(running);
        return running;
    }

    /** Adopts a state decided elsewhere (another process, read back from Kafka). */
    public void set(State newState) {
        state.set(Objects.requireNonNull(newState, "state"));
    }

    public State state() {
        return state.get();
    }

    public Verdict check(Action action, Instant now) {
        State s = state.get();
        if (!s.paused() || action.mode() != ActionMode.EXECUTE) {
            return Verdict.allow();
        }
        String who = s.by() == null ? "configuration (remediator.guardrails.paused)" : s.by();
        String when = s.at() == null ? "at start" : "at " + Checks.at(s.at());
        String why = s.reason() == null || s.reason().isBlank() ? "" : " (" + s.reason() + ")";
        return Verdict.hold(NAME, "All actions are paused by " + who + " " + when + why
                + "; held until resumed (POST /api/resume)", now.plus(RECHECK));
    }

    private static String requireWho(String by) {
        if (by == null || by.isBlank()) {
            throw new IllegalArgumentException("say who pauses or resumes (by), for the timeline");
        }
        return by;
    }
}
