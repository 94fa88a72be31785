package io.reflex.remediator.guard;

import io.reflex.model.Action;
import io.reflex.model.ActionType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * An incident remediated again and again is not being healed: once {@code max} executions for
 * one incident started within the window, the next action escalates instead of running.
 * Notifications and escalations are not remediations: they neither count nor escalate.
 */
public final class Flapping {
    public static final String NAME = "flapping";
    private static final Set<ActionType> NOT_REMEDIATION = EnumSet.of(ActionType.NOTIFY, ActionType.ESCALATE);

    /**
     * YAML {@code remediator.guardrails.flapping}.
     *
     * @param max    executions per incident within the window; null (default): off
     * @param window a duration such as 1h (default 1h)
     */
    public record Config(Integer max, String window) {
        public Config {
            window = window == null ? "1h" : window;
        }

        public static Config off() {
            return new Config(null, null);
        }

        public boolean enabled() {
            return max != null;
        }

        public List<String> validate(String path) {
            List<String> problems = new ArrayList<>();
            if (max != null && max < 1) {
                problems.add(path + ".max must be at least 1, got " + max + " (leave it out to turn flapping off)");
            }
            Checks.positiveDuration(window, path + ".window", problems);
            return problems;
        }
    }

    /** What the API shows: the limit and how many executions each incident had within the window. */
    public record Status(Integer max, String window, Map<String, Integer> executionsPerIncident) {
    }

    private final Config config;
    private final ActivityLog activity;

    public Flapping(Config config, ActivityLog activity) {
        this.config = config;
        this.activity = activity;
    }

    public Verdict check(Action action, Instant now) {
        if (!config.enabled() || NOT_REMEDIATION.contains(action.type())) {
            return Verdict.allow();
        }
        List<Execution> earlier = activity.startedAfter(now.minus(window()), e -> !e.actionId().equals(action.id())
                && action.incidentId().equals(e.incidentId()) && !NOT_REMEDIATION.contains(e.type()));
        if (earlier.size() < config.max()) {
            return Verdict.allow();
        }
        Instant first = earlier.stream().map(Execution::startedAt).min(Comparator.naturalOrder()).orElseThrow();
        Instant last = earlier.stream().map(Execution::startedAt).max(Comparator.naturalOrder()).orElseThrow();
        return Verdict.escalate(NAME, "Flapping: incident " + action.incidentId() + " was remediated "
                + Checks.count(earlier.size(), "time") + " in the last " + config.window() + " (limit " + config.max() + "; first at "
                + Checks.at(first) + ", last at " + Checks.at(last) + "); escalating instead of running "
                + action.type().wireName() + " on " + action.target().key() + " again");
    }

    public Status describe(Instant now) {
        Map<String, Integer> counts = new TreeMap<>();
        if (config.enabled()) {
            activity.startedAfter(now.minus(window()), e -> !NOT_REMEDIATION.contains(e.type()))
                    .forEach(e -> counts.merge(e.incidentId(), 1, Integer::sum));
        }
        return new Status(config.max(), config.window(), counts);
    }

    Duration window() {
        return Checks.durationOrNull(config.window());
    }
}
