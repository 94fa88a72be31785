package io.reflex.app;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.reflex.app.auth.ClientToken;
import io.reflex.rules.RuleCompilationException;
import io.reflex.rules.RuleCompiler;
import io.reflex.rules.RuleError;
import io.reflex.rules.testing.RuleTestFile;
import io.reflex.rules.testing.RuleTestFormatException;
import io.reflex.rules.testing.RuleTestResult;
import io.reflex.rules.testing.RuleTestRunner;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.kie.api.KieBase;

/**
 * {@code reflex rules}: work with rule packages (DRL files) on the command line. This slice:
 * {@code reflex rules validate FILE...}, which compiles each package as a running Reflex would, and
 * {@code reflex rules test FILE...}, which runs rule tests ({@link RuleTestRunner}).
 */
final class RulesCommand {
    static final String HELP = """
            Usage: reflex rules validate FILE...
                   reflex rules test FILE.tests.yaml...
                   reflex rules deploy FILE [--shadow] [--url URL] [--token TOKEN] [--author NAME]
                   reflex rules replay FILE --from TIME --to TIME [--url URL] [--token TOKEN] [--json]

            validate
            Compiles each rule package (DRL file) exactly as a running Reflex would, without
            connecting to it, and reports:
              FILE: valid                    for a package that compiles
              FILE:LINE:COLUMN: message      for each error of one that does not (line and column
                                             count from 1, the format editors and CI jump to; an
                                             error the compiler gives no place for is FILE: message)

            Exit status: 0 when every package is valid, 1 when any is invalid, 2 for a usage error
            (an unknown subcommand or option, a file that cannot be read).

            A running Reflex validates too: POST the DRL text to /api/rules/validate.

            test
            Runs rule tests: YAML (or JSON) files of alerts with times in and the actions the rules
            should ask for out, on the rules' own pseudo clock (docs/rules.md, "Rule tests"). Each
            file tests the rule package its `rules:` key names, by default NAME.drl next to
            NAME.tests.yaml. For each test it prints
              PASS name                      or
              FAIL name                      and under it one line per difference, e.g.
                expected restart_service service:shop at 0s, got nothing
                unexpected notify channel:ops at 5m (rule 'tell ops')
            then a summary: N passed, M failed.

            Exit status: 0 when every test passes, 1 when any fails (or its rule package does not
            compile), 2 for a usage error (a file that cannot be read, a test file that is not one).

            deploy
            Sends the package to a running Reflex (POST /api/rules), which validates it and, when it
            compiles, makes it the active version on every rules instance without a restart. Prints
            the new version, or the errors as validate does (and nothing changes).
              --shadow       run it in shadow instead, beside the active version: its actions are
                             recorded with mode SHADOW and never executed (POST /api/rules?shadow=true).
                             It replaces any version already in shadow. Then either promote it
                             (POST /api/rules/shadow/promote) or stop it (DELETE /api/rules/shadow).
              --url URL      Reflex's base URL (default http://127.0.0.1:8080)
              --token TOKEN  API token with role author or admin (default: $REFLEX_TOKEN, else the
                             admin token `reflex up` made in DATA_DIR/auth/admin.token, when readable)
              --data-dir DIR the data dir whose admin token to send (default ./data, and only to a
                             Reflex on this machine: 127.0.0.1 or localhost)
              --author NAME  sent as X-Reflex-Author; Reflex records the token's name instead
            Exit status: 0 deployed, 1 refused or Reflex unreachable, 2 for a usage error.

            replay
            Asks a running Reflex what the package would have done with the alerts it recorded
            between --from and --to (ISO-8601, e.g. 2026-11-26T10:00:00Z), next to what was done
            (POST /api/rules/replay). Prints one block per alert (= same, - only done, + only the
            candidate) and the counts; --json prints the report as JSON. --url, --token and
            --data-dir as for deploy; any role may replay (it changes nothing).
            Exit status: 0 when the candidate decides exactly as was decided, 1 when it differs or
            cannot run, 2 for a usage error.

            Options:
              -h, --help   show this help

            Examples: reflex rules validate rules/*.drl
                      reflex rules test rules/*.tests.yaml
                      reflex rules deploy rules/site.drl --url http://reflex:8080
                      reflex rules deploy rules/candidate.drl --shadow
            """;

