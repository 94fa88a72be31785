package io.reflex.ingest.source;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.reflex.ingest.InvalidPayloadException;
import io.reflex.ingest.InvalidPayloadException.Reason;
import io.reflex.model.Json;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Strict JSON reading shared by every adapter: one parse with the nesting limit, no trailing
 * garbage, no repeated keys, and problems collected with their JSON paths so a sender learns
 * everything wrong with a body from one answer.
 */
public final class JsonPayload {
    /** Go's zero time: Alertmanager's and Grafana's way of saying "no end yet". */
    public static final Instant GO_ZERO_TIME = Instant.parse("0001-01-01T00:00:00Z");

    private final ObjectReader reader;
    private final int maxNestingDepth;

    /** @param maxNestingDepth deepest nesting of objects and arrays accepted (a body nested deeper is refused unread) */
    public JsonPayload(int maxNestingDepth) {
        this.maxNestingDepth = maxNestingDepth;
        ObjectMapper mapper = Json.MAPPER.copy();
        mapper.getFactory().setStreamReadConstraints(
                StreamReadConstraints.builder().maxNestingDepth(maxNestingDepth).build());
        this.reader = mapper.reader()
                .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .with(StreamReadFeature.STRICT_DUPLICATE_DETECTION);
    }

    /**
     * @param hint what the sender should send instead, appended to every error message
     * @throws InvalidPayloadException {@code 400} for an empty body, text that is not JSON, or
     *                                 nesting deeper than the limit
     */
    public JsonNode read(byte[] body, String hint) {
        if (body == null || body.length == 0) {
            throw new InvalidPayloadException(Reason.MALFORMED_JSON, "The body is empty. " + hint,
                    List.of("body: empty; expected a JSON object"), 0);
        }
        try {
            return reader.readTree(body);
        } catch (StreamConstraintsException e) {
            throw new InvalidPayloadException(Reason.MALFORMED_JSON, "The body nests objects or arrays deeper than "
                    + maxNestingDepth + " levels (ingest.limits.maxNestingDepth); nothing was stored. " + hint,
                    List.of("body: nested deeper than " + maxNestingDepth + " levels"), 0);
        } catch (JsonProcessingException e) {
            var where = e.getLocation();
            String detail = where == null ? "body: not valid JSON"
                    : "body: not valid JSON (line " + where.getLineNr() + ", column " + where.getColumnNr() + ")";
            throw new InvalidPayloadException(Reason.MALFORMED_JSON,
                    "The body is not valid JSON: " + e.getOriginalMessage() + ". " + hint, List.of(detail), 0);
        } catch (IOException e) {
            // Reading from a byte array does no I/O; Jackson declares it anyway.
            throw new IllegalStateException("cannot read an in-memory body", e);
        }
    }

    /** A JSON object of strings; null when absent (and optional) or invalid. */
    public static Map<String, String> stringMap(JsonNode node, String path, boolean required, Problems problems) {
        if (node == null || node.isNull()) {
            if (required) {
                problems.add(path, "missing; expected an object of strings");
            }
            return null;
        }
        if (!node.isObject()) {
            problems.add(path, "expected an object of strings, got " + describe(node));
            return null;
        }
        Map<String, String> map = new LinkedHashMap<>();
        boolean valid = true;
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            if (!field.getValue().isTextual()) {
                problems.add(path + "." + field.getKey(), "expected a string, got " + describe(field.getValue()));
                valid = false;
            } else {
                map.put(field.getKey(), field.getValue().textValue());
            }
        }
        return valid ? map : null;
    }

    /** A non-blank string; null when absent (and optional) or invalid. */
    public static String text(JsonNode node, String path, boolean required, Problems problems) {
        if (node == null || node.isNull()) {
            if (required) {
                problems.add(path, "missing; expected a string");
            }
            return null;
        }
        if (!node.isTextual()) {
            problems.add(path, "expected a string, got " + describe(node));
            return null;
        }
        if (node.textValue().isBlank()) {
            if (required) {
                problems.add(path, "empty; expected a non-empty string");
            }
            return null;
        }
        return node.textValue();
    }

    /** An RFC 3339 time; Go's zero time means "none" (null). */
    public static Instant time(JsonNode node, String path, boolean required, Problems problems) {
        if (node == null || node.isNull()) {
            if (required) {
                problems.add(path, "missing; expected an RFC 3339 time such as 2026-11-26T10:18:40.947Z");
            }
            return null;
        }
        if (!node.isTextual()) {
            problems.add(path, "not an RFC 3339 time: expected a string, got " + describe(node));
            return null;
        }
        Instant instant;
        try {
            instant = OffsetDateTime.parse(node.textValue(), DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            problems.add(path, "not an RFC 3339 time: " + node + " (expected e.g. 2026-11-26T10:18:40.947Z)");
            return null;
        }
        if (instant.equals(GO_ZERO_TIME)) {
            if (required) {
                problems.add(path, "is Go's zero time " + node + "; expected when the alert started");
            }
            return null;
        }
        return instant;
    }

    /** "an object", "a string", … for error messages. */
    public static String describe(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> node.getNodeType().name().toLowerCase(Locale.ROOT);
        };
    }

    /** Collects "path: problem" lines and turns them into one {@code 422}. */
    public static final class Problems {
        private final List<String> lines = new ArrayList<>();
        private final String format;
        private final String hint;

        /**
         * @param format the expected format, for the message ("an Alertmanager webhook payload")
         * @param hint   what to send instead
         */
        public Problems(String format, String hint) {
            this.format = format;
            this.hint = hint;
        }

        public void add(String path, String problem) {
            lines.add(path + ": " + problem);
        }

        public boolean isEmpty() {
            return lines.isEmpty();
        }

        public int size() {
            return lines.size();
        }

        public InvalidPayloadException toException(int alertCount) {
            return new InvalidPayloadException(Reason.INVALID_PAYLOAD,
                    "The body is JSON but not a valid " + format + " (" + lines.size()
                            + (lines.size() == 1 ? " problem" : " problems") + ", listed in details); nothing was "
                            + "stored. " + hint,
                    lines, alertCount);
        }
    }
}
