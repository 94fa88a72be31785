package io.reflex.ingest.cloudevents;

import static io.reflex.ingest.source.JsonPayload.describe;
import static io.reflex.ingest.source.JsonPayload.stringMap;
import static io.reflex.ingest.source.JsonPayload.text;
import static io.reflex.ingest.source.JsonPayload.time;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.reflex.ingest.Fingerprints;
import io.reflex.ingest.InvalidPayloadException;
import io.reflex.ingest.Limits;
import io.reflex.ingest.ResourceMapper;
import io.reflex.ingest.source.JsonPayload;
import io.reflex.ingest.source.JsonPayload.Problems;
import io.reflex.ingest.source.SourceAdapter;
import io.reflex.ingest.source.Webhook;
import io.reflex.model.AlertEvent;
import io.reflex.model.AlertStatus;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Turns CloudEvents 1.0 delivered over HTTP into alert events, in the three content modes of the
 * HTTP protocol binding, told apart by {@code Content-Type} as the binding says:
 * <ul>
 *   <li><b>structured</b> ({@code application/cloudevents+json}): the body is one event in the
 *       JSON event format;</li>
 *   <li><b>batched</b> ({@code application/cloudevents-batch+json}): the body is a JSON array of
 *       such events, one alert each. An empty array is a valid batch: {@link #parse} returns an
 *       <b>empty list</b> and the route answers {@code 202} with nothing stored;</li>
 *   <li><b>binary</b> (any other type): the attributes are {@code ce-*} headers (percent-encoded,
 *       possibly double-quoted, as the binding allows), the body is the event's data, and
 *       {@code Content-Type} is its {@code datacontenttype} (a JSON type; none counts as JSON).</li>
 * </ul>
 * The attributes CloudEvents requires are checked and named when missing or wrong:
 * {@code specversion} (must be {@code "1.0"}), {@code id}, {@code source} (a URI-reference) and
 * {@code type}; {@code time} must be RFC 3339 when present; {@code datacontenttype} must declare
 * JSON; {@code data_base64} (binary data) is refused. Problems are paths such as
 * {@code [2].source}, {@code data.status} or {@code header ce-id}.
 *
 * <p><b>The data of an event is the alert</b>, a JSON object:
 * <pre>{@code
 * {
 *   "name": "HighCPU",            // or "alertname", or labels.alertname (they must agree)
 *   "status": "firing",           // "firing" | "resolved", any case; may be left out when the
 *                                 //   type ends in .firing/.triggered (FIRING) or .resolved (RESOLVED)
 *   "severity": "critical",       // optional, or labels.severity
 *   "labels": {"host": "web-1"},  // optional, strings; they place the resource (host:web-1)
 *   "annotations": {"summary": "CPU 97%"},   // optional, strings
 *   "startsAt": "2026-11-26T10:18:40Z",      // optional: defaults to the event's time
 *   "endsAt": "2026-11-26T10:25:40Z",        // optional: a resolved alert defaults to the event's time
 *   "fingerprint": "web-1-cpu"    // optional: the sender's id of the alert series
 * }
 * }</pre>
 * A start is required, from {@code startsAt} or the event's {@code time}: the alert id depends on
 * it. Send {@code startsAt} on resolved events, so they carry the start of what they resolve.
 *
 * <p><b>Identity.</b> The fingerprint is {@code data.fingerprint}, else a hash of the event's
 * {@code source}, its {@code subject} and the alert's labels (with {@code alertname}): the same
 * condition reported by the same producer is the same series. The alert id follows from source,
 * fingerprint, start and status, all taken from the event, so the same event delivered twice
 * (same {@code source} and {@code id}), in any content mode, gives the same alert id. The event's
 * attributes are kept as annotations {@code cloudevents.id}, {@code cloudevents.source},
 * {@code cloudevents.type} and {@code cloudevents.subject}.
 */
public final class CloudEventsAdapter implements SourceAdapter {

    public static final String SOURCE = "cloudevents";
    public static final String STRUCTURED = "application/cloudevents+json";
    public static final String BATCH = "application/cloudevents-batch+json";
    public static final String SPEC_VERSION = "1.0";

    private static final String HINT = "Send CloudEvents 1.0: structured (Content-Type: " + STRUCTURED
            + "), batched (" + BATCH + ") or binary (headers ce-specversion: 1.0, ce-id, ce-source, ce-type, and the "
            + "data as a JSON body), with data {\"name\", \"status\": \"firing|resolved\", \"severity\", \"labels\", "
            + "\"annotations\", \"startsAt\", \"endsAt\"}.";
    private static final String FORMAT = "CloudEvent describing an alert";

    private final ResourceMapper resources;
    private final Clock clock;
    private final JsonPayload json;

    public CloudEventsAdapter(ResourceMapper resources, Clock clock, JsonPayload json) {
        this.resources = resources;
        this.clock = clock;
        this.json = json;
    }

    /** With the default nesting limit; for tests and tools. */
    public CloudEventsAdapter(ResourceMapper resources, Clock clock) {
        this(resources, clock, new JsonPayload(Limits.DEFAULT_MAX_NESTING_DEPTH));
    }

    @Override
    public String source() {
        return SOURCE;
    }

    /**
     * @return one alert per event in order; an empty list for an empty batch
     * @throws InvalidPayloadException {@code 400} for a body that is not JSON, {@code 422} with every
     *                                 problem of every event otherwise
     */
    @Override
    public List<AlertEvent> parse(Webhook webhook) {
        String media = webhook.mediaType();
        if (media.startsWith("application/cloudevents-batch")) {
            return batch(webhook, media);
        }
        if (media.startsWith("application/cloudevents")) {
            return structured(webhook, media);
        }
        return binary(webhook, media);
    }

    /**
     * What every mode reads before the data: the attributes. {@code badTime}: a {@code time} was
     * sent but is invalid (already reported, so a missing start is not reported again).
     */
    private record Context(String id, String source, String type, String subject, Instant time, boolean badTime) {
    }

    private List<AlertEvent> structured(Webhook webhook, String media) {
        Problems problems = new Problems(FORMAT, HINT);
        if (!STRUCTURED.equals(media)) {
            problems.add("header Content-Type", "event format \"" + media + "\" is not supported; use " + STRUCTURED);
            throw problems.toException(0);
        }
        JsonNode root = json.read(webhook.body(), HINT);
        Instant receivedAt = clock.instant();
        if (!root.isObject()) {
            problems.add("body", "expected one event as a JSON object, got " + describe(root)
                    + (root.isArray() ? "; send several with Content-Type " + BATCH : ""));
            throw problems.toException(0);
        }
        AlertEvent event = fromJson(root, "", receivedAt, problems);
        if (!problems.isEmpty()) {
            throw problems.toException(1);
        }
        return List.of(event);
    }

    private List<AlertEvent> batch(Webhook webhook, String media) {
        Problems problems = new Problems("batch of " + FORMAT + "s", HINT);
        if (!BATCH.equals(media)) {
            problems.add("header Content-Type", "batch format \"" + media + "\" is not supported; use " + BATCH);
            throw problems.toException(0);
        }
        JsonNode root = json.read(webhook.body(), HINT);
        Instant receivedAt = clock.instant();
        if (!root.isArray()) {
            problems.add("body", "expected a JSON array of events, got " + describe(root));
            throw problems.toException(0);
        }
        List<AlertEvent> events = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            String prefix = "[" + i + "].";
            if (!root.get(i).isObject()) {
                problems.add("[" + i + "]", "expected an event object, got " + describe(root.get(i)));
                continue;
            }
            AlertEvent event = fromJson(root.get(i), prefix, receivedAt, problems);
            if (event != null) {
                events.add(event);
            }
        }
        if (!problems.isEmpty()) {
            throw problems.toException(root.size());
        }
        return List.copyOf(events);
    }

    /** One event in the JSON event format; null with its problems added. */
    private AlertEvent fromJson(JsonNode event, String prefix, Instant receivedAt, Problems problems) {
        int before = problems.size();
        specVersion(event.get("specversion"), prefix + "specversion", problems);
        String id = attribute(event.get("id"), prefix + "id", problems);
        String source = attribute(event.get("source"), prefix + "source", problems);
        uriReference(source, prefix + "source", problems);
        String type = attribute(event.get("type"), prefix + "type", problems);
        String subject = text(event.get("subject"), prefix + "subject", false, problems);
        int beforeTime = problems.size();
        Instant time = time(event.get("time"), prefix + "time", false, problems);
        boolean badTime = problems.size() > beforeTime;
        String contentType = text(event.get("datacontenttype"), prefix + "datacontenttype", false, problems);
        if (contentType != null && !isJson(contentType)) {
            problems.add(prefix + "datacontenttype", "\"" + contentType + "\" is not JSON; the data must be a JSON "
                    + "object describing the alert (application/json)");
        }
        if (event.has("data_base64")) {
            problems.add(prefix + "data_base64", "binary data is not supported; send the alert as a JSON object in data");
        }
        Context context = new Context(id, source, type, subject, time, badTime);
        return alert(context, event.get("data"), prefix + "data", receivedAt, problems, before);
    }

    private List<AlertEvent> binary(Webhook webhook, String media) {
        Problems problems = new Problems(FORMAT + " (binary content mode)", HINT);
        Instant receivedAt = clock.instant();
        CeHeaders headers = new CeHeaders(webhook, problems);
        String specVersion = headers.required("ce-specversion");
        if (specVersion != null && !SPEC_VERSION.equals(specVersion)) {
            problems.add("header ce-specversion", "expected \"" + SPEC_VERSION + "\", got \"" + specVersion + "\"");
        }
        String id = headers.required("ce-id");
        String source = headers.required("ce-source");
        uriReference(source, "header ce-source", problems);
        String type = headers.required("ce-type");
        String subject = headers.optional("ce-subject");
        int beforeTime = problems.size();
        String timeHeader = headers.optional("ce-time");
        Instant time = timeHeader == null ? null : time(TextNode.valueOf(timeHeader), "header ce-time", false, problems);
        boolean badTime = problems.size() > beforeTime;
        if (webhook.header("ce-datacontenttype").isPresent()) {
            problems.add("header ce-datacontenttype", "must not be sent in binary mode; Content-Type carries the "
                    + "data's media type");
        }
        JsonNode data = null;
        if (!media.isEmpty() && !isJson(media)) {
            problems.add("header Content-Type", "\"" + media + "\" is not JSON; in binary mode the body is the data, "
                    + "a JSON object describing the alert (application/json), or send a structured event ("
                    + STRUCTURED + ")");
            throw problems.toException(1);
        }
        if (webhook.body().length > 0) {
            data = json.read(webhook.body(), HINT);
        }
        AlertEvent event = alert(new Context(id, source, type, subject, time, badTime), data, "data",
                receivedAt, problems, 0);
        if (!problems.isEmpty()) {
            throw problems.toException(1);
        }
        return List.of(event);
    }

    /** The alert the data describes; null (with its problems added) when anything since {@code before} is wrong. */
    private AlertEvent alert(Context event, JsonNode data, String path, Instant receivedAt, Problems problems,
                             int before) {
        if (data == null || data.isNull()) {
            problems.add(path, "missing; expected a JSON object describing the alert: {\"name\", \"status\", "
                    + "\"labels\", …}");
            return null;
        }
        if (!data.isObject()) {
            problems.add(path, "expected a JSON object describing the alert, got " + describe(data));
            return null;
        }
        Map<String, String> labels = stringMap(data.get("labels"), path + ".labels", false, problems);
        Map<String, String> annotations = stringMap(data.get("annotations"), path + ".annotations", false, problems);
        String name = name(data, labels, path, problems);
        AlertStatus status = status(data.get("status"), path + ".status", event, problems);
        String severity = agreeing(text(data.get("severity"), path + ".severity", false, problems), "severity",
                labels == null ? null : labels.get("severity"), "labels.severity", path, problems);
        int beforeStart = problems.size();
        Instant startsAt = time(data.get("startsAt"), path + ".startsAt", false, problems);
        if (startsAt == null && problems.size() == beforeStart) {
            startsAt = event.time();
            if (startsAt == null && !event.badTime()) {
                problems.add(path + ".startsAt", "missing, and the event has no time attribute; give one of them "
                        + "(the alert's id depends on when it started)");
            }
        }
        Instant endsAt = time(data.get("endsAt"), path + ".endsAt", false, problems);
        if (endsAt == null && status == AlertStatus.RESOLVED) {
            endsAt = event.time();
        }
        String fingerprint = text(data.get("fingerprint"), path + ".fingerprint", false, problems);
        if (problems.size() > before) {
            return null;
        }
        Map<String, String> alertLabels = new LinkedHashMap<>(labels == null ? Map.of() : labels);
        alertLabels.put("alertname", name);
        if (severity != null) {
            alertLabels.put("severity", severity);
        }
        Map<String, String> alertAnnotations = new LinkedHashMap<>(annotations == null ? Map.of() : annotations);
        alertAnnotations.put("cloudevents.id", event.id());
        alertAnnotations.put("cloudevents.source", event.source());
        alertAnnotations.put("cloudevents.type", event.type());
        if (event.subject() != null) {
            alertAnnotations.put("cloudevents.subject", event.subject());
        }
        if (fingerprint == null) {
            // CloudEvents forbids control characters in attributes, so 0x1f cannot occur in either part.
            String scope = event.source() + '\u001f' + (event.subject() == null ? "" : event.subject());
            fingerprint = Fingerprints.of(scope, alertLabels);
        }
        return new AlertEvent(
                AlertEvent.idFor(SOURCE, fingerprint, startsAt, status),
                SOURCE,
                name,
                status,
                severity,
                resources.map(name, alertLabels),
                alertLabels,
                alertAnnotations,
                startsAt,
                endsAt,
                receivedAt,
                fingerprint,
                null);
    }

    /** {@code name}, {@code alertname} or {@code labels.alertname}: at least one, and all that are given agree. */
    private static String name(JsonNode data, Map<String, String> labels, String path, Problems problems) {
        int before = problems.size();
        String name = text(data.get("name"), path + ".name", false, problems);
        String alertname = text(data.get("alertname"), path + ".alertname", false, problems);
        String label = labels == null ? null : labels.get("alertname");
        label = label == null || label.isBlank() ? null : label;
        String agreed = agreeing(name, "name", alertname, "alertname", path, problems);
        agreed = agreeing(agreed, name != null ? "name" : "alertname", label, "labels.alertname", path, problems);
        if (agreed == null && problems.size() == before) {
            problems.add(path + ".name", "missing; expected the alert name (name, alertname or labels.alertname)");
        }
        return agreed;
    }

    /** The one value two optional fields give, or a problem when both are given and differ. */
    private static String agreeing(String first, String firstKey, String second, String secondKey, String path,
                                   Problems problems) {
        if (first != null && second != null && !first.equals(second)) {
            problems.add(path + "." + secondKey, "\"" + second + "\" differs from " + firstKey + " \"" + first
                    + "\"; give one value");
        }
        return first != null ? first : second;
    }

    /** {@code data.status}, else the suffix of the event type; both given must agree. */
    private static AlertStatus status(JsonNode node, String path, Context event, Problems problems) {
        AlertStatus fromData = null;
        boolean given = node != null && !node.isNull();
        if (given) {
            String value = node.isTextual() ? node.textValue().strip().toLowerCase(Locale.ROOT) : "";
            if ("firing".equals(value)) {
                fromData = AlertStatus.FIRING;
            } else if ("resolved".equals(value)) {
                fromData = AlertStatus.RESOLVED;
            } else {
                problems.add(path, "expected \"firing\" or \"resolved\", got " + node);
                return null;
            }
        }
        AlertStatus fromType = statusOfType(event.type());
        if (fromData != null && fromType != null && fromData != fromType) {
            problems.add(path, node + " contradicts the event type \"" + event.type() + "\"");
            return null;
        }
        if (fromData == null && fromType == null && event.type() != null) {
            problems.add(path, "missing, and the event type \"" + event.type() + "\" ends in neither .firing, "
                    + ".triggered nor .resolved; say \"firing\" or \"resolved\"");
        }
        return fromData != null ? fromData : fromType;
    }

    /** {@code com.example.alert.resolved} → RESOLVED, {@code ….firing}/{@code ….triggered} → FIRING, else null. */
    static AlertStatus statusOfType(String type) {
        if (type == null) {
            return null;
        }
        String lower = type.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".resolved")) {
            return AlertStatus.RESOLVED;
        }
        if (lower.endsWith(".firing") || lower.endsWith(".triggered")) {
            return AlertStatus.FIRING;
        }
        return null;
    }

    private static void specVersion(JsonNode node, String path, Problems problems) {
        if (node == null || node.isNull()) {
            problems.add(path, "missing; a CloudEvent must say \"specversion\": \"" + SPEC_VERSION + "\"");
        } else if (!node.isTextual() || !SPEC_VERSION.equals(node.textValue())) {
            problems.add(path, "expected \"" + SPEC_VERSION + "\", got " + node);
        }
    }

    /** A required CloudEvents string attribute: present and not empty. */
    private static String attribute(JsonNode node, String path, Problems problems) {
        if (node == null || node.isNull()) {
            problems.add(path, "missing; CloudEvents 1.0 requires it");
            return null;
        }
        if (!node.isTextual()) {
            problems.add(path, "expected a string, got " + describe(node));
            return null;
        }
        if (node.textValue().isEmpty()) {
            problems.add(path, "empty; CloudEvents 1.0 requires a non-empty string");
            return null;
        }
        return node.textValue();
    }

    private static void uriReference(String source, String path, Problems problems) {
        if (source == null) {
            return;
        }
        try {
            new URI(source);
        } catch (URISyntaxException e) {
            problems.add(path, "\"" + source + "\" is not a URI-reference: " + e.getReason() + " at index "
                    + e.getIndex());
        }
    }

    /** {@code application/json}, {@code text/json}, {@code application/vnd.x+json}, with or without parameters. */
    static boolean isJson(String mediaType) {
        int semicolon = mediaType.indexOf(';');
        String type = (semicolon < 0 ? mediaType : mediaType.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
        int slash = type.indexOf('/');
        if (slash < 0) {
            return false;
        }
        String subtype = type.substring(slash + 1);
        return subtype.equals("json") || subtype.endsWith("+json");
    }

    /** The {@code ce-*} headers of a binary-mode request, decoded as the HTTP binding says. */
    private static final class CeHeaders {
        private final Webhook webhook;
        private final Problems problems;

        CeHeaders(Webhook webhook, Problems problems) {
            this.webhook = webhook;
            this.problems = problems;
        }

        /** The decoded value; null (with a problem) when absent, empty or undecodable. */
        String required(String name) {
            Optional<String> raw = webhook.header(name);
            if (raw.isEmpty()) {
                problems.add("header " + name, "missing; CloudEvents 1.0 requires it (binary content mode sends the "
                        + "attributes as ce-* headers; or send a structured event with Content-Type " + STRUCTURED
                        + ")");
                return null;
            }
            String value = decode(name, raw.get());
            if (value != null && value.isEmpty()) {
                problems.add("header " + name, "empty; CloudEvents 1.0 requires a non-empty string");
                return null;
            }
            return value;
        }

        /** The decoded value; null when absent or empty, or (with a problem) undecodable. */
        String optional(String name) {
            String value = webhook.header(name).map(raw -> decode(name, raw)).orElse(null);
            return value == null || value.isEmpty() ? null : value;
        }

        private String decode(String name, String raw) {
            try {
                return decodeHeader(raw);
            } catch (IllegalArgumentException e) {
                problems.add("header " + name, e.getMessage());
                return null;
            }
        }
    }

    /**
     * Undoes the HTTP binding's header encoding: a double-quoted value is unquoted (backslash
     * escapes), then one round of percent-decoding, and the bytes must be valid UTF-8.
     *
     * @throws IllegalArgumentException for a bad escape or invalid UTF-8
     */
    static String decodeHeader(String raw) {
        String value = raw.strip();
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            StringBuilder unquoted = new StringBuilder();
            for (int i = 1; i < value.length() - 1; i++) {
                char c = value.charAt(i);
                if (c == '\\' && i + 1 < value.length() - 1) {
                    c = value.charAt(++i);
                }
                unquoted.append(c);
            }
            value = unquoted.toString();
        }
        if (value.indexOf('%') < 0) {
            return value;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '%') {
                if (i + 2 >= value.length() || Character.digit(value.charAt(i + 1), 16) < 0
                        || Character.digit(value.charAt(i + 2), 16) < 0) {
                    throw new IllegalArgumentException("\"" + raw + "\" has a '%' not followed by two hex digits "
                            + "(percent-encode a literal % as %25)");
                }
                bytes.write(Character.digit(value.charAt(i + 1), 16) * 16 + Character.digit(value.charAt(i + 2), 16));
                i += 2;
            } else {
                byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(encoded, 0, encoded.length);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("\"" + raw + "\" percent-decodes to bytes that are not UTF-8");
        }
    }
}
