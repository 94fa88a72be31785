package io.reflex.ingest.source;

import static io.reflex.ingest.source.JsonPayload.describe;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflex.ingest.ResourceMapper;
import io.reflex.ingest.source.JsonPayload.Problems;
import io.reflex.model.AlertEvent;
import java.time.Clock;
import java.util.List;

/**
 * The common part of adapters whose body is one JSON object in the sender's fixed format
 * (Alertmanager, Grafana, PagerDuty): the clock, the resource mapping, strict reading, and
 * error messages that name the format and say what to send instead.
 */
public abstract class ObjectPayloadAdapter implements SourceAdapter {
    protected final ResourceMapper resources;
    protected final Clock clock;
    private final JsonPayload json;
    private final String source;
    private final String format;
    private final String hint;

    /**
     * @param format what the body should be, for messages ("Grafana alerting webhook payload")
     * @param hint   what the sender should do instead, appended to every error message
     */
    protected ObjectPayloadAdapter(String source, String format, String hint, ResourceMapper resources, Clock clock,
            JsonPayload json) {
        this.source = source;
        this.format = format;
        this.hint = hint;
        this.resources = resources;
        this.clock = clock;
        this.json = json;
    }

    @Override
    public final String source() {
        return source;
    }

    @Override
    public List<AlertEvent> parse(Webhook webhook) {
        return parse(webhook.body());
    }

    /**
     * @return the events the body carries, in order
     * @throws io.reflex.ingest.InvalidPayloadException with every problem, when the body is not valid
     */
    public abstract List<AlertEvent> parse(byte[] body);

    /** A collector of this format's problems. */
    protected final Problems problems() {
        return new Problems(format, hint);
    }

    /**
     * The payload's {@code version} must be the string {@code expected}; otherwise a problem that
     * ends with {@code understood}, which says what this adapter reads.
     */
    protected static void checkVersion(JsonNode root, String expected, String understood, Problems problems) {
        JsonNode version = root.get("version");
        if (version == null) {
            problems.add("version", "missing; expected \"" + expected + "\"");
        } else if (!version.isTextual() || !expected.equals(version.textValue())) {
            problems.add("version", "expected \"" + expected + "\", got " + version + understood);
        }
    }

    /** The body as a JSON object; anything else is refused at once. */
    protected final JsonNode readObject(byte[] body) {
        JsonNode root = json.read(body, hint);
        if (!root.isObject()) {
            Problems problems = problems();
            problems.add("body", "expected a JSON object, got " + describe(root));
            throw problems.toException(0);
        }
        return root;
    }
}
