package io.reflex.remediator.rollout;

import java.util.regex.Pattern;

/**
 * The values that may be put into a step's params, a target name, a health URL or an argv:
 * member names, member vars and the patch name (which comes from the action, so from outside).
 * Letters, digits, '.', '_' and '-' only, so no value carries a path separator, a shell or URL
 * metacharacter or whitespace; and a value must start with a letter or digit, so it is never
 * read as an option ({@code -rf}, {@code --config=...}) by a program in an argv, nor as a
 * relative path ({@code ..}).
 */
final class SafeValues {

    static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    /** Names of member vars, as written in templates: {@code {port}}. */
    static final Pattern VAR_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,63}");

    private SafeValues() {
    }

    static boolean isValid(String value) {
        return value != null && VALID.matcher(value).matches();
    }

    /** Why a value is refused, with the value quoted safely. */
    static String whyInvalid(String what, String value) {
        if (value == null || value.isEmpty()) {
            return what + " is empty";
        }
        return what + " " + quote(value) + " is not allowed: it must start with a letter or digit, have at most 128"
                + " characters and use only letters, digits, '.', '_' and '-'";
    }

    /** The value quoted for a message: control characters escaped, cut short (it may be anything a sender chose). */
    static String quote(String value) {
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
