package io.reflex.remediator.guard;

import io.reflex.model.Action;
import io.reflex.model.ActionType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Limits how much of a group of resources (the targets sharing a label value, such as one zone)
 * is disrupted at once. An action whose label value names a group (or, without the label, whose
 * target is listed as a member of one) is held while the disrupted
 * members (in flight, or isolated/stopped/cordoned and not undone, from the {@link ActivityLog})
 * plus its own target would exceed the limit, and refused when it would leave no member of the
 * group undisrupted ("never the last healthy member").
 *
 * <p>The limit is {@code max}, or {@code maxPercent} of the group's size rounded down but at
 * least 1 (20% of 10 is 2; 20% of 4 is 1, so a small group can still be healed one at a time),
 * or the smaller of the two when both are given. A percentage needs the group's members listed;
 * {@code max} alone also applies to label values not listed in {@code groups}.
 */
public final class BlastRadius {
    public static final String NAME = "blastRadius";
    static final List<String> DEFAULT_TYPES = ActivityLog.DISRUPTIVE.stream().map(ActionType::wireName).sorted().toList();

    /**
     * One entry of YAML {@code remediator.guardrails.blastRadius}.
     *
     * @param label   the label that groups targets, e.g. zone or cluster
     * @param types   the disruptive types it counts and applies to (default: restart_service,
     *                stop_service, isolate_host, cordon_node, drain_node)
     * @param groups  label value → its members, as target keys (host:web-1) or names (web-1)
     * @param recheck how soon a held action is checked again (default 5s)
     */
    public record Limit(String name, String label, List<String> types, Integer max, Integer maxPercent,
            Map<String, List<String>> groups, String recheck) {
        public Limit {
            types = types == null ? DEFAULT_TYPES : Checks.list(types);
            groups = groups == null ? Map.of() : copy(groups);
            recheck = recheck == null ? "5s" : recheck;
        }

        public List<String> validate(String path) {
            List<String> problems = new ArrayList<>();
            if (name == null || name.isBlank()) {
                problems.add(path + ".name is required (it names the limit on the timeline), e.g. hosts-per-zone");
            }
            if (label == null || label.isBlank()) {
                problems.add(path + ".label is required: the label that groups targets, e.g. zone or cluster");
            }
            if (max == null && maxPercent == null) {
                problems.add(path + ": give max (a count), maxPercent (of the group's members) or both");
            }
            if (max != null && max < 1) {
                problems.add(path + ".max must be at least 1, got " + max);
            }
            if (maxPercent != null && (maxPercent < 1 || maxPercent > 100)) {
                problems.add(path + ".maxPercent must be between 1 and 100, got " + maxPercent);
            }
            if (maxPercent != null && groups.isEmpty()) {
                problems.add(path + ".groups must list each group's members when maxPercent is set: a percentage"
                        + " needs the group's size");
            }
            groups.forEach((group, members) -> {
                if (members.isEmpty()) {
                    problems.add(path + ".groups." + group + " must list at least one member (target key or name)");
                }
                for (int i = 0; i < members.size(); i++) {
                    if (members.get(i) == null || members.get(i).isBlank()) {
                        problems.add(path + ".groups." + group + "[" + i + "] is empty; write a target key or name");
                    }
                }
            });
            if (types.isEmpty()) {
                problems.add(path + ".types must not be empty (leave it out for the disruptive types)");
            }
            Checks.actionTypes(types, path + ".types", problems);
            Checks.positiveDuration(recheck, path + ".recheck", problems);
            return problems;
        }

        /** The most members of a group of this size that may be disrupted at once. */
        public int allowed(Integer size) {
            int byPercent = maxPercent == null || size == null ? Integer.MAX_VALUE
                    : Math.max(1, size * maxPercent / 100);
            return Math.min(max == null ? Integer.MAX_VALUE : max, byPercent);
        }

        private static Map<String, List<String>> copy(Map<String, List<String>> groups) {
            Map<String, List<String>> copy = new LinkedHashMap<>();
            groups.forEach((k, v) -> copy.put(k, Checks.list(v)));
            return Collections.unmodifiableMap(copy);
        }
    }

    /** What the API shows for one group: its size, the limit, and which members are disrupted. */
    public record GroupStatus(String group, Integer size, int allowed, int disrupted, List<String> disruptedTargets) {
    }

    public record LimitStatus(String name, String label, Integer max, Integer maxPercent, List<String> types,
            List<GroupStatus> groups) {
    }

    private final List<Limit> limits;
    private final ActivityLog activity;

    public BlastRadius(List<Limit> limits, ActivityLog activity) {
        this.limits = List.copyOf(limits);
        this.activity = activity;
    }

