package io.reflex.rules.lifecycle;

import io.reflex.model.RulesetVersion;
import io.reflex.rules.RuleCompiler;
import io.reflex.rules.Ruleset;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What one rules stage knows of rule versions, shared by its stream tasks: the active version
 * as read from {@code reflex.rulesets}, the compiled packages (so N tasks compile a version
 * once), and the version each task decides with. Thread-safe.
 */
public final class Rulesets {
    private final Ruleset initial;
    private final Map<String, Ruleset> compiled = new ConcurrentHashMap<>();
    private final AtomicReference<RulesetVersion> active = new AtomicReference<>();
    private final AtomicReference<RulesetVersion> shadow = new AtomicReference<>();
    private final Map<String, Long> running = new ConcurrentHashMap<>();

    /** @param initial the package the stage runs until a version is deployed (version 1: the demo or rules file) */
    public Rulesets(Ruleset initial) {
        this.initial = Objects.requireNonNull(initial, "initial");
        // Version 1 is the package the stage started with: a rollback to it needs no compile.
        compiled.put(Long.toString(initial.version()), initial);
    }

    public Ruleset initial() {
        return initial;
    }

    /** The newest {@code active} record read from the topic, or null when none was read yet. */
    public RulesetVersion active() {
        return active.get();
    }

    /** Called for each {@code active} record read from the topic, in topic order. */
    public void activeChanged(RulesetVersion version) {
        active.set(version);
    }

    /**
     * The version running in shadow beside the active one (its actions recorded with mode
     * SHADOW, never executed), or null when none is.
     */
    public RulesetVersion shadow() {
        return shadow.get();
    }

    /** Called for each {@code shadow} record read from the topic; null when the shadow was stopped. */
    public void shadowChanged(RulesetVersion version) {
        shadow.set(version);
    }

    /** Seeds the active record from the global store when the topic was restored rather than read. */
    public void seedActive(RulesetVersion version) {
        active.compareAndSet(null, version);
    }

    /**
     * The compiled package of a version, compiling it once for all tasks.
     *
     * @throws io.reflex.rules.RuleCompilationException when it does not compile
     */
    public Ruleset compiled(RulesetVersion version) {
        String key = version.version() + (version.shadow() ? "-shadow" : "");
        return compiled.computeIfAbsent(key, k -> new Ruleset(version.version(), "reflex.rulesets v" + version.version() + " by " + version.author(),
                        RuleCompiler.compile("ruleset v" + version.version(), version.drl()), version.shadow()));
    }

    /** A task reports the version it now decides with. */
    public void taskRuns(String taskId, long version) {
        running.put(taskId, version);
    }

    /** A task closed (it moved away or the stage stops). */
    public void taskClosed(String taskId) {
        running.remove(taskId);
    }

    /**
     * Whether this stage runs the version: the topic said it is active and every task of this
     * process has swapped to it (a process without tasks has nothing to swap).
     */
    public boolean runs(long version) {
        RulesetVersion current = active.get();
        return current != null && current.version() == version
                && running.values().stream().allMatch(v -> v == version);
    }
}
