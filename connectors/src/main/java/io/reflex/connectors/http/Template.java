package io.reflex.connectors.http;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A string with {@code ${expression}} placeholders, split once when the settings are read.
 * There is no escape: a literal {@code ${} cannot be written, which no webhook needs.
 */
final class Template {

    /** Either literal text or an expression. */
    private record Part(String literal, String expression) {
    }

    private final List<Part> parts;

    private Template(List<Part> parts) {
        this.parts = List.copyOf(parts);
    }

    /** @throws IllegalArgumentException for a {@code ${} without its {@code }} */
    static Template parse(String text) {
        final List<Part> parts = new ArrayList<>();
        int from = 0;
        while (true) {
            final int open = text.indexOf("${", from);
            if (open < 0) {
                if (from < text.length()) {
                    parts.add(new Part(text.substring(from), null));
                }
                return new Template(parts);
            }
            final int close = text.indexOf('}', open + 2);
            if (close < 0) {
                throw new IllegalArgumentException("'${' at character " + open + " has no closing '}'");
            }
            if (open > from) {
                parts.add(new Part(text.substring(from, open), null));
            }
            parts.add(new Part(null, text.substring(open + 2, close).trim()));
            from = close + 1;
        }
    }

    List<String> expressions() {
        return parts.stream().filter(p -> p.expression() != null).map(Part::expression).toList();
    }

    /** The literal text between placeholders. */
    List<String> literals() {
        return parts.stream().filter(p -> p.literal() != null).map(Part::literal).toList();
    }

    boolean hasPlaceholders() {
        return parts.stream().anyMatch(p -> p.expression() != null);
    }

    /** The text with each expression replaced by what {@code values} gives for it. */
    String render(Function<String, String> values) {
        final StringBuilder out = new StringBuilder();
        for (Part part : parts) {
            out.append(part.literal() != null ? part.literal() : values.apply(part.expression()));
        }
        return out.toString();
    }
}
