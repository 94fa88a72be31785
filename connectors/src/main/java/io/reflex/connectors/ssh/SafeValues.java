package io.reflex.connectors.ssh;

import java.util.regex.Pattern;

/**
 * What values coming from an action (target names, parameters) may look like before they are
 * put into a remote command, a file name or an ansible variable. They come from alert labels,
 * so from outside: the patterns keep out whitespace, quotes, shell metacharacters ({@code ; $ `
 * | & < > ( ) * ?}), path separators and a leading {@code -} or {@code .}, so a value can be
 * neither an option nor a path nor a template.
 *
 * <p>Checking is the first defence; POSIX quoting ({@link #shellQuote}) of every argument is
 * the second, so a configured template argument is never split or expanded by the remote shell.
 */
public final class SafeValues {

    /** Service, host, script and playbook names: systemd unit names fit ({@code getty@tty1}). */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.@:-]{0,127}");
    /** Action parameter values substituted into templates or passed as variables. */
    public static final Pattern VALUE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.,:=@+%-]{0,255}");
    /** Placeholder and variable names. */
    public static final Pattern KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");

    private SafeValues() {
    }

    public static boolean isName(String value) {
        return value != null && NAME.matcher(value).matches();
    }

    public static boolean isValue(String value) {
        return value != null && VALUE.matcher(value).matches();
    }

    public static boolean isKey(String value) {
        return value != null && KEY.matcher(value).matches();
    }

    /** Why {@code value} is not a valid name, for a refusal: "service name 'x; y' is not allowed: ...". */
    public static String whyNotName(String what, String value) {
        if (value == null || value.isEmpty()) {
            return what + " is empty";
        }
        return what + " " + quote(value) + " is not allowed: a name starts with a letter or digit, has at most 128"
                + " characters, and uses only letters, digits and _ . @ : -";
    }

    public static String whyNotValue(String what, String value) {
        if (value == null || value.isEmpty()) {
            return what + " is empty";
        }
        return what + " " + quote(value) + " is not allowed: a value starts with a letter or digit, has at most 256"
                + " characters, and uses only letters, digits and _ . , : = @ + % - (no spaces, quotes, slashes or"
                + " shell characters)";
    }

    /** POSIX single quoting: the shell passes the result on as exactly one word, unexpanded. */
    public static String shellQuote(String argument) {
        return "'" + argument.replace("'", "'\\''") + "'";
    }

    /**
     * The value as it may safely appear in a detail or a log line: quoted, control characters
     * escaped and cut short, since an alert sender may have chosen it.
     */
    public static String quote(String value) {
        if (value == null) {
            return "null";
        }
        final StringBuilder out = new StringBuilder("'");
        final int limit = Math.min(value.length(), 80);
        for (int i = 0; i < limit; i++) {
            final char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\x%02x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (value.length() > limit) {
            out.append("...(").append(value.length()).append(" chars)");
        }
        return out.append('\'').toString();
    }
}
