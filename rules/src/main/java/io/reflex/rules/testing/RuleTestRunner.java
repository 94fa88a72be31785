package io.reflex.rules.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.reflex.model.AlertEvent;
import io.reflex.model.AlertStatus;
import io.reflex.model.Resource;
import io.reflex.rules.ActionRequest;
import io.reflex.rules.RuleCompiler;
import io.reflex.rules.RuleSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import io.reflex.rules.vocabulary.ActionOutcome;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.kie.api.KieBase;

/**
 * Runs rule tests: alerts in at given times, expected actions out, on the pseudo clock, with the
 * same rule session the rules stage uses.
 *
 * <h2>The format</h2>
 * A YAML (or JSON) file next to the rule package, conventionally {@code NAME.tests.yaml} next to
 * {@code NAME.drl}:
 * <pre>{@code
 * rules: demo.drl            # optional; default: the .drl with the same base name, in the same folder
 * tests:
 *   - name: restarts a service that is down
 *     alerts:
 *       - {at: 0s, name: ServiceDown, status: firing, labels: {service: shop}}
 *     expect:
 *       - {at: 0s, type: restart_service, target: service:shop}
 *   - name: ignores other alerts
 *     alerts: [{at: 0s, name: HighCPU, labels: {host: web-1}}]
 *     until: 10m             # run the pseudo clock on to here (1 s ticks) before checking
 *     expect: []
 * }</pre>
 * <ul>
 *   <li>Durations ({@code at}, {@code until}) count from the test's start: {@code 0s}, {@code 500ms},
 *       {@code 30s}, {@code 10m}, {@code 1h30m}, {@code 2d}; a bare {@code 0} is allowed too.
 *   <li>An alert: {@code at} and {@code name} are required; {@code status} is {@code firing} (default)
 *       or {@code resolved}; {@code labels} (the {@code alertname} label is added when absent);
 *       {@code severity}; {@code resource} ({@code kind:name}); {@code fingerprint}. Each alert has a
 *       fingerprint of its own unless given one: give two alerts the same to make them one series.
 *   <li>The resource, unless given, comes from the labels, in the order of the default mapping of
 *       ingest: {@code deployment}, {@code pod}, {@code service}, {@code host}, {@code node},
 *       {@code instance} (the last three give {@code host:NAME}); otherwise {@code alert:ALERTNAME}.
 *       It is derived here, not by ingest (rules do not depend on ingest), so a custom
 *       {@code ingest.resourceMapping} is not applied: give {@code resource} to test against one.
 *   <li>An expected action: {@code type} (e.g. {@code restart_service}) and {@code target}
 *       ({@code kind:name}) are required; {@code params} (the action's params, exactly),
 *       {@code rule} (the rule's name) and {@code at} (within {@link #AT_TOLERANCE}) are checked when
 *       given. Every action the rules ask for must be expected, and every expected one asked for;
 *       the order does not matter.
 *   <li>A result: an entry {@code result: {at: 30s, action: restart_service, status: succeeded}} in the
 *       {@code alerts} list (also {@code target: kind:name}, {@code detail}) says how an action the rules
 *       asked for ended: the first one of that type (and target) asked for by then without a result.
 *       It goes into the session as an {@link ActionOutcome}, as the rules stage inserts one when the
 *       action's final result comes back. {@code status}: {@code succeeded}, {@code failed},
 *       {@code timed_out}, {@code rejected} or {@code skipped}. A result that answers no action fails
 *       the test.
 *   <li>{@code until} defaults to the last alert's (or result's) time.
 * </ul>
 *
 * <h2>Time</h2>
 * As the rules stage does: the clock moves to each alert's time, the alert is inserted and the rules
 * fire; between alerts, and on to {@code until}, the clock ticks every second and the rules fire on
 * each tick, so windows, absences and timers close as they would in production. The test's start is
 * {@link #START}. A rule that throws fails the test, with the rule's name and the error.
 */
public final class RuleTestRunner {
    /** The wall-clock time a test starts at; {@code at: 0s}. */
    public static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    /** How far an action may be from the {@code at} it is expected at. */
    public static final Duration AT_TOLERANCE = Duration.ofSeconds(1);
    /** How often the clock ticks between alerts, as the rules stage's wall-clock tick. */
    static final Duration TICK = Duration.ofSeconds(1);

    private static final String SOURCE = "test";
    /** Label, kind, namespaced: the default mapping of ingest. */
    private static final List<String[]> RESOURCE_LABELS = List.of(
            new String[] {"deployment", "deployment", "namespaced"},
            new String[] {"pod", "pod", "namespaced"},
            new String[] {"service", "service", ""},
            new String[] {"host", "host", ""},
            new String[] {"node", "host", ""},
            new String[] {"instance", "host", ""});

