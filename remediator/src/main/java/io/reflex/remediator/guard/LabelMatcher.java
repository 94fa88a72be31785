package io.reflex.remediator.guard;

import io.reflex.model.Action;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One condition on an action's labels, as Alertmanager writes them: {@code name op value} with
 * op {@code =}, {@code !=}, {@code =~} or {@code !~} (regular expressions match the whole value).
 * The labels are the triggering alert's ({@link Action#labels()}) plus pseudo-labels:
 * {@code target} (target key, e.g. {@code host:web-1}), {@code type} (wire name),
 * {@code rule}, {@code connector} and {@code incident}. A missing label reads as the empty string.
 *
 * @param op {@code =} when absent
 */
public record LabelMatcher(String name, String op, String value) {
    private static final List<String> OPS = List.of("=", "!=", "=~", "!~");

    public LabelMatcher {
        op = op == null ? "=" : op.trim();
        value = value == null ? "" : value;
    }

    public boolean matches(Map<String, String> labels) {
        String actual = labels.getOrDefault(name, "");
        return switch (op) {
            case "=" -> actual.equals(value);
            case "!=" -> !actual.equals(value);
            case "=~" -> Pattern.compile(value).matcher(actual).matches();
            case "!~" -> !Pattern.compile(value).matcher(actual).matches();
            default -> throw new IllegalStateException("label matcher op '" + op + "' was not validated");
        };
    }

    @Override
    public String toString() {
        return name + op + "\"" + value + "\"";
    }

    public List<String> validate(String path) {
        List<String> problems = new ArrayList<>();
        if (name == null || name.isBlank()) {
            problems.add(path + ".name is required (a label such as zone, or target, type, rule)");
        }
        if (!OPS.contains(op)) {
            problems.add(path + ".op: '" + op + "' is not an operator; use one of =, !=, =~, !~");
        } else if (op.endsWith("~")) {
            try {
                Pattern.compile(value);
            } catch (PatternSyntaxException e) {
                problems.add(path + ".value is not a regular expression: " + e.getDescription());
            }
        }
        return problems;
    }

    /** Whether every matcher matches (an empty list matches nothing: a hold must say what it holds). */
    public static boolean all(List<LabelMatcher> matchers, Map<String, String> labels) {
        return !matchers.isEmpty() && matchers.stream().allMatch(m -> m.matches(labels));
    }

    /** The labels matchers see for an action: the alert's labels and the pseudo-labels. */
    public static Map<String, String> labelsOf(Action action) {
        Objects.requireNonNull(action, "action");
        Map<String, String> labels = new HashMap<>(action.labels());
        labels.put("target", action.target().key());
        labels.put("type", action.type().wireName());
        labels.put("rule", action.rule().name());
        labels.put("connector", action.target().connector());
        labels.put("incident", action.incidentId());
        return labels;
    }

    static void validateAll(List<LabelMatcher> matchers, String path, List<String> problems) {
        if (matchers.isEmpty()) {
            problems.add(path + " must list at least one label matcher (name, op, value), or it would hold every action");
        }
        for (int i = 0; i < matchers.size(); i++) {
            LabelMatcher m = matchers.get(i);
            if (m == null) {
                problems.add(path + "[" + i + "] is empty");
            } else {
                problems.addAll(m.validate(path + "[" + i + "]"));
            }
        }
    }
}
