package io.reflex.connectors.process;

import java.util.regex.Pattern;

/**
 * The names a service may have. They come from alert labels, so from outside: the pattern
 * keeps out path separators, shell metacharacters and whitespace, and caps the length, so a
 * name is safe as a file name and in a log line.
 */
final class ServiceNames {

    static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");

    private ServiceNames() {
    }

    static boolean isValid(String name) {
        return name != null && VALID.matcher(name).matches();
    }

    static String whyInvalid(String name) {
        if (name == null || name.isEmpty()) {
            return "service name is empty";
        }
        return "service name " + quote(name) + " is not allowed: a name starts with a letter or digit, has at most 63"
                + " characters, and uses only letters, digits, '_', '.' and '-'";
    }

    /**
     * The name as it may safely appear in a detail or a log line: quoted, control characters
     * escaped, and cut short, since it may be anything an alert sender chose.
     */
    static String quote(String name) {
        final StringBuilder out = new StringBuilder("'");
        final int limit = Math.min(name.length(), 80);
        for (int i = 0; i < limit; i++) {
            final char c = name.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\x%02x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (name.length() > limit) {
            out.append("...(").append(name.length()).append(" chars)");
        }
        return out.append('\'').toString();
    }
}
