package io.reflex.rules;

/**
 * One problem the DRL compiler found in a rule package; the shape of the
 * {@code "errors"} items of {@code POST /api/rules/validate}.
 *
 * @param line   1-based line in the package text, or 0 when the compiler gave none
 * @param column 0-based column, or 0 when the compiler gave none
 */
public record RuleError(int line, int column, String message) {

    @Override
    public String toString() {
        return "line " + line + ":" + column + " " + message;
    }
}
