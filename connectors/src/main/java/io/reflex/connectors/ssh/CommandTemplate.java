package io.reflex.connectors.ssh;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A command as configured: a list of arguments, some holding placeholders such as
 * {@code "{service}.service"}. Rendering replaces each placeholder inside its own argument, so
 * a value can never add arguments; the values must have been checked ({@link SafeValues})
 * before, and {@link #render} checks again.
 */
public record CommandTemplate(List<String> arguments) {

    /** {@code {name}}; any other brace is literal text. */
    static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]{0,63})}");

    public CommandTemplate {
        arguments = List.copyOf(arguments);
        if (arguments.isEmpty()) {
            throw new IllegalArgumentException("a command template needs at least the program");
        }
    }

    /** The placeholder names it uses, in order of appearance. */
    public Set<String> placeholders() {
        final Set<String> names = new LinkedHashSet<>();
        for (String argument : arguments) {
            final Matcher m = PLACEHOLDER.matcher(argument);
            while (m.find()) {
                names.add(m.group(1));
            }
        }
        return Collections.unmodifiableSet(names);
    }

    /**
     * The argument list with every placeholder replaced.
     *
     * @throws IllegalArgumentException when a value is missing or not a {@link SafeValues#isValue safe value}
     */
    public List<String> render(Map<String, String> values) {
        final List<String> out = new ArrayList<>(arguments.size());
        for (String argument : arguments) {
            final Matcher m = PLACEHOLDER.matcher(argument);
            final StringBuilder rendered = new StringBuilder();
            while (m.find()) {
                final String value = values.get(m.group(1));
                if (value == null) {
                    throw new IllegalArgumentException("no value for {" + m.group(1) + "}");
                }
                if (!SafeValues.isValue(value)) {
                    throw new IllegalArgumentException(SafeValues.whyNotValue("{" + m.group(1) + "}", value));
                }
                m.appendReplacement(rendered, Matcher.quoteReplacement(value));
            }
            m.appendTail(rendered);
            out.add(rendered.toString());
        }
        return out;
    }

    /** One string for the remote shell: every argument single-quoted, so it stays one word, unexpanded. */
    public static String shellJoin(List<String> arguments) {
        final StringBuilder line = new StringBuilder();
        for (String argument : arguments) {
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(SafeValues.shellQuote(argument));
        }
        return line.toString();
    }

    /**
     * Reads a template from config.
     *
     * @param allowed the placeholders it may use, or null for any well-formed name
     * @return null when it is invalid (the problems say why)
     */
    public static CommandTemplate parse(Object raw, String at, Set<String> allowed, List<String> problems) {
        final String example = "e.g. [systemctl, restart, \"{service}.service\"]";
        if (raw instanceof String) {
            problems.add(at + ": must be a list of arguments, " + example + ", not a string: a string would need a"
                    + " shell to split it");
            return null;
        }
        if (!(raw instanceof List) || ((List<?>) raw).isEmpty()) {
            problems.add(at + ": must be a non-empty list of arguments, " + example + ", not "
                    + ConfigValues.describe(raw));
            return null;
        }
        final List<?> list = (List<?>) raw;
        final List<String> arguments = new ArrayList<>();
        final int before = problems.size();
        for (int i = 0; i < list.size(); i++) {
            final Object argument = list.get(i);
            if (!ConfigValues.isScalar(argument) || (i == 0 && ConfigValues.scalar(argument).isBlank())) {
                problems.add(at + "[" + i + "]: must be a non-empty string, not " + ConfigValues.describe(argument));
                continue;
            }
            final String text = ConfigValues.scalar(argument);
            if (text.indexOf('\0') >= 0 || text.indexOf('\n') >= 0) {
                problems.add(at + "[" + i + "]: contains a NUL or newline character");
                continue;
            }
            if (allowed != null) {
                final Matcher m = PLACEHOLDER.matcher(text);
                while (m.find()) {
                    if (!allowed.contains(m.group(1))) {
                        problems.add(at + "[" + i + "]: unknown placeholder {" + m.group(1) + "}; this command may use "
                                + (allowed.isEmpty() ? "none"
                                : String.join(", ", allowed.stream().sorted().map(a -> "{" + a + "}").toList())));
                    }
                }
            }
            arguments.add(text);
        }
        return problems.size() > before ? null : new CommandTemplate(arguments);
    }
}
