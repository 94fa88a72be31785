package io.reflex.rules;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.kie.api.KieBase;
import org.kie.api.KieBaseConfiguration;
import org.kie.api.KieServices;
import org.kie.api.builder.KieBuilder;
import org.kie.api.builder.KieFileSystem;
import org.kie.api.builder.Message;
import org.kie.api.builder.ReleaseId;
import org.kie.api.conf.EventProcessingOption;

/**
 * Turns DRL text into a knowledge base in STREAM mode, with the classic (interpreted) engine.
 *
 * <p>Every package is compiled together with a small prelude that declares the facts Reflex
 * inserts as events with an expiry, so a rule author cannot forget it and let the session's
 * memory grow with every alert.
 */
public final class RuleCompiler {
    /** Where the demo package lives on the classpath; the default when no rules file is configured. */
    public static final String DEMO_PACKAGE = "io/reflex/rules/demo/demo.drl";

    /**
     * How long an alert stays in a session. It bounds memory and the longest time window a
     * rule can look back over.
     */
    public static final Duration ALERT_EXPIRY = Duration.ofMinutes(30);

    /**
     * How long a {@link io.reflex.rules.vocabulary.Throttle} stays in a session: the longest
     * throttle window (as long as {@link #ALERT_EXPIRY}) plus the life of an alert it held back,
     * plus a minute so the two never expire at the same instant. A throttle that left earlier
     * would let the alerts it suppressed match again and fire late.
     */
    public static final Duration THROTTLE_EXPIRY = ALERT_EXPIRY.multipliedBy(2).plusMinutes(1);

    /*
     * No @timestamp: an event's time is the session clock when it is inserted, which the
     * processor has just moved to the record's time. Taking startsAt instead would make an
     * alert that has been firing for longer than the expiry (Alertmanager resends old ones)
     * expire the moment it is inserted.
     */
    private static final String PRELUDE = """
            package io.reflex.rules.prelude;

            import io.reflex.model.AlertEvent;
            import io.reflex.rules.vocabulary.Throttle;

            declare AlertEvent
                @role(event)
                @expires(%dm)
            end

            declare Throttle
                @role(event)
                @expires(%dm)
            end
            """.formatted(ALERT_EXPIRY.toMinutes(), THROTTLE_EXPIRY.toMinutes());

    private static final String PRELUDE_PATH = "src/main/resources/io/reflex/rules/prelude/prelude.drl";
    private static final String NULL_PACKAGE = "Parser returned a null Package";
    private static final Pattern POSITION =
            Pattern.compile("Line (\\d+):(\\d+)|\\[Line: (\\d+), Column: (\\d+)\\]");
    /**
     * The Java compiler's word for a call of the global the helper does not have ("The method
     * rebootPlanet(AlertEvent) is undefined for the type Remediate") or whose arguments it does
     * not take ("The method scale(AlertEvent, String, String, int) in the type Remediate is not
     * applicable for the arguments (AlertEvent, String, String)").
     */
    private static final Pattern REMEDIATE_CALL = Pattern.compile(
            "The method (\\w+)\\(([^)]*)\\) (?:is undefined for the type Remediate|in the type Remediate is not"
            + " applicable for the arguments \\(([^)]*)\\))");
    private static final Pattern RULE_NAME = Pattern.compile("\\brule\\s+(?:\"([^\"]*)\"|'([^']*)'|(\\S+))");
    private static final Pattern THEN = Pattern.compile("\\bthen\\b");
    private static final Pattern END = Pattern.compile("(?m)^\\s*end\\b");
    private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+([\\w.]+)", Pattern.MULTILINE);

    private RuleCompiler() {
    }

    /**
     * Compiles a rule package.
     *
     * @param origin where the text came from (a file path, "the demo package"), for the error message
     * @throws RuleCompilationException listing each error with its line and column
     */
    public static KieBase compile(String origin, String drl) {
        KieServices services = KieServices.get();
        // A release id of its own per build: KieServices keeps one global repository of
        // modules, and a validation running next to a live deployment must not replace it.
        ReleaseId releaseId = services.newReleaseId("io.reflex.rules", "ruleset-" + UUID.randomUUID(), "1");
        KieFileSystem files = services.newKieFileSystem()
                .generateAndWritePomXML(releaseId)
                .write(PRELUDE_PATH, PRELUDE)
                .write(pathOf(drl), drl);
        KieBuilder builder = services.newKieBuilder(files, RuleCompiler.class.getClassLoader()).buildAll();
        try {
            List<RuleError> errors = errorsOf(builder, drl);
            if (!errors.isEmpty()) {
                throw new RuleCompilationException(origin, errors);
            }
            KieBaseConfiguration configuration = services.newKieBaseConfiguration();
            configuration.setOption(EventProcessingOption.STREAM);
            KieBase base = services.newKieContainer(releaseId, RuleCompiler.class.getClassLoader())
                    .newKieBase(configuration);
            List<RuleError> globalErrors = misdeclaredGlobals(base);
            if (!globalErrors.isEmpty()) {
                throw new RuleCompilationException(origin, globalErrors);
            }
            return base;
        } finally {
            services.getRepository().removeKieModule(releaseId);
        }
    }

