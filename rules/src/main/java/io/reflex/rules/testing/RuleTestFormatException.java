package io.reflex.rules.testing;

/**
 * A rule test file that cannot be read as one: malformed YAML or JSON, a missing or unknown key,
 * a value of the wrong kind. The message names the file and the key ({@code tests[0].alerts[1].at})
 * and says what is expected there.
 */
public final class RuleTestFormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public RuleTestFormatException(String message) {
        super(message);
    }

    public RuleTestFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