    private RulesCommand() {
    }

    static int run(List<String> args, PrintStream out, PrintStream err) {
        return run(args, out, err, System.getenv());
    }

    /** @param env where {@code REFLEX_TOKEN} is looked up */
    static int run(List<String> args, PrintStream out, PrintStream err, Map<String, String> env) {
        if (args.isEmpty()) {
            err.println("reflex rules: say what to do, e.g. `reflex rules validate FILE...`.");
            err.print(HELP);
            return Main.USAGE;
        }
        String command = args.get(0);
        switch (command) {
            case "-h", "--help", "help" -> {
                out.print(HELP);
                return Main.OK;
            }
            case "validate" -> {
                return validate(args.subList(1, args.size()), out, err);
            }
            case "test" -> {
                return test(args.subList(1, args.size()), out, err);
            }
            case "deploy" -> {
                return deploy(args.subList(1, args.size()), out, err, env);
            }
            case "replay" -> {
                return replay(args.subList(1, args.size()), out, err, env);
            }
            default -> {
                err.println("reflex rules: unknown subcommand '" + command + "'.");
                err.println("Run `reflex rules --help` for what it can do.");
                return Main.USAGE;
            }
        }
    }

    private static int deploy(List<String> args, PrintStream out, PrintStream err, Map<String, String> env) {
        String url = "http://127.0.0.1:8080";
        String author = System.getProperty("user.name", "cli");
        String tokenFlag = null;
        Path dataDir = null;
        boolean shadow = false;
        List<String> files = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--shadow")) {
                shadow = true;
            } else if ((arg.equals("--token") || arg.equals("--data-dir")) && i + 1 < args.size()) {
                if (arg.equals("--token")) {
                    tokenFlag = args.get(++i);
                } else {
                    dataDir = Path.of(args.get(++i));
                }
            } else if ((arg.equals("--url") || arg.equals("--author")) && i + 1 < args.size()) {
                if (arg.equals("--url")) {
                    url = args.get(++i);
                } else {
                    author = args.get(++i);
                }
            } else if (arg.startsWith("-")) {
                err.println("reflex rules deploy: unknown option or missing value '" + arg + "'; see `reflex rules --help`.");
                return Main.USAGE;
            } else {
                files.add(arg);
            }
        }
        if (files.size() != 1) {
            err.println("reflex rules deploy: name exactly one rule package (DRL file) to deploy.");
            return Main.USAGE;
        }
        String file = files.get(0);
        String drl;
        try {
            drl = java.nio.file.Files.readString(java.nio.file.Path.of(file));
        } catch (java.io.IOException | RuntimeException e) {
            err.println("reflex rules deploy: cannot read " + file + " (" + e.getMessage() + ").");
            return Main.USAGE;
        }
        java.util.Optional<String> token = ClientToken.resolve(tokenFlag, env, dataDir, url);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-Reflex-Author", author);
        token.ifPresent(t -> headers.put("Authorization", "Bearer " + t));
        java.net.http.HttpResponse<String> answer = post("deploy", url, shadow ? "/api/rules?shadow=true" : "/api/rules", drl,
                java.time.Duration.ofSeconds(60), headers, err);
        if (answer == null) {
            return Main.FAILED;
        }
        com.fasterxml.jackson.databind.JsonNode body;
        try {
            body = io.reflex.model.Json.MAPPER.readTree(answer.body());
        } catch (IOException e) {
            err.println("reflex rules deploy: Reflex answered " + answer.statusCode() + ": " + answer.body());
            return Main.FAILED;
        }
        if (answer.statusCode() == 201 || answer.statusCode() == 202) {
            out.println(file + ": deployed as version " + body.path("version").asLong()
                    + (shadow ? " in shadow (its actions are recorded, never executed)" : "")
                    + (answer.statusCode() == 202 ? " (not yet running everywhere: " + body.path("note").asText("")
                    + ")" : ""));
            return Main.OK;
        }
        if (answer.statusCode() == 422 && body.has("errors")) {
            body.path("errors").forEach(e -> out.println(file + ":" + e.path("line").asInt() + ":"
                    + (e.path("column").asInt() + 1) + ": " + e.path("message").asText().replaceAll("\\s+", " ")));
            out.println(file + ": not deployed; the active" + (shadow ? " and shadow versions are" : " version is")
                    + " unchanged");
            return Main.FAILED;
        }
        err.println("reflex rules deploy: Reflex answered " + answer.statusCode() + ": " + answer.body());
        if (answer.statusCode() == 401 || answer.statusCode() == 403) {
            err.println("reflex rules deploy: " + ClientToken.advice(answer.statusCode(), token.isPresent()) + ".");
        }
        return Main.FAILED;
    }

    /**
     * POSTs {@code body} to a running Reflex; null (with the reason on {@code err}) when nothing
     * answered, so each command only decides what an answer means.
     */
    private static java.net.http.HttpResponse<String> post(String command, String url, String pathAndQuery,
            String body, java.time.Duration timeout, Map<String, String> headers, PrintStream err) {
        try {
            java.net.http.HttpRequest.Builder request = java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create(url.replaceAll("/+$", "") + pathAndQuery))
                    .timeout(timeout)
                    .header("Content-Type", "text/plain; charset=utf-8")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body));
            headers.forEach(request::header);
            return java.net.http.HttpClient.newHttpClient().send(request.build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
        } catch (java.net.ConnectException e) {
            err.println("reflex rules " + command + ": nothing answers at " + url + "; is `reflex up` running there?"
                    + " (--url)");
        } catch (IOException | IllegalArgumentException e) {
            err.println("reflex rules " + command + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return null;
    }

    private static int replay(List<String> args, PrintStream out, PrintStream err, Map<String, String> env) {
        java.util.Map<String, String> options = new java.util.HashMap<>(java.util.Map.of("--url", "http://127.0.0.1:8080"));
        boolean json = false;
        List<String> files = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--json")) {
                json = true;
            } else if (java.util.Set.of("--url", "--from", "--to", "--token", "--data-dir").contains(arg)
                    && i + 1 < args.size()) {
                options.put(arg, args.get(++i));
            } else if (arg.startsWith("-")) {
                err.println("reflex rules replay: unknown option or missing value '" + arg + "'; see `reflex rules --help`.");
                return Main.USAGE;
            } else {
                files.add(arg);
            }
        }
        if (files.size() != 1 || !options.containsKey("--from") || !options.containsKey("--to")) {
            err.println("reflex rules replay: name one rule package and the range, e.g. `reflex rules replay"
                    + " candidate.drl --from 2026-11-26T10:00:00Z --to 2026-11-26T11:00:00Z`.");
            return Main.USAGE;
        }
        String drl;
        try {
            drl = java.nio.file.Files.readString(java.nio.file.Path.of(files.get(0)));
        } catch (java.io.IOException | RuntimeException e) {
            err.println("reflex rules replay: cannot read " + files.get(0) + " (" + e.getMessage() + ").");
            return Main.USAGE;
        }
        String query = "?from=" + java.net.URLEncoder.encode(options.get("--from"), java.nio.charset.StandardCharsets.UTF_8)
                + "&to=" + java.net.URLEncoder.encode(options.get("--to"), java.nio.charset.StandardCharsets.UTF_8);
        java.util.Optional<String> token = ClientToken.resolve(options.get("--token"), env,
                options.containsKey("--data-dir") ? Path.of(options.get("--data-dir")) : null, options.get("--url"));
        java.net.http.HttpResponse<String> answer = post("replay", options.get("--url"), "/api/rules/replay" + query,
                drl, java.time.Duration.ofMinutes(5),
                token.map(t -> Map.of("Authorization", "Bearer " + t)).orElse(Map.of()), err);
        if (answer == null) {
            return Main.FAILED;
        }
        if (answer.statusCode() != 200) {
            err.println("reflex rules replay: Reflex answered " + answer.statusCode() + ": " + answer.body());
            if (answer.statusCode() == 401 || answer.statusCode() == 403) {
                err.println("reflex rules replay: " + ClientToken.advice(answer.statusCode(), token.isPresent()) + ".");
            }
            return Main.FAILED;
        }
        io.reflex.rules.replay.ReplayReport report;
        try {
            report = io.reflex.model.Json.MAPPER.readValue(answer.body(), io.reflex.rules.replay.ReplayReport.class);
        } catch (IOException e) {
            err.println("reflex rules replay: the report could not be read: " + e.getMessage());
            return Main.FAILED;
        }
        out.print(json ? answer.body() + "\n" : report.text());
        return report.summary().identical() ? Main.OK : Main.FAILED;
    }

    /** The file arguments of validate and test, or the exit status when there are none to run. */
    private record FileArgs(List<String> names, Integer exit) {
        static FileArgs parse(String command, String what, String example, List<String> args, PrintStream out,
                PrintStream err) {
            List<String> names = new ArrayList<>();
            boolean options = true;
            for (String arg : args) {
                if (options && arg.equals("--")) {
                    options = false;
                } else if (options && (arg.equals("-h") || arg.equals("--help"))) {
                    out.print(HELP);
                    return new FileArgs(names, Main.OK);
                } else if (options && arg.startsWith("-") && arg.length() > 1) {
                    err.println("reflex rules " + command + ": unknown option '" + arg + "'. Run `reflex rules --help`.");
                    return new FileArgs(names, Main.USAGE);
                } else {
                    names.add(arg);
                }
            }
            if (names.isEmpty()) {
                err.println("reflex rules " + command + ": name at least one " + what + ".");
                err.println("Example: " + example);
                return new FileArgs(names, Main.USAGE);
            }
            return new FileArgs(names, null);
        }
    }

    private static int test(List<String> args, PrintStream out, PrintStream err) {
        FileArgs files = FileArgs.parse("test", "rule test file to run", "reflex rules test rules/*.tests.yaml", args, out, err);
        if (files.exit() != null) {
            return files.exit();
        }
        // Every file (and the rule package it names) is read before any test runs, as validate does:
        // a typo in a path or a key should not wait behind seconds of compiling.
        YAMLMapper yaml = new YAMLMapper();
        Map<String, RuleTestFile> suites = new LinkedHashMap<>();
        Map<String, Path> packagePaths = new LinkedHashMap<>();
        Map<String, String> packages = new LinkedHashMap<>();
        List<String> unreadable = new ArrayList<>();
        for (String file : files.names()) {
            try {
                RuleTestFile suite = RuleTestFile.read(Path.of(file), yaml);
                Path drl = RuleTestRunner.rulesPath(Path.of(file), suite);
                String text = Files.readString(drl);
                suites.put(file, suite);
                packagePaths.put(file, drl);
                packages.put(file, text);
            } catch (RuleTestFormatException e) {
                unreadable.add(e.getMessage());
            } catch (NoSuchFileException e) {
                unreadable.add(e.getFile() + ": no such file"
                        + (e.getFile().equals(file) ? "" : " (the rule package of " + file + ")"));
            } catch (CharacterCodingException e) {
                unreadable.add(file + ": not UTF-8 text (or the rule package it names is not)");
            } catch (IOException e) {
                unreadable.add(file + ": cannot be read (" + (Files.isDirectory(Path.of(file)) ? "a directory"
                        : e.getClass().getSimpleName() + ": " + e.getMessage()) + ")");
            }
        }
        if (!unreadable.isEmpty()) {
            unreadable.forEach(problem -> err.println("reflex rules test: " + problem));
            err.println("No test was run; fix the file" + (unreadable.size() > 1 ? "s" : "") + " and run again.");
            return Main.USAGE;
        }
        int passed = 0;
        int failed = 0;
        boolean several = suites.size() > 1;
        for (Map.Entry<String, RuleTestFile> entry : suites.entrySet()) {
            String file = entry.getKey();
            String prefix = several ? file + ": " : "";
            Path drl = packagePaths.get(file);
            KieBase rules;
            try {
                rules = RuleCompiler.compile(drl.toString(), packages.get(file));
            } catch (RuleCompilationException e) {
                // Its tests cannot run: each fails, after the errors in the format validate prints.
                e.errors().forEach(error -> out.println(format(drl.toString(), error)));
                for (RuleTestFile.Test test : entry.getValue().tests()) {
                    out.println("FAIL " + prefix + test.name());
                    out.println("  the rule package " + drl + " does not compile");
                    failed++;
                }
                continue;
            }
            for (RuleTestResult result : RuleTestRunner.run(entry.getValue(), rules)) {
                if (result.passed()) {
                    out.println("PASS " + prefix + result.name());
                    passed++;
                } else {
                    out.println("FAIL " + prefix + result.name());
                    result.problems().forEach(problem -> out.println("  " + oneLine(problem)));
                    failed++;
                }
            }
        }
        out.println(passed + " passed, " + failed + " failed");
        out.flush();
        return failed == 0 ? Main.OK : Main.FAILED;
    }

    private static int validate(List<String> args, PrintStream out, PrintStream err) {
        FileArgs files = FileArgs.parse("validate", "rule package (DRL file) to validate", "reflex rules validate rules/*.drl", args, out, err);
        if (files.exit() != null) {
            return files.exit();
        }
        // Every file is read before any is compiled: a typo in a path should not wait behind seconds of compiling.
        Map<String, String> packages = new LinkedHashMap<>();
        List<String> unreadable = new ArrayList<>();
        for (String file : files.names()) {
            try {
                packages.put(file, Files.readString(Path.of(file)));
            } catch (NoSuchFileException e) {
                unreadable.add(file + ": no such file");
            } catch (CharacterCodingException e) {
                unreadable.add(file + ": not UTF-8 text; save the rule package as UTF-8");
            } catch (IOException e) {
                unreadable.add(file + ": cannot be read (" + (Files.isDirectory(Path.of(file)) ? "a directory"
                        : e.getClass().getSimpleName() + ": " + e.getMessage()) + ")");
            }
        }
        if (!unreadable.isEmpty()) {
            unreadable.forEach(problem -> err.println("reflex rules validate: " + problem));
            err.println("Nothing was validated; check the path" + (unreadable.size() > 1 ? "s" : "") + " and run again.");
            return Main.USAGE;
        }
        boolean allValid = true;
        for (Map.Entry<String, String> entry : packages.entrySet()) {
            String file = entry.getKey();
            List<RuleError> errors = entry.getValue().isBlank()
                    ? List.of(new RuleError(0, 0, "the file is empty; a rule package starts with `package NAME;`"))
                    : RuleCompiler.validate(entry.getValue());
            if (errors.isEmpty()) {
                out.println(file + ": valid");
            } else {
                allValid = false;
                errors.forEach(error -> out.println(format(file, error)));
            }
        }
        out.flush();
        return allValid ? Main.OK : Main.FAILED;
    }

    /**
     * One error on one line, as compilers print them: editors (vim, Emacs, VS Code problem
     * matchers) and CI annotations read {@code FILE:LINE:COLUMN: message} with both counted from 1.
     */
    static String format(String file, RuleError error) {
        String message = oneLine(error.message());
        if (error.line() <= 0) {
            return file + ": " + message;
        }
        // RuleError columns count from 0, as the Drools parser does.
        return file + ":" + error.line() + ":" + (error.column() + 1) + ": " + message;
    }

    /** Drools messages span lines (the expression, a caret under it, the position again): keep the words. */
    private static String oneLine(String message) {
        return message.lines()
                .map(String::strip)
                .filter(line -> !line.isEmpty() && !line.equals("^"))
                .collect(Collectors.joining(" "));
    }
}
