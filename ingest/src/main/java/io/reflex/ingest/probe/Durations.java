package io.reflex.ingest.probe;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import java.io.IOException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them in YAML: {@code 500ms}, {@code 1s}, {@code 2m}, {@code 1h}, or
 * ISO-8601 ({@code PT1S}). A bare number is milliseconds.
 */
public final class Durations {
    private Durations() {
    }

    private static final Pattern SHORT = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");

    /** @throws IllegalArgumentException saying which forms are understood */
    public static Duration parse(String text) {
        String value = text.trim();
        Matcher short_ = SHORT.matcher(value);
        if (short_.matches()) {
            long amount = Long.parseLong(short_.group(1));
            switch (short_.group(2)) {
                case "ms":
                    return Duration.ofMillis(amount);
                case "s":
                    return Duration.ofSeconds(amount);
                case "m":
                    return Duration.ofMinutes(amount);
                default:
                    return Duration.ofHours(amount);
            }
        }
        if (value.matches("-?\\d+")) {
            return Duration.ofMillis(Long.parseLong(value));
        }
        try {
            return Duration.parse(value);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("\"" + text + "\" is not a duration; write e.g. 500ms, 1s, 2m or PT1S", e);
        }
    }

    /** Jackson binding for {@link #parse}. */
    public static final class Deserializer extends JsonDeserializer<Duration> {
        @Override
        public Duration deserialize(JsonParser parser, DeserializationContext ctx) throws IOException {
            if (parser.currentToken() == JsonToken.VALUE_NUMBER_INT) {
                return Duration.ofMillis(parser.getLongValue());
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
    }
}
