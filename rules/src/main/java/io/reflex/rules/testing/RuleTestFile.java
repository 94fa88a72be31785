package io.reflex.rules.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.reflex.model.ActionStatus;
import io.reflex.model.ActionType;
import io.reflex.model.AlertStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * One rule test file, read: which rule package it tests and its tests. The format is described
 * on {@link RuleTestRunner}.
 *
 * @param origin where it was read from, for messages
 * @param rules  the rule package, as written in the file (relative to the file's folder), or null
 *               for the default: the {@code .drl} next to it with the same base name
 */
public record RuleTestFile(String origin, String rules, List<Test> tests) {

    public RuleTestFile {
        Objects.requireNonNull(origin, "origin");
        tests = List.copyOf(tests);
    }

    /**
     * One test: alerts (and results of the actions asked for) in, expected actions out.
     *
     * @param until   how far the pseudo clock runs (from the test's start) before the actions are checked;
     *                never before the last alert or result
     * @param results results of actions the rules asked for, fed back as
     *                {@link io.reflex.rules.vocabulary.ActionOutcome}s, as the rules stage does
     */
    public record Test(String name, List<Alert> alerts, Duration until, List<Expected> expect, List<Result> results) {
        public Test {
            Objects.requireNonNull(name, "name");
            alerts = List.copyOf(alerts);
            expect = List.copyOf(expect);
            Objects.requireNonNull(until, "until");
            results = results == null ? List.of() : List.copyOf(results);
        }

        /** A test without results. */
        public Test(String name, List<Alert> alerts, Duration until, List<Expected> expect) {
            this(name, alerts, until, expect, List.of());
        }
    }

    /**
     * How an action the rules asked for ended, {@code at} after the test's start: written in the
     * {@code alerts} list as {@code result: {at: 30s, action: restart_service, status: succeeded}}.
     * It is the result of the first action of that type (and target, when given) asked for before
     * it that has no result yet.
     *
     * @param target {@code kind:name}, or null for any target
     * @param status a terminal status: only those reach the rules
     * @param detail what happened, or null
     */
    public record Result(Duration at, ActionType action, String target, ActionStatus status, String detail) {
        public Result {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(action, "action");
            Objects.requireNonNull(status, "status");
        }
    }

    /**
     * An alert sent at {@code at} after the test's start.
     *
     * @param resource    {@code kind:name}, or null to derive it from the labels
     * @param fingerprint the alert's series, or null for one of its own
     */
    public record Alert(Duration at, String name, AlertStatus status, Map<String, String> labels, String severity,
            String resource, String fingerprint) {
        public Alert {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(status, "status");
            labels = Map.copyOf(labels);
        }
    }

    /**
     * An action the test expects; null fields are not checked.
     *
     * @param target {@code kind:name}
     * @param params the action's params exactly, or null
     * @param at     when it is expected (within {@link RuleTestRunner#AT_TOLERANCE}), or null
     */
    public record Expected(ActionType type, String target, Map<String, String> params, String rule, Duration at) {
        public Expected {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(target, "target");
            params = params == null ? null : Map.copyOf(params);
        }
    }

    private static final Set<String> FILE_KEYS = Set.of("rules", "tests");
    private static final Set<String> TEST_KEYS = Set.of("name", "alerts", "until", "expect");
    private static final Set<String> ALERT_KEYS =
            Set.of("at", "name", "status", "labels", "severity", "resource", "fingerprint");
    private static final Set<String> RESULT_KEYS = Set.of("at", "action", "target", "status", "detail");
    private static final Set<String> EXPECT_KEYS = Set.of("type", "target", "params", "rule", "at");

    /**
     * Reads a rule test file with the given mapper: a YAML mapper reads YAML and JSON (YAML is a
     * superset of it), a plain one JSON only.
     *
     * @throws RuleTestFormatException for a file that is not a rule test file, naming the key
     * @throws IOException             for a file that cannot be read
     */
    public static RuleTestFile read(Path file, ObjectMapper mapper) throws IOException {
        String text = Files.readString(file);
        JsonNode tree;
        try {
            tree = mapper.readTree(text);
        } catch (JsonProcessingException e) {
            throw new RuleTestFormatException(file + ": not valid " + (file.toString().endsWith(".json") ? "JSON"
                    : "YAML") + " (" + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : ", line " + e.getLocation().getLineNr()) + ")", e);
        }
        return parse(file.toString(), tree);
    }

    /**
     * Reads a parsed rule test file.
     *
     * @throws RuleTestFormatException naming the file and the key that is wrong
     */
    public static RuleTestFile parse(String origin, JsonNode root) {
        Reader reader = new Reader(origin);
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw reader.error("", "the file is empty; it needs `tests:` with a list of tests");
        }
        reader.object(root, "", FILE_KEYS);
        String rules = root.has("rules") ? reader.text(root.get("rules"), "rules") : null;
        JsonNode tests = reader.required(root, "", "tests");
        reader.list(tests, "tests");
        if (tests.isEmpty()) {
            throw reader.error("tests", "is empty; write at least one test");
        }
        List<Test> parsed = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < tests.size(); i++) {
            Test test = reader.test(tests.get(i), "tests[" + i + "]");
            if (!names.add(test.name())) {
                throw reader.error("tests[" + i + "].name", "'" + test.name() + "' names another test too; "
                        + "give each test its own name");
            }
            parsed.add(test);
        }
        return new RuleTestFile(origin, rules, parsed);
    }

    /** Walks the tree, so each error names its path in the file. */
    private record Reader(String origin) {
        RuleTestFormatException error(String path, String problem) {
            return new RuleTestFormatException(origin + ": " + (path.isEmpty() ? "" : path + ": ") + problem);
        }

        void object(JsonNode node, String path, Set<String> keys) {
            if (!node.isObject()) {
                throw error(path, "expected a map with the keys " + sorted(keys) + ", got " + kind(node));
            }
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String key = it.next();
                if (!keys.contains(key)) {
                    throw error(join(path, key), "unknown key '" + key + "'; expected one of " + sorted(keys));
                }
            }
        }

        void list(JsonNode node, String path) {
            if (!node.isArray()) {
                throw error(path, "expected a list, got " + kind(node));
            }
        }

        JsonNode required(JsonNode node, String path, String key) {
            JsonNode value = node.get(key);
            if (value == null || value.isNull()) {
                throw error(join(path, key), "missing; it is required");
            }
            return value;
        }

        String text(JsonNode node, String path) {
            if (!node.isValueNode() || node.isNull() || node.asText().isBlank()) {
                throw error(path, "expected text, got " + kind(node));
            }
            return node.asText();
        }

        Duration duration(JsonNode node, String path) {
            if (node.isIntegralNumber() && node.asLong() == 0) {
                return Duration.ZERO;
            }
            Duration duration = node.isTextual() ? TestDurations.parse(node.asText()) : null;
            if (duration == null) {
                throw error(path, "expected a duration such as 0s, 30s, 10m, 1h30m or 500ms, got "
                        + (node.isValueNode() ? "'" + node.asText() + "'" : kind(node)));
            }
            return duration;
        }

        Map<String, String> strings(JsonNode node, String path) {
            if (!node.isObject()) {
                throw error(path, "expected a map of names to values, got " + kind(node));
            }
            Map<String, String> map = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                JsonNode value = field.getValue();
                if (!value.isValueNode() || value.isNull()) {
                    throw error(join(path, field.getKey()), "expected a text value, got " + kind(value));
                }
                map.put(field.getKey(), value.asText());
            }
            return map;
        }

        Test test(JsonNode node, String path) {
            object(node, path, TEST_KEYS);
            String name = text(required(node, path, "name"), join(path, "name"));
            JsonNode alertsNode = required(node, path, "alerts");
            list(alertsNode, join(path, "alerts"));
            List<Alert> alerts = new ArrayList<>();
            List<Result> results = new ArrayList<>();
            for (int i = 0; i < alertsNode.size(); i++) {
                JsonNode entry = alertsNode.get(i);
                String entryPath = join(path, "alerts") + "[" + i + "]";
                if (entry.isObject() && entry.has("result")) {
                    object(entry, entryPath, Set.of("result"));
                    results.add(result(entry.get("result"), join(entryPath, "result")));
                } else {
                    alerts.add(alert(entry, entryPath));
                }
            }
            Duration last = Stream.concat(alerts.stream().map(Alert::at),
                    results.stream().map(Result::at)).max(Duration::compareTo).orElse(Duration.ZERO);
            Duration until = last;
            if (node.hasNonNull("until")) {
                until = duration(node.get("until"), join(path, "until"));
                if (until.compareTo(last) < 0) {
                    throw error(join(path, "until"), TestDurations.format(until) + " is before the last "
                            + (results.isEmpty() ? "alert" : "alert or result") + " (at " + TestDurations.format(last) + "); the clock cannot run backwards");
                }
            }
            JsonNode expectNode = required(node, path, "expect");
            list(expectNode, join(path, "expect"));
            List<Expected> expect = new ArrayList<>();
            for (int i = 0; i < expectNode.size(); i++) {
                expect.add(expected(expectNode.get(i), join(path, "expect") + "[" + i + "]"));
            }
            return new Test(name, alerts, until, expect, results);
        }

        Result result(JsonNode node, String path) {
            object(node, path, RESULT_KEYS);
            Duration at = duration(required(node, path, "at"), join(path, "at"));
            ActionType action = actionType(required(node, path, "action"), join(path, "action"));
            String target = node.hasNonNull("target") ? kindName(node.get("target"), join(path, "target")) : null;
            String value = text(required(node, path, "status"), join(path, "status"));
            ActionStatus status = null;
            for (ActionStatus candidate : ActionStatus.values()) {
                if (candidate.name().equalsIgnoreCase(value) && candidate.terminal()) {
                    status = candidate;
                }
            }
            if (status == null) {
                throw error(join(path, "status"), "'" + value + "'; expected one of succeeded, failed, timed_out,"
                        + " rejected, skipped (only an action's final result reaches the rules)");
            }
            String detail = node.hasNonNull("detail") ? text(node.get("detail"), join(path, "detail")) : null;
            return new Result(at, action, target, status, detail);
        }

        ActionType actionType(JsonNode node, String path) {
            String typeText = text(node, path);
            try {
                return ActionType.fromWireName(typeText);
            } catch (IllegalArgumentException e) {
                throw error(path, e.getMessage());
            }
        }

        Alert alert(JsonNode node, String path) {
            object(node, path, ALERT_KEYS);
            Duration at = duration(required(node, path, "at"), join(path, "at"));
            String name = text(required(node, path, "name"), join(path, "name"));
            AlertStatus status = AlertStatus.FIRING;
            if (node.hasNonNull("status")) {
                String value = text(node.get("status"), join(path, "status"));
                status = switch (value.toLowerCase(Locale.ROOT)) {
                    case "firing" -> AlertStatus.FIRING;
                    case "resolved" -> AlertStatus.RESOLVED;
                    default -> throw error(join(path, "status"), "'" + value + "'; expected firing or resolved");
                };
            }
            Map<String, String> labels = node.has("labels") ? strings(node.get("labels"), join(path, "labels"))
                    : Map.of();
            String severity = node.hasNonNull("severity") ? text(node.get("severity"), join(path, "severity")) : null;
            String resource = null;
            if (node.hasNonNull("resource")) {
                resource = kindName(node.get("resource"), join(path, "resource"));
            }
            String fingerprint = node.hasNonNull("fingerprint")
                    ? text(node.get("fingerprint"), join(path, "fingerprint")) : null;
            return new Alert(at, name, status, labels, severity, resource, fingerprint);
        }

        Expected expected(JsonNode node, String path) {
            object(node, path, EXPECT_KEYS);
            ActionType type = actionType(required(node, path, "type"), join(path, "type"));
            String target = kindName(required(node, path, "target"), join(path, "target"));
            Map<String, String> params = node.has("params") ? strings(node.get("params"), join(path, "params"))
                    : null;
            String rule = node.hasNonNull("rule") ? text(node.get("rule"), join(path, "rule")) : null;
            Duration at = node.hasNonNull("at") ? duration(node.get("at"), join(path, "at")) : null;
            return new Expected(type, target, params, rule, at);
        }

        String kindName(JsonNode node, String path) {
            String value = text(node, path);
            int colon = value.indexOf(':');
            if (colon <= 0 || colon == value.length() - 1) {
                throw error(path, "'" + value + "'; expected kind:name, e.g. service:shop or host:web-1");
            }
            return value;
        }

        private static String join(String path, String key) {
            return path.isEmpty() ? key : path + "." + key;
        }

        private static String sorted(Set<String> keys) {
            return String.join(", ", new TreeSet<>(keys));
        }

        private static String kind(JsonNode node) {
            if (node.isObject()) {
                return "a map";
            }
            if (node.isArray()) {
                return "a list";
            }
            if (node.isNull()) {
                return "nothing";
            }
            return "'" + node.asText() + "'";
        }
    }
}
