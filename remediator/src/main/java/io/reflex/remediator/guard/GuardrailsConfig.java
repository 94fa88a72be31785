package io.reflex.remediator.guard;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * YAML section {@code remediator.guardrails}. Every field is optional: the defaults are no
 * limits, no holds, not paused, dry run off, flapping off.
 *
 * @param paused start with the kill switch on (default false)
 */
public record GuardrailsConfig(
        Boolean paused,
        DryRun.Config dryRun,
        List<RateLimits.Limit> rateLimits,
        List<BlastRadius.Limit> blastRadius,
        Flapping.Config flapping,
        List<MaintenanceWindow> maintenanceWindows,
        List<Silence> silences) {

    public GuardrailsConfig {
        paused = paused != null && paused;
        dryRun = dryRun == null ? DryRun.Config.off() : dryRun;
        rateLimits = Checks.list(rateLimits);
        blastRadius = Checks.list(blastRadius);
        flapping = flapping == null ? Flapping.Config.off() : flapping;
        maintenanceWindows = Checks.list(maintenanceWindows);
        silences = Checks.list(silences);
    }

    public static GuardrailsConfig defaults() {
        return new GuardrailsConfig(null, null, null, null, null, null, null);
    }

    /** Every problem, each with its YAML path under {@code path} (e.g. {@code remediator.guardrails}). */
    public List<String> validate(String path) {
        List<String> problems = new ArrayList<>();
        problems.addAll(dryRun.validate(path + ".dryRun"));
        each(rateLimits, path + ".rateLimits", problems, (l, p) -> l.validate(p));
        List<String> names = new ArrayList<>();
        for (int i = 0; i < rateLimits.size(); i++) {
            RateLimits.Limit l = rateLimits.get(i);
            if (l != null && l.name() != null && names.contains(l.name())) {
                problems.add(path + ".rateLimits[" + i + "].name: '" + l.name() + "' is used twice; names tell limits apart on the timeline");
            } else if (l != null) {
                names.add(l.name());
            }
        }
        each(blastRadius, path + ".blastRadius", problems, (l, p) -> l.validate(p));
        problems.addAll(flapping.validate(path + ".flapping"));
        each(maintenanceWindows, path + ".maintenanceWindows", problems, (w, p) -> w.validate(p));
        each(silences, path + ".silences", problems, (s, p) -> s.validate(p));
        return problems;
    }

    private static <T> void each(List<T> items, String path, List<String> problems,
            BiFunction<T, String, List<String>> validate) {
        for (int i = 0; i < items.size(); i++) {
            T item = items.get(i);
            String at = path + "[" + i + "]";
            if (item == null) {
                problems.add(at + " is empty");
            } else {
                problems.addAll(validate.apply(item, at));
            }
        }
    }
}