    /** The errors of a rule package, empty when it compiles. */
    public static List<RuleError> validate(String drl) {
        try {
            compile("under validation", drl);
            return List.of();
        } catch (RuleCompilationException e) {
            return e.errors();
        }
    }

    /** The text of the demo package shipped in this jar. */
    public static String demoPackage() {
        try (InputStream in = RuleCompiler.class.getClassLoader().getResourceAsStream(DEMO_PACKAGE)) {
            if (in == null) {
                throw new IllegalStateException("the demo rule package " + DEMO_PACKAGE
                        + " is missing from the classpath; rebuild the reflex-rules jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the demo rule package " + DEMO_PACKAGE, e);
        }
    }

    /** Whether some package of the base declares the {@link Remediate} global, so sessions must bind it. */
    static boolean declaresRemediate(KieBase base) {
        return base.getKiePackages().stream()
                .flatMap(p -> p.getGlobalVariables().stream())
                .anyMatch(g -> g.getName().equals(Remediate.GLOBAL));
    }

    /** The session binds {@code remediate} to a {@link Remediate}; any other type there fails every session. */
    private static List<RuleError> misdeclaredGlobals(KieBase base) {
        return base.getKiePackages().stream()
                .flatMap(p -> p.getGlobalVariables().stream())
                .filter(g -> g.getName().equals(Remediate.GLOBAL) && !g.getType().equals(Remediate.class.getName()))
                .map(g -> new RuleError(0, 0, "global '" + Remediate.GLOBAL + "' has type " + g.getType()
                        + "; declare it as: global " + Remediate.class.getName() + " " + Remediate.GLOBAL + ";"))
                .toList();
    }

    /** A path that matches the package name, or Drools warns about the mismatch on every build. */
    private static String pathOf(String drl) {
        Matcher m = PACKAGE.matcher(drl);
        String folder = m.find() ? m.group(1).replace('.', '/') + "/" : "";
        return "src/main/resources/" + folder + "ruleset.drl";
    }

    /** The errors of a build of {@code drl}, placed where the author must look. */
    static List<RuleError> errorsOf(KieBuilder builder, String drl) {
        return errorsOf(builder.getResults().getMessages(Message.Level.ERROR), drl);
    }

    static List<RuleError> errorsOf(List<Message> messages, String drl) {
        Set<Integer> placed = new HashSet<>();
        List<RuleError> errors = messages.stream()
                .flatMap(message -> atActionCalls(errorOf(message), drl, placed).stream())
                .toList();
        // After a syntax error the parser adds "Parser returned a null Package", which says nothing more.
        List<RuleError> specific = errors.stream().filter(e -> !e.message().contains(NULL_PACKAGE)).toList();
        return specific.isEmpty() ? errors : specific;
    }

    /**
     * Drools places the errors of a rule's consequence on the line of the rule, whatever line of
     * the consequence they are on, in one message. Each that is a call of the {@code remediate}
     * global (an action Reflex does not have, or arguments its action does not take) becomes an
     * error of its own at the call in the text, whose message lists the actions there are; the
     * rest of the message, if any, stays where Drools put it.
     *
     * @param placed offsets of calls earlier errors were placed at, so two errors never share one
     */
    static List<RuleError> atActionCalls(RuleError error, String drl, Set<Integer> placed) {
        Matcher problem = REMEDIATE_CALL.matcher(error.message());
        if (error.line() <= 0) {
            return List.of(error);
        }
        List<RuleError> errors = new ArrayList<>();
        StringBuilder rest = new StringBuilder();
        int last = 0;
        while (problem.find()) {
            RuleError placedError = atActionCall(problem, error.line(), drl, placed);
            if (placedError != null) {
                errors.add(placedError);
                rest.append(error.message(), last, problem.start());
                last = problem.end();
            }
        }
        if (errors.isEmpty()) {
            return List.of(error);
        }
        rest.append(error.message().substring(last));
        String others = rest.toString().replace("Rule Compilation error", "").strip();
        if (!others.isEmpty()) {
            errors.add(new RuleError(error.line(), error.column(), "Rule Compilation error " + others));
        }
        return errors;
    }

    /**
     * The error of one problem with a call of the helper, at the first {@code remediate.NAME(}
     * of the consequence of the rule on {@code ruleLine} with as many arguments as the problem
     * names, not placed already; null when the text has no such call.
     */
    private static RuleError atActionCall(Matcher problem, int ruleLine, String drl, Set<Integer> placed) {
        String method = problem.group(1);
        String arguments = problem.group(3) != null ? problem.group(3) : problem.group(2);
        int arity = arguments.isBlank() ? 0 : arguments.split(",").length;
        int ruleStart = offsetOfLine(drl, ruleLine);
        if (ruleStart < 0) {
            return null;
        }
        Matcher then = THEN.matcher(drl);
        if (!then.find(ruleStart)) {
            return null;
        }
        Matcher end = END.matcher(drl);
        int consequenceEnd = end.find(then.end()) ? end.start() : drl.length();
        Matcher calls = Pattern.compile("\\b" + Pattern.quote(Remediate.GLOBAL) + "\\s*\\.\\s*"
                + Pattern.quote(method) + "\\s*\\(").matcher(drl).region(then.end(), consequenceEnd);
        int chosen = -1;
        int fallback = -1;
        while (calls.find()) {
            if (placed.contains(calls.start())) {
                continue;
            }
            if (fallback < 0) {
                fallback = calls.start();
            }
            if (argumentsAt(drl, calls.end()) == arity) {
                chosen = calls.start();
                break;
            }
        }
        chosen = chosen >= 0 ? chosen : fallback;
        if (chosen < 0) {
            return null;
        }
        placed.add(chosen);
        int line = (int) drl.substring(0, chosen).chars().filter(c -> c == '\n').count() + 1;
        int column = chosen - (drl.lastIndexOf('\n', chosen - 1) + 1);
        String what = problem.group(3) != null
                ? Remediate.GLOBAL + "." + method + " does not take the arguments (" + arguments + ")"
                : Remediate.GLOBAL + "." + method + "(" + arguments + ") is not an action Reflex has";
        Matcher rule = RULE_NAME.matcher(drl).region(ruleStart, then.start());
        String inRule = rule.find() ? " in rule '" + (rule.group(1) != null ? rule.group(1)
                : rule.group(2) != null ? rule.group(2) : rule.group(3)) + "'" : "";
        return new RuleError(line, column, what + inRule + " (" + problem.group() + "). The actions are: "
                + String.join("; ", Remediate.actionMethods()) + ".");
    }

    /** The number of arguments of the call whose parenthesis opens just before {@code from}. */
    private static int argumentsAt(String drl, int from) {
        int depth = 0;
        int commas = 0;
        boolean any = false;
        for (int i = from; i < drl.length(); i++) {
            char c = drl.charAt(i);
            if (c == '"' || c == '\'') {
                // Skip the literal, escapes included.
                for (i++; i < drl.length() && drl.charAt(i) != c; i++) {
                    if (drl.charAt(i) == '\\') {
                        i++;
                    }
                }
                any = true;
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
                any = true;
            } else if (c == ')' || c == ']' || c == '}') {
                if (depth == 0) {
                    return any ? commas + 1 : 0;
                }
                depth--;
            } else if (c == ',' && depth == 0) {
                commas++;
            } else if (!Character.isWhitespace(c)) {
                any = true;
            }
        }
        return -1;
    }

    /** Where 1-based {@code line} starts in the text, or -1 past its end. */
    private static int offsetOfLine(String text, int line) {
        int offset = 0;
        for (int l = 1; l < line; l++) {
            offset = text.indexOf('\n', offset) + 1;
            if (offset == 0) {
                return -1;
            }
        }
        return offset;
    }

    /** Parser errors carry their column only in the text ("Line 9:28 ...", "[Line: 9, Column: 4]"). */
    private static RuleError errorOf(Message message) {
        int line = message.getLine();
        int column = message.getColumn();
        if (column <= 0) {
            Matcher m = POSITION.matcher(message.getText());
            if (m.find()) {
                line = line > 0 ? line : Integer.parseInt(m.group(1) != null ? m.group(1) : m.group(3));
                column = Integer.parseInt(m.group(2) != null ? m.group(2) : m.group(4));
            }
        }
        return new RuleError(Math.max(line, 0), Math.max(column, 0), message.getText().strip());
    }
}
