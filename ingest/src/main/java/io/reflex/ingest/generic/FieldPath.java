package io.reflex.ingest.generic;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A location in a JSON body, in a small subset of JSONPath: {@code $} (the root),
 * {@code .name} (a member), {@code [0]} (an array element) and {@code ['odd name']} or
 * {@code ["odd name"]} (a member whose name has dots, spaces or brackets; {@code \} escapes the
 * quote). The leading {@code $} may be left out: {@code alert.title} is {@code $.alert.title}.
 *
 * <p>No wildcards, filters or recursion: a path names exactly one place, so a mapping can say
 * which field was missing. Reflex takes no JSONPath library for this, to keep the dependency
 * surface of the edge small.
 */
public final class FieldPath {

    /** Member names printed without brackets; anything else is printed as {@code ['…']}. */
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z_][A-Za-z0-9_-]*");

    private static final FieldPath ROOT = new FieldPath(List.of());

    private sealed interface Step permits Member, Index {
    }

    private record Member(String name) implements Step {
    }

    private record Index(int index) implements Step {
    }

    private final List<Step> steps;

    private FieldPath(List<Step> steps) {
        this.steps = List.copyOf(steps);
    }

    public static FieldPath root() {
        return ROOT;
    }

    /**
     * @throws IllegalArgumentException saying what is wrong and at which character
     */
    public static FieldPath parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("no path given");
        }
        String s = text.strip();
        List<Step> steps = new ArrayList<>();
        int i = 0;
        if (s.startsWith("$")) {
            i = 1;
        } else if (!s.isEmpty() && s.charAt(0) != '[') {
            // "a.b" means "$.a.b": read the first member as if a dot preceded it.
            i = member(s, 0, steps);
        }
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '.') {
                i = member(s, i + 1, steps);
            } else if (c == '[') {
                i = bracket(s, i, steps);
            } else {
                throw invalid(text, i, "expected '.' or '[', got '" + c + "'");
            }
        }
        return new FieldPath(steps);
    }

    private static int member(String s, int start, List<Step> steps) {
        int end = start;
        while (end < s.length() && ".[]'\" \t".indexOf(s.charAt(end)) < 0) {
            end++;
        }
        if (end == start) {
            throw invalid(s, start, "expected a member name");
        }
        steps.add(new Member(s.substring(start, end)));
        return end;
    }

    private static int bracket(String s, int open, List<Step> steps) {
        int i = open + 1;
        if (i >= s.length()) {
            throw invalid(s, open, "'[' is not closed");
        }
        char c = s.charAt(i);
        if (c == '\'' || c == '"') {
            StringBuilder name = new StringBuilder();
            i++;
            while (i < s.length() && s.charAt(i) != c) {
                if (s.charAt(i) == '\\' && i + 1 < s.length()) {
                    i++;
                }
                name.append(s.charAt(i));
                i++;
            }
            if (i + 1 >= s.length() || s.charAt(i + 1) != ']') {
                throw invalid(s, open, "quoted name is not closed with " + c + "]");
            }
            steps.add(new Member(name.toString()));
            return i + 2;
        }
        int close = s.indexOf(']', i);
        if (close < 0) {
            throw invalid(s, open, "'[' is not closed");
        }
        String digits = s.substring(i, close).strip();
        if (!digits.matches("[0-9]{1,9}")) {
            throw invalid(s, i, "expected an array index (0, 1, …) or a quoted name, got '" + digits + "'");
        }
        steps.add(new Index(Integer.parseInt(digits)));
        return close + 1;
    }

    private static IllegalArgumentException invalid(String text, int at, String problem) {
        return new IllegalArgumentException("invalid path \"" + text + "\" at character " + (at + 1) + ": " + problem);
    }

    /** The node at this path under {@code start}, or null when any step does not exist. */
    public JsonNode find(JsonNode start) {
        JsonNode node = start;
        for (Step step : steps) {
            if (node == null) {
                return null;
            }
            if (step instanceof Member member) {
                node = node.isObject() ? node.get(member.name()) : null;
            } else {
                int index = ((Index) step).index();
                node = node.isArray() && index < node.size() ? node.get(index) : null;
            }
        }
        return node;
    }

    public boolean isRoot() {
        return steps.isEmpty();
    }

    /** This path followed by element {@code index}: {@code $.alerts} → {@code $.alerts[3]}. */
    public FieldPath index(int index) {
        List<Step> more = new ArrayList<>(steps);
        more.add(new Index(index));
        return new FieldPath(more);
    }

    /** This path followed by a member: {@code $.labels} → {@code $.labels.host}. */
    public FieldPath member(String name) {
        List<Step> more = new ArrayList<>(steps);
        more.add(new Member(name));
        return new FieldPath(more);
    }

    /** {@code other} read from where this path points: {@code $.alerts[3]} + {@code $.title}. */
    public FieldPath then(FieldPath other) {
        List<Step> more = new ArrayList<>(steps);
        more.addAll(other.steps);
        return new FieldPath(more);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FieldPath other && steps.equals(other.steps);
    }

    @Override
    public int hashCode() {
        return steps.hashCode();
    }

    /** The canonical form: {@code $.alerts[0]['odd name'].x}; parsing it gives this path again. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("$");
        for (Step step : steps) {
            if (step instanceof Member member) {
                if (PLAIN.matcher(member.name()).matches()) {
                    text.append('.').append(member.name());
                } else {
                    text.append("['").append(member.name().replace("\\", "\\\\").replace("'", "\\'")).append("']");
                }
            } else {
                text.append('[').append(((Index) step).index()).append(']');
            }
        }
        return text.toString();
    }
}