    public Verdict check(Action action, Instant now) {
        for (Limit limit : limits) {
            Verdict v = check(limit, action, now);
            if (!v.allowed()) {
                return v;
            }
        }
        return Verdict.allow();
    }

    private Verdict check(Limit limit, Action action, Instant now) {
        Set<ActionType> types = Checks.types(limit.types());
        String group = groupOf(limit, action);
        if (!types.contains(action.type()) || group == null) {
            return Verdict.allow();
        }
        List<String> members = limit.groups().get(group);
        if (members == null && limit.max() == null) {
            return Verdict.allow(); // a percentage of a group whose size is unknown: not this limit's group
        }
        String target = action.target().key();
        Map<String, Execution> disrupted = disruptedIn(limit, group, members, types, action.id());
        if (disrupted.containsKey(target)) {
            return Verdict.allow(); // already disrupted: acting on it again disrupts nothing more
        }
        String where = limit.label() + "=" + group;
        String guardrail = NAME + ":" + limit.name();
        if (members != null && isMember(members, target)
                && members.stream().allMatch(m -> matches(m, target) || disrupted.keySet().stream().anyMatch(k -> matches(m, k)))) {
            return Verdict.refuse(guardrail, "Blast radius " + limit.name() + ": " + target + " is the last"
                    + " undisrupted member of " + where + " (" + members.size() + " members, " + disrupted.size()
                    + " disrupted: " + String.join(", ", disrupted.keySet()) + "); never the last healthy member");
        }
        Integer size = members == null ? null : members.size();
        int allowed = limit.allowed(size);
        if (disrupted.size() + 1 > allowed) {
            Instant retryAt = now.plus(Checks.durationOrNull(limit.recheck()));
            return Verdict.hold(guardrail, "Blast radius " + limit.name() + ": " + disrupted.size() + " of "
                    + (size == null ? "the" : String.valueOf(size)) + " members of " + where + " already disrupted ("
                    + String.join(", ", disrupted.keySet()) + "); " + action.type().wireName() + " on " + target
                    + " would exceed the limit of " + allowed + describeLimit(limit, size) + "; checking again at "
                    + Checks.at(retryAt), retryAt);
        }
        return Verdict.allow();
    }

    public List<LimitStatus> describe(Instant now) {
        List<LimitStatus> list = new ArrayList<>();
        for (Limit limit : limits) {
            Set<ActionType> types = Checks.types(limit.types());
            Set<String> groups = new LinkedHashSet<>(limit.groups().keySet());
            activity.disrupted(types).values().forEach(e -> {
                String value = e.action().label(limit.label());
                if (value != null && limit.max() != null) {
                    groups.add(value);
                }
            });
            List<GroupStatus> statuses = new ArrayList<>();
            for (String group : groups) {
                List<String> members = limit.groups().get(group);
                Map<String, Execution> disrupted = disruptedIn(limit, group, members, types, null);
                Integer size = members == null ? null : members.size();
                statuses.add(new GroupStatus(group, size, limit.allowed(size), disrupted.size(),
                        List.copyOf(disrupted.keySet())));
            }
            list.add(new LimitStatus(limit.name(), limit.label(), limit.max(), limit.maxPercent(), limit.types(),
                    statuses));
        }
        return list;
    }

    /** Disrupted targets of the group: listed members, or targets whose action carried the group's label value. */
    private Map<String, Execution> disruptedIn(Limit limit, String group, List<String> members, Set<ActionType> types,
            String excludeActionId) {
        Map<String, Execution> found = new LinkedHashMap<>();
        activity.disrupted(types).forEach((target, e) -> {
            if (e.actionId().equals(excludeActionId)) {
                return;
            }
            if (group.equals(e.action().label(limit.label())) || (members != null && isMember(members, target))) {
                found.put(target, e);
            }
        });
        return found;
    }

    /** The action's label value; without the label, the group that lists its target as a member. */
    private static String groupOf(Limit limit, Action action) {
        String value = action.label(limit.label());
        if (value != null) {
            return value;
        }
        String target = action.target().key();
        return limit.groups().entrySet().stream().filter(g -> isMember(g.getValue(), target)).map(Map.Entry::getKey)
                .findFirst().orElse(null);
    }

    private static String describeLimit(Limit limit, Integer size) {
        if (limit.maxPercent() == null || size == null) {
            return "";
        }
        return " (" + limit.maxPercent() + "% of " + size + (limit.max() != null ? ", max " + limit.max() : "") + ")";
    }

    private static boolean isMember(List<String> members, String targetKey) {
        return members.stream().anyMatch(m -> matches(m, targetKey));
    }

    /** A member is written as a target key (host:web-1) or a bare name (web-1). */
    private static boolean matches(String member, String targetKey) {
        return member.equals(targetKey) || (member.indexOf(':') < 0 && targetKey.endsWith(":" + member));
    }
}
