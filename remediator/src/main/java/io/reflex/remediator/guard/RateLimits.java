package io.reflex.remediator.guard;

import io.reflex.model.Action;
import io.reflex.model.ActionType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * At most {@code max} executions per target (or per rule) within a sliding window, counted from
 * the {@link ActivityLog}: executions that started (REJECTED and SKIPPED ones never ran). Over
 * the limit the action is refused, with the time the oldest counted execution leaves the window.
 */
public final class RateLimits {
    public static final String NAME = "rateLimit";
    /** Values of {@link Limit#per()}. */
    public static final String TARGET = "target";
    public static final String RULE = "rule";

    /**
     * One entry of YAML {@code remediator.guardrails.rateLimits}.
     *
     * @param per    target (default) or rule
     * @param types  the action types it counts and applies to; empty: every type
     * @param window a duration such as 1h (default 1h)
     */
    public record Limit(String name, String per, List<String> types, Integer max, String window) {
        public Limit {
            per = per == null ? TARGET : per;
            types = Checks.list(types);
            window = window == null ? "1h" : window;
        }

        public List<String> validate(String path) {
            List<String> problems = new ArrayList<>();
            if (name == null || name.isBlank()) {
                problems.add(path + ".name is required (it names the limit on the timeline), e.g. restarts-per-service");
            }
            if (max == null) {
                problems.add(path + ".max is required: how many executions the window allows");
            } else if (max < 1) {
                problems.add(path + ".max must be at least 1, got " + max + " (use dryRun to stop an action type)");
            }
            if (!TARGET.equals(per) && !RULE.equals(per)) {
                problems.add(path + ".per: '" + per + "' is not known; use target (per target key) or rule (per rule name)");
            }
            Checks.positiveDuration(window, path + ".window", problems);
            Checks.actionTypes(types, path + ".types", problems);
            return problems;
        }

        Set<ActionType> actionTypes() {
            return Checks.types(types);
        }

        boolean appliesTo(ActionType type) {
            return types.isEmpty() || actionTypes().contains(type);
        }

        String keyOf(Action action) {
            return TARGET.equals(per) ? action.target().key() : action.rule().name();
        }

        String keyOf(Execution e) {
            return TARGET.equals(per) ? e.targetKey() : e.ruleName();
        }
    }

    /** What the API shows: a limit and its usage per target (or rule) within the window now. */
    public record LimitStatus(String name, String per, List<String> types, int max, String window,
            Map<String, Integer> usage) {
    }

    private final List<Limit> limits;
    private final ActivityLog activity;

    public RateLimits(List<Limit> limits, ActivityLog activity) {
        this.limits = List.copyOf(limits);
        this.activity = activity;
    }

    public Verdict check(Action action, Instant now) {
        for (Limit limit : limits) {
            if (!limit.appliesTo(action.type())) {
                continue;
            }
            Duration window = Checks.durationOrNull(limit.window());
            String key = limit.keyOf(action);
            List<Execution> counted = activity.startedAfter(now.minus(window),
                    e -> !e.actionId().equals(action.id()) && key.equals(limit.keyOf(e))
                            && limit.appliesTo(e.type()));
            if (counted.size() >= limit.max()) {
                Instant oldest = counted.stream().map(Execution::startedAt).min(Comparator.naturalOrder()).orElseThrow();
                String what = limit.types().isEmpty() ? "action" : String.join("/", limit.types()) + " action";
                String on = TARGET.equals(limit.per()) ? "on " + key : "by rule " + key;
                return Verdict.refuse(NAME + ":" + limit.name(), "Rate limit " + limit.name() + ": "
                        + Checks.count(counted.size(), what) + " " + on + " in the last " + limit.window() + " (limit " + limit.max()
                        + "); next allowed at " + Checks.at(oldest.plus(window)));
            }
        }
        return Verdict.allow();
    }

    public List<LimitStatus> describe(Instant now) {
        List<LimitStatus> list = new ArrayList<>();
        for (Limit limit : limits) {
            Duration window = Checks.durationOrNull(limit.window());
            Predicate<Execution> counts = e -> limit.appliesTo(e.type()) && limit.keyOf(e) != null;
            Map<String, Integer> usage = new TreeMap<>();
            activity.startedAfter(now.minus(window), counts).forEach(e -> usage.merge(limit.keyOf(e), 1, Integer::sum));
            list.add(new LimitStatus(limit.name(), limit.per(), limit.types(), limit.max(), limit.window(), usage));
        }
        return list;
    }

    /** The longest window: how far back the activity log must remember. */
    Duration longestWindow() {
        return limits.stream().map(l -> Checks.durationOrNull(l.window())).max(Comparator.naturalOrder())
                .orElse(Duration.ZERO);
    }
}
