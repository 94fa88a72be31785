package io.reflex.ingest.alertmanager;

import static io.reflex.ingest.source.JsonPayload.describe;

import io.reflex.ingest.Limits;
import io.reflex.ingest.source.AlertFields;
import io.reflex.ingest.source.JsonPayload;
import io.reflex.ingest.source.JsonPayload.Problems;
import io.reflex.ingest.source.ObjectPayloadAdapter;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflex.ingest.ResourceMapper;
import io.reflex.model.AlertEvent;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns an Alertmanager webhook body (payload {@code version} "4") into one {@link AlertEvent} per
 * alert of the group.
 *
 * <p>Validation is strict and complete: every problem is collected, each named by its JSON path
 * ({@code alerts[0].labels.alertname: missing}), and thrown together as one
 * {@link InvalidPayloadException}, so a sender fixes everything in one round. A body with an
 * empty {@code alerts} list is rejected (422): Alertmanager never sends one, so it comes from a
 * misconfigured sender, and answering 2xx would hide that.
 *
 * <p>Only what Reflex uses is checked; other fields ({@code receiver}, {@code groupLabels},
 * {@code generatorURL}, ...) may be anything, so newer Alertmanagers keep working.
 */
public final class AlertmanagerAdapter extends ObjectPayloadAdapter {

    public static final String SOURCE = "alertmanager";
    public static final String VERSION = "4";

    private static final String HINT = "Send the Alertmanager webhook body (payload version 4) unchanged: "
            + "point a webhook_configs url of Alertmanager at this endpoint.";

    private static final String FORMAT = "Alertmanager webhook payload";

    /** The annotation that carries Alertmanager's {@code truncatedAlerts} of the group. */
    public static final String TRUNCATED_ANNOTATION = "reflex.truncatedAlerts";

    public AlertmanagerAdapter(ResourceMapper resources, Clock clock, JsonPayload json) {
        super(SOURCE, FORMAT, HINT, resources, clock, json);
    }

    /** With the default nesting limit; for tests and tools. */
    public AlertmanagerAdapter(ResourceMapper resources, Clock clock) {
        this(resources, clock, new JsonPayload(Limits.DEFAULT_MAX_NESTING_DEPTH));
    }

    /**
     * @param body the raw request body
     * @return one event per alert, in the order of the body
     * @throws InvalidPayloadException with every problem, when the body is not valid
     */
    @Override
    public List<AlertEvent> parse(byte[] body) {
        JsonNode root = readObject(body);
        Instant receivedAt = clock.instant();
        Problems problems = problems();
        checkVersion(root, VERSION, " (only Alertmanager's webhook payload version 4 is understood)", problems);
        JsonNode alerts = root.get("alerts");
        List<AlertEvent> events = new ArrayList<>();
        if (alerts == null) {
            problems.add("alerts", "missing; expected a list of alerts");
        } else if (!alerts.isArray()) {
            problems.add("alerts", "expected an array, got " + describe(alerts));
        } else if (alerts.isEmpty()) {
            problems.add("alerts", "empty; expected at least one alert");
        } else {
            for (int i = 0; i < alerts.size(); i++) {
                AlertEvent event = alert(alerts.get(i), "alerts[" + i + "]", receivedAt, problems);
                if (event != null) {
                    events.add(event);
                }
            }
        }
        JsonNode truncated = root.get("truncatedAlerts");
        if (truncated != null && !truncated.isNull() && !truncated.canConvertToInt()) {
            problems.add("truncatedAlerts", "expected a whole number, got " + describe(truncated));
        }
        if (!problems.isEmpty()) {
            throw problems.toException(alerts != null && alerts.isArray() ? alerts.size() : 0);
        }
        int dropped = truncated == null ? 0 : truncated.asInt();
        return dropped > 0 ? events.stream().map(e -> withTruncated(e, dropped)).toList() : List.copyOf(events);
    }

    /** One alert, or null when it has problems (which are added to {@code problems}). */
    private AlertEvent alert(JsonNode alert, String path, Instant receivedAt, Problems problems) {
        AlertFields fields = AlertFields.read(alert, path, problems);
        return fields == null ? null : fields.toEvent(SOURCE, Map.of(), receivedAt, resources);
    }

    /**
     * Alertmanager cut the group to its {@code max_alerts} and says how many it left out: the
     * alerts that did come carry that number, so it shows on their incidents' timelines.
     */
    private static AlertEvent withTruncated(AlertEvent e, int dropped) {
        Map<String, String> annotations = new java.util.LinkedHashMap<>(e.annotations());
        annotations.put(TRUNCATED_ANNOTATION, Integer.toString(dropped));
        return new AlertEvent(e.id(), e.source(), e.name(), e.status(), e.severity(), e.resource(), e.labels(),
                annotations, e.startsAt(), e.endsAt(), e.receivedAt(), e.fingerprint(), e.drillId());
    }
}
