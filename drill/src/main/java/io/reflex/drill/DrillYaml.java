package io.reflex.drill;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.reflex.model.Durations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What the drill file readers (live drills, DR drills, GameDays) share: reading the file, and typed
 * readers of its parts that collect every {@link DrillProblem} instead of stopping at the first, so
 * one run names every problem with its path. A part with a problem reads as null.
 */
public final class DrillYaml {
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private final String settingKind;
    private final List<DrillProblem> problems = new ArrayList<>();

    /**
     * @param settingKind what an unknown key is not a setting of, in messages ("drill", "DR drill", "GameDay")
     */
    public DrillYaml(String settingKind) {
        this.settingKind = settingKind;
    }

    /** @throws DrillFileException naming the file when it cannot be read */
    public static String readString(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException | RuntimeException e) {
            throw new DrillFileException(file.toString(), List.of(new DrillProblem("(file)",
                    "cannot be read: " + e.getMessage())));
        }
    }

    /**
     * @param source     what to call the text in messages (its file name)
     * @param notMapping the message when the text is YAML but not a mapping (it says what the mapping holds)
     * @return the root mapping
     * @throws DrillFileException when the text is not YAML or not a mapping
     */
    public static JsonNode root(String text, String source, String notMapping) {
        JsonNode root;
        try {
            root = YAML.readTree(text);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr();
            throw new DrillFileException(source, List.of(new DrillProblem("(file)", "is not YAML" + where + ": "
                    + e.getOriginalMessage())));
        }
        if (root == null || !root.isObject()) {
            throw new DrillFileException(source, List.of(new DrillProblem("(file)", notMapping)));
        }
        return root;
    }

    /** @return the text parsed as YAML, or null when it is not YAML */
    public static JsonNode tryRead(String text) {
        try {
            return YAML.readTree(text);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /** The problems so far, in the order found (a live view). */
    public List<DrillProblem> problems() {
        return Collections.unmodifiableList(problems);
    }

    /** @throws DrillFileException with every problem found, if there is any */
    public void throwIfProblems(String source) {
        if (!problems.isEmpty()) {
            throw new DrillFileException(source, problems);
        }
    }

    public void problem(String path, String message) {
        problems.add(new DrillProblem(path, message));
    }

    /** A length that must be longer than 0; {@code fallback} when absent, or a problem when that is null. */
    public Duration duration(JsonNode node, String path, Duration fallback) {
        return duration(node, path, fallback, false);
    }

    /** @param zeroOk whether 0 is a valid value (a delay), rather than a length that must be positive */
    public Duration duration(JsonNode node, String path, Duration fallback, boolean zeroOk) {
        if (node == null || node.isNull()) {
            if (fallback == null) {
                problem(path, "is missing; write a duration such as 30s");
            }
            return fallback;
        }
        try {
            Duration d = Durations.parse(node.asText());
            if (d.isNegative() || d.isZero() && !zeroOk) {
                problem(path, zeroOk ? "must not be negative" : "must be longer than 0");
                return null;
            }
            return d;
        } catch (IllegalArgumentException e) {
            problem(path, e.getMessage());
            return null;
        }
    }

    /** A single value, trimmed; null (and a problem when required) when absent or blank. */
    public String text(JsonNode parent, String field, String path, boolean required) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull() || node.isTextual() && node.asText().isBlank()) {
            if (required) {
                problem(path, "is missing");
            }
            return null;
        }
        if (!node.isValueNode()) {
            problem(path, "must be a single value, not " + (node.isArray() ? "a list" : "a mapping"));
            return null;
        }
        return node.asText().trim();
    }

    /** The required top-level {@code name} of a drill; null (and a problem) when missing or not a name. */
    public String drillName(JsonNode root) {
        String name = text(root, "name", "name", true);
        if (name != null && !NAME.matcher(name).matches()) {
            problem("name", "'" + name + "' is not a drill name: use letters, digits, '.', '_' and '-'"
                    + " (it becomes part of the drill id)");
            return null;
        }
        return name;
    }

    /** @return whether {@code node} is a mapping; a problem when it is not (or is absent and required) */
    public boolean object(JsonNode node, String path, boolean required) {
        if (node == null || node.isNull()) {
            if (required) {
                problem(path, "is missing");
            }
            return false;
        }
        if (!node.isObject()) {
            problem(path, "must be a mapping");
            return false;
        }
        return true;
    }

    /**
     * A command line: a non-empty list of strings, run without a shell.
     *
     * @param example an example argv for the message, e.g. {@code [pg_isready, -q]}
     */
    public List<String> argv(JsonNode node, String path, String example) {
        if (node == null || !node.isArray() || node.isEmpty()) {
            problem(path, "must be a non-empty list: the program and its arguments (no shell), e.g. " + example);
            return null;
        }
        List<String> argv = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode arg = node.get(i);
            if (!arg.isValueNode() || arg.isNull()) {
                problem(path + "[" + i + "]", "must be a string");
                return null;
            }
            argv.add(arg.asText());
        }
        return argv;
    }

    /** A problem for each key of {@code node} not in {@code known}, at {@code prefix + key}. */
    public void unknownKeys(JsonNode node, String prefix, Set<String> known) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                problem(prefix + name, "is not a " + settingKind + " setting here; expected one of "
                        + known.stream().sorted().toList());
            }
        }
    }
}