    private RuleTestRunner() {
    }

    /**
     * Where the rule package of a test file is: its {@code rules} key relative to the file's folder,
     * or {@code NAME.drl} next to {@code NAME.tests.yaml} (also {@code .tests.yml}, {@code .tests.json},
     * {@code .yaml}, {@code .yml}, {@code .json}).
     */
    public static Path rulesPath(Path testFile, RuleTestFile tests) {
        Path folder = testFile.toAbsolutePath().getParent();
        if (tests.rules() != null) {
            return folder.resolve(tests.rules()).normalize();
        }
        String name = testFile.getFileName().toString();
        for (String suffix : List.of(".tests.yaml", ".tests.yml", ".tests.json", ".yaml", ".yml", ".json")) {
            if (name.endsWith(suffix)) {
                return folder.resolve(name.substring(0, name.length() - suffix.length()) + ".drl");
            }
        }
        return folder.resolve(name + ".drl");
    }

    /**
     * Reads a test file, compiles the rule package it names and runs its tests.
     *
     * @throws RuleTestFormatException                    for a file that is not a rule test file
     * @throws io.reflex.rules.RuleCompilationException  for a rule package that does not compile
     * @throws IOException                                for a file that cannot be read
     */
    public static List<RuleTestResult> runFile(Path testFile, ObjectMapper mapper) throws IOException {
        RuleTestFile tests = RuleTestFile.read(testFile, mapper);
        Path drl = rulesPath(testFile, tests);
        String text;
        try {
            text = Files.readString(drl);
        } catch (NoSuchFileException e) {
            throw new RuleTestFormatException(testFile + ": the rule package " + drl + " does not exist; "
                    + (tests.rules() == null ? "put it next to the tests or name it with `rules: FILE.drl`"
                    : "check the `rules` key"));
        }
        return run(tests, RuleCompiler.compile(drl.toString(), text));
    }

    /** Runs every test of the file against the rules, each in a session of its own. */
    public static List<RuleTestResult> run(RuleTestFile tests, KieBase rules) {
        Objects.requireNonNull(rules, "rules");
        return tests.tests().stream().map(test -> run(test, rules)).toList();
    }

    /** Runs one test in a new session; a failing expectation is a result, never an exception. */
    public static RuleTestResult run(RuleTestFile.Test test, KieBase rules) {
        List<Asked> asked = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        try (RuleSession session = new RuleSession(rules)) {
            session.advanceTo(START.toEpochMilli());
            // Alerts, then results, by time (file order at one time); ticks every second to `until`.
            TreeMap<Long, List<Object>> inputs = new TreeMap<>();
            for (int i = 0; i < test.alerts().size(); i++) {
                RuleTestFile.Alert alert = test.alerts().get(i);
                inputs.computeIfAbsent(alert.at().toMillis(), k -> new ArrayList<>()).add(event(alert, i));
            }
            for (RuleTestFile.Result result : test.results()) {
                inputs.computeIfAbsent(result.at().toMillis(), k -> new ArrayList<>()).add(result);
            }
            Set<Asked> answered = Collections.newSetFromMap(new IdentityHashMap<>());
            long end = test.until().toMillis();
            long tick = 0;
            while (tick <= end || !inputs.isEmpty()) {
                Map.Entry<Long, List<Object>> next = inputs.firstEntry();
                if (next != null && next.getKey() <= tick) {
                    inputs.pollFirstEntry();
                    session.advanceTo(START.toEpochMilli() + next.getKey());
                    for (Object input : next.getValue()) {
                        if (input instanceof AlertEvent alert) {
                            session.insert(alert);
                        } else {
                            RuleTestFile.Result result = (RuleTestFile.Result) input;
                            ActionOutcome outcome = outcome(result, asked, answered);
                            if (outcome == null) {
                                problems.add("result " + describe(result) + " answers no action: no "
                                        + result.action().wireName() + (result.target() == null ? ""
                                        : " " + result.target()) + " without a result was asked for by then");
                                continue;
                            }
                            session.insert(outcome);
                        }
                        collect(session, asked, problems);
                    }
                } else {
                    session.advanceTo(START.toEpochMilli() + tick);
                    collect(session, asked, problems);
                    tick += TICK.toMillis();
                }
            }
        }
        problems.addAll(compare(test.expect(), asked));
        return new RuleTestResult(test.name(), problems);
    }

