package io.reflex.rules;

import io.reflex.model.ActionType;
import io.reflex.model.AlertEvent;
import io.reflex.rules.vocabulary.ActionOutcome;
import io.reflex.rules.vocabulary.Throttle;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.StringJoiner;

/**
 * What a rule consequence asked for through {@link Remediate}, before the rules stage gives it
 * an id, an incident, a connector and a deadline.
 *
 * @param rule    the name of the rule whose consequence asked
 * @param trigger          the alert the action answers; it places the action in that alert's incident
 * @param requiresApproval the remediator waits for an operator before running it (isolating a host does)
 * @param matched          the facts of the match whose consequence asked, in the rule's pattern order,
 *                         for the timeline to say why the rule fired; empty when not known
 */
public record ActionRequest(
        String rule,
        ActionType type,
        AlertEvent trigger,
        String targetKind,
        String targetName,
        Map<String, String> params,
        boolean requiresApproval,
        List<MatchedFact> matched) {

    /** Facts {@link #matchedSummary()} names at most; the rest are counted. */
    static final int MAX_NAMED_FACTS = 10;
    /** About the longest {@link #matchedSummary()}: a timeline line, not a dump of the session. */
    static final int MAX_SUMMARY_CHARS = 500;
    /** Ids {@link #matchedIds()} lists at most: a rule collecting thousands of alerts must not bloat the timeline. */
    static final int MAX_IDS = 100;

    public ActionRequest {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(trigger, "trigger");
        Objects.requireNonNull(targetKind, "targetKind");
        Objects.requireNonNull(targetName, "targetName");
        params = params == null ? Map.of() : Map.copyOf(params);
        matched = matched == null ? List.of() : List.copyOf(matched);
    }

    /** A request whose matched facts are not known. */
    public ActionRequest(String rule, ActionType type, AlertEvent trigger, String targetKind, String targetName,
            Map<String, String> params, boolean requiresApproval) {
        this(rule, type, trigger, targetKind, targetName, params, requiresApproval, List.of());
    }

    /** A request that runs without approval, its matched facts not known. */
    public ActionRequest(String rule, ActionType type, AlertEvent trigger, String targetKind, String targetName,
            Map<String, String> params) {
        this(rule, type, trigger, targetKind, targetName, params, false, List.of());
    }

    /**
     * Equal when they ask for the same thing: the matched facts explain a request, they are not part
     * of it, so rule tests and replays (which compare requests) decide as they did before requests
     * carried them.
     */
    @Override
    public boolean equals(Object other) {
        return other instanceof ActionRequest that && rule.equals(that.rule) && type == that.type
                && trigger.equals(that.trigger) && targetKind.equals(that.targetKind)
                && targetName.equals(that.targetName) && params.equals(that.params)
                && requiresApproval == that.requiresApproval;
    }

    @Override
    public int hashCode() {
        return Objects.hash(rule, type, trigger, targetKind, targetName, params, requiresApproval);
    }

    /**
     * The matched facts for people, e.g. {@code alt-1 (DiskFull FIRING on host:web-1), alt-2 (...)}:
     * at most {@link #MAX_NAMED_FACTS} facts in about {@link #MAX_SUMMARY_CHARS} characters, then
     * {@code … and N more}. Empty when no fact is known.
     */
    public String matchedSummary() {
        StringBuilder out = new StringBuilder();
        int named = 0;
        for (MatchedFact fact : matched) {
            String text = fact.text();
            int separator = named == 0 ? 0 : 2;
            if (named == MAX_NAMED_FACTS
                    || (named > 0 && out.length() + separator + text.length() > MAX_SUMMARY_CHARS)) {
                break;
            }
            if (named > 0) {
                out.append(", ");
            }
            // A single fact longer than the bound (an alert with a very long name) is cut, not dropped.
            out.append(text.length() > MAX_SUMMARY_CHARS ? text.substring(0, MAX_SUMMARY_CHARS - 1) + "…" : text);
            named++;
        }
        if (named < matched.size()) {
            out.append(", … and ").append(matched.size() - named).append(" more");
        }
        return out.toString();
    }

    /** The ids of the matched alerts and action outcomes, comma-separated, at most {@link #MAX_IDS}; empty when none. */
    public String matchedIds() {
        StringJoiner ids = new StringJoiner(",");
        matched.stream().map(MatchedFact::id).filter(Objects::nonNull).limit(MAX_IDS).forEach(ids::add);
        return ids.toString();
    }

    /**
     * One fact of a match, as the timeline names it.
     *
     * @param id          the alert's or the action's id; null for other facts
     * @param description what it is, e.g. {@code DiskFull FIRING on host:web-1}
     */
    public record MatchedFact(String id, String description) {
        public MatchedFact {
            Objects.requireNonNull(description, "description");
        }

        /** {@code id (description)}, or the description alone for a fact without an id. */
        public String text() {
            return id == null ? description : id + " (" + description + ")";
        }

        /** How the timeline names the fact. */
        public static MatchedFact of(Object fact) {
            if (fact instanceof AlertEvent alert) {
                return new MatchedFact(alert.id(),
                        alert.name() + " " + alert.status() + " on " + alert.resource().key());
            }
            if (fact instanceof ActionOutcome outcome) {
                return new MatchedFact(outcome.actionId(),
                        (outcome.type() == null ? "" : outcome.type().wireName() + " ") + outcome.status());
            }
            if (fact instanceof Throttle throttle) {
                return new MatchedFact(null, "throttle " + throttle.name() + "/" + throttle.group());
            }
            String name = fact.getClass().getSimpleName();
            return new MatchedFact(null, name.isEmpty() ? fact.getClass().getName() : name);
        }

        /**
         * The facts of a match, in its order: a collection a rule gathered ({@code collect}, {@code
         * collectList}) counts as the facts in it, so a rule acting on "five alerts within 10m" names
         * the five; a fact bound by two patterns is named once; Drools' own initial fact is no fact of
         * the rule's.
         */
        static List<MatchedFact> ofMatch(List<?> objects) {
            if (objects == null || objects.isEmpty()) {
                return List.of();
            }
            Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
            List<MatchedFact> facts = new ArrayList<>();
            for (Object object : objects) {
                if (object instanceof Collection<?> gathered) {
                    gathered.forEach(fact -> add(fact, seen, facts));
                } else {
                    add(object, seen, facts);
                }
            }
            return facts;
        }

        private static void add(Object fact, Set<Object> seen, List<MatchedFact> facts) {
            if (fact != null && !isInitialFact(fact) && seen.add(fact)) {
                facts.add(of(fact));
            }
        }

        private static boolean isInitialFact(Object fact) {
            return fact.getClass().getName().startsWith("org.drools.") && fact.getClass().getSimpleName()
                    .startsWith("InitialFact");
        }
    }
}
