package io.reflex.model;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them in configuration, one reading for every module:
 * {@code 500ms}, {@code 2s}, {@code 5m}, {@code 1h}, {@code 1d}, ISO-8601 ({@code PT30S}), or a
 * bare number of seconds ({@code 20}, {@code 1.5}).
 */
public final class Durations {
    private static final Pattern SHORT = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");
    private static final Pattern SECONDS = Pattern.compile("\\d+(\\.\\d+)?");

    private Durations() {
    }

    /** @throws IllegalArgumentException naming the forms that are understood */
    public static Duration parse(String text) {
        String value = text == null ? "" : text.trim();
        Matcher m = SHORT.matcher(value);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        if (SECONDS.matcher(value).matches()) {
            return ofSeconds(new BigDecimal(value));
        }
        try {
            return Duration.parse(value);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + text + "' is not a duration; write e.g. 500ms, 2s, 5m, 1h, PT30S"
                    + " or a number of seconds", e);
        }
    }

    private static Duration ofSeconds(BigDecimal seconds) {
        return Duration.ofNanos(seconds.movePointRight(9).longValue());
    }

    /** The Jackson binding: {@code @JsonDeserialize(using = Durations.Deserializer.class)} or a module. */
    public static final class Deserializer extends JsonDeserializer<Duration> {
        @Override
        public Duration deserialize(JsonParser parser, DeserializationContext ctx) throws IOException {
            if (parser.currentToken() == JsonToken.VALUE_NUMBER_INT || parser.currentToken() == JsonToken.VALUE_NUMBER_FLOAT) {
                return ofSeconds(parser.getDecimalValue());
            }
            String text = parser.getValueAsString();
            if (text == null) {
                return (Duration) ctx.handleUnexpectedToken(Duration.class, parser);
            }
            try {
                return parse(text);
            } catch (IllegalArgumentException e) {
                return (Duration) ctx.handleWeirdStringValue(Duration.class, text, e.getMessage());
            }
        }

        @Override
        public Class<?> handledType() {
            return Duration.class;
        }
    }
}