    /** The outcome of the first action asked for that the result can answer and that has no result yet. */
    private static ActionOutcome outcome(RuleTestFile.Result result, List<Asked> asked, Set<Asked> answered) {
        for (int i = 0; i < asked.size(); i++) {
            Asked candidate = asked.get(i);
            ActionRequest request = candidate.request();
            if (!answered.contains(candidate) && request.type() == result.action()
                    && (result.target() == null
                            || result.target().equals(request.targetKind() + ":" + request.targetName()))) {
                answered.add(candidate);
                AlertEvent trigger = request.trigger();
                return new ActionOutcome("test-action-" + i,
                        "test-incident:" + trigger.resource().key() + "|" + trigger.name(), request.type(),
                        result.status(), result.detail(), trigger.resource(), trigger.name());
            }
        }
        return null;
    }

    private static String describe(RuleTestFile.Result result) {
        return result.action().wireName() + (result.target() == null ? "" : " " + result.target()) + " "
                + result.status().name().toLowerCase(Locale.ROOT) + " at "
                + TestDurations.format(result.at());
    }

    /** An action a rule asked for, and when (from the test's start). */
    private record Asked(ActionRequest request, Duration at) {
        String describe() {
            return request.type().wireName() + " " + request.targetKind() + ":" + request.targetName()
                    + (request.params().isEmpty() ? "" : " " + new TreeMap<>(request.params()))
                    + " at " + TestDurations.format(at) + " (rule '" + request.rule() + "')";
        }
    }

    private static void collect(RuleSession session, List<Asked> asked, List<String> problems) {
        Duration at = Duration.ofMillis(session.now() - START.toEpochMilli());
        RuleSession.Outcome outcome = session.fire();
        outcome.requests().forEach(request -> asked.add(new Asked(request, at)));
        for (RuleSession.Failure failure : outcome.failures()) {
            problems.add("rule '" + failure.rule() + "' threw at " + TestDurations.format(at) + ": "
                    + failure.error());
        }
    }

    /** Pairs each expectation with the first action it matches; what is left on either side is the diff. */
    static List<String> compare(List<RuleTestFile.Expected> expected, List<Asked> asked) {
        List<Asked> unmatched = new ArrayList<>(asked);
        List<String> problems = new ArrayList<>();
        for (RuleTestFile.Expected expectation : expected) {
            Asked match = unmatched.stream().filter(a -> matches(expectation, a)).findFirst().orElse(null);
            if (match != null) {
                unmatched.remove(match);
            } else {
                problems.add("expected " + describe(expectation) + ", got nothing");
            }
        }
        unmatched.forEach(a -> problems.add("unexpected " + a.describe()));
        return problems;
    }

    private static boolean matches(RuleTestFile.Expected expected, Asked asked) {
        ActionRequest request = asked.request();
        return expected.type() == request.type()
                && expected.target().equals(request.targetKind() + ":" + request.targetName())
                && (expected.params() == null || expected.params().equals(request.params()))
                && (expected.rule() == null || expected.rule().equals(request.rule()))
                && (expected.at() == null
                        || expected.at().minus(asked.at()).abs().compareTo(AT_TOLERANCE) <= 0);
    }

    private static String describe(RuleTestFile.Expected expected) {
        return expected.type().wireName() + " " + expected.target()
                + (expected.params() == null ? "" : " " + new TreeMap<>(expected.params()))
                + (expected.at() == null ? "" : " at " + TestDurations.format(expected.at()))
                + (expected.rule() == null ? "" : " (rule '" + expected.rule() + "')");
    }

    /** The alert as ingest would have built it, sent {@code alert.at()} after the start. */
    static AlertEvent event(RuleTestFile.Alert alert, int index) {
        Instant at = START.plus(alert.at());
        Map<String, String> labels = new HashMap<>(alert.labels());
        labels.putIfAbsent("alertname", alert.name());
        String fingerprint = alert.fingerprint() != null ? alert.fingerprint() : "test-alert-" + index;
        String severity = alert.severity() != null ? alert.severity() : labels.get("severity");
        boolean resolved = alert.status() == AlertStatus.RESOLVED;
        return new AlertEvent(AlertEvent.idFor(SOURCE, fingerprint, at, alert.status()), SOURCE, alert.name(),
                alert.status(), severity, resourceOf(alert, labels), labels, Map.of(), at, resolved ? at : null, at,
                fingerprint, null);
    }

    private static Resource resourceOf(RuleTestFile.Alert alert, Map<String, String> labels) {
        if (alert.resource() != null) {
            int colon = alert.resource().indexOf(':');
            return Resource.of(alert.resource().substring(0, colon), alert.resource().substring(colon + 1));
        }
        for (String[] mapping : RESOURCE_LABELS) {
            String name = labels.get(mapping[0]);
            if (name != null && !name.isEmpty()) {
                return new Resource(mapping[1], name, mapping[2].isEmpty() ? null : labels.get("namespace"), null);
            }
        }
        return Resource.of("alert", alert.name());
    }
}
