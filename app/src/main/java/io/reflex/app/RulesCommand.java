package io.reflex.app;

import io.reflex.rules.RuleCompiler;
import io.reflex.rules.RuleError;
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

/**
 * {@code reflex rules}: work with rule packages (DRL files) on the command line. This slice:
 * {@code reflex rules validate FILE...}, which compiles each package as a running Reflex would.
 */
final class RulesCommand {
    static final String HELP = """
            Usage: reflex rules validate FILE...

            Compiles each rule package (DRL file) exactly as a running Reflex would, without
            connecting to it, and reports:
              FILE: valid                    for a package that compiles
              FILE:LINE:COLUMN: message      for each error of one that does not (line and column
                                             count from 1, the format editors and CI jump to; an
                                             error the compiler gives no place for is FILE: message)

            Exit status: 0 when every package is valid, 1 when any is invalid, 2 for a usage error
            (an unknown subcommand or option, a file that cannot be read).

            A running Reflex validates too: POST the DRL text to /api/rules/validate.
            `reflex rules test` (rule tests) and `reflex rules deploy` (ship a version) come later.

            Options:
              -h, --help   show this help

            Example: reflex rules validate rules/*.drl
            """;

    private static final String LATER = "is not built yet; `reflex rules validate FILE...` is";

    private RulesCommand() {
    }

    static int run(List<String> args, PrintStream out, PrintStream err) {
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
            case "test", "deploy" -> {
                err.println("reflex rules: '" + command + "' " + LATER + ".");
                return Main.USAGE;
            }
            default -> {
                err.println("reflex rules: unknown subcommand '" + command + "'.");
                err.println("Run `reflex rules --help` for what it can do.");
                return Main.USAGE;
            }
        }
    }

    private static int validate(List<String> args, PrintStream out, PrintStream err) {
        List<String> files = new ArrayList<>();
        boolean options = true;
        for (String arg : args) {
            if (options && arg.equals("--")) {
                options = false;
            } else if (options && (arg.equals("-h") || arg.equals("--help"))) {
                out.print(HELP);
                return Main.OK;
            } else if (options && arg.startsWith("-") && arg.length() > 1) {
                err.println("reflex rules validate: unknown option '" + arg + "'. Run `reflex rules --help`.");
                return Main.USAGE;
            } else {
                files.add(arg);
            }
        }
        if (files.isEmpty()) {
            err.println("reflex rules validate: name at least one rule package (DRL file) to validate.");
            err.println("Example: reflex rules validate rules/*.drl");
            return Main.USAGE;
        }
        // Every file is read before any is compiled: a typo in a path should not wait behind seconds of compiling.
        Map<String, String> packages = new LinkedHashMap<>();
        List<String> unreadable = new ArrayList<>();
        for (String file : files) {
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
