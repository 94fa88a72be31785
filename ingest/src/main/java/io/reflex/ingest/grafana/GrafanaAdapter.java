package io.reflex.ingest.grafana;

import static io.reflex.ingest.source.JsonPayload.describe;
import static io.reflex.ingest.source.JsonPayload.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.reflex.ingest.InvalidPayloadException;
import io.reflex.ingest.Limits;
import io.reflex.ingest.ResourceMapper;
import io.reflex.ingest.alertmanager.AlertmanagerAdapter;
import io.reflex.ingest.source.AlertFields;
import io.reflex.ingest.source.JsonPayload;
import io.reflex.ingest.source.JsonPayload.Problems;
import io.reflex.ingest.source.ObjectPayloadAdapter;
import io.reflex.model.AlertEvent;
import io.reflex.model.Json;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a Grafana alerting webhook body (the default payload of Grafana's webhook contact point,
 * {@code version} "1") into one {@link AlertEvent} per alert of the notification.
 *
 * <p>Grafana's payload is Alertmanager's with extras, and is read the same way: name from
 * {@code labels.alertname}, severity from {@code labels.severity}, resource from the labels,
 * Grafana's {@code fingerprint} (or a hash of the labels), Go's zero {@code endsAt} meaning "no end".
 * The extras that help whoever looks at the incident become annotations, so they reach the
 * timeline unchanged:
 * <ul>
 *   <li>{@value #VALUES} — {@code values} (the query results that made the rule fire, e.g.
 *       {@code {"A":97.3,"C":1}}) as compact JSON;</li>
 *   <li>{@value #VALUE_STRING} — {@code valueString}, the older text form of the same;</li>
 *   <li>{@code grafana.generatorURL}, {@code grafana.silenceURL}, {@code grafana.dashboardURL},
 *       {@code grafana.panelURL}, {@code grafana.imageURL} — the links, when not empty;</li>
 *   <li>{@value #ORG_ID} — the alert's {@code orgId}, else the notification's;</li>
 *   <li>{@value AlertmanagerAdapter#TRUNCATED_ANNOTATION} — {@code truncatedAlerts}, when Grafana cut the group.</li>
 * </ul>
 * These keys are set by Reflex and replace a rule annotation of the same name. The notification's
 * {@code title}, {@code state} and {@code message} are text rendered for humans from the same alerts
 * and are not read; {@code receiver}, {@code groupLabels}, {@code externalURL}, … may be anything.
 *
 * <p>Validation is strict and complete, as for Alertmanager: every problem is collected with its
 * JSON path and thrown together ({@code 422}); a body that is not JSON is {@code 400}.
 */
public final class GrafanaAdapter extends ObjectPayloadAdapter {

    public static final String SOURCE = "grafana";
    public static final String VERSION = "1";

    public static final String VALUES = "grafana.values";
    public static final String VALUE_STRING = "grafana.valueString";
    public static final String ORG_ID = "grafana.orgId";
    private static final List<String> URLS = List.of("generatorURL", "silenceURL", "dashboardURL", "panelURL",
            "imageURL");

    private static final String HINT = "Point a Grafana webhook contact point at this endpoint and leave its "
            + "payload at the default (version 1); custom payload templates are not this format.";
    private static final String FORMAT = "Grafana alerting webhook payload";

    public GrafanaAdapter(ResourceMapper resources, Clock clock, JsonPayload json) {
        super(SOURCE, FORMAT, HINT, resources, clock, json);
    }

    /** With the default nesting limit; for tests and tools. */
    public GrafanaAdapter(ResourceMapper resources, Clock clock) {
        this(resources, clock, new JsonPayload(Limits.DEFAULT_MAX_NESTING_DEPTH));
    }

    /**
     * @return one event per alert, in the order of the body
     * @throws InvalidPayloadException with every problem, when the body is not valid
     */
    @Override
    public List<AlertEvent> parse(byte[] body) {
        JsonNode root = readObject(body);
        Instant receivedAt = clock.instant();
        Problems problems = problems();
        checkVersion(root, VERSION, "; only Grafana's default webhook payload (version 1) is understood", problems);
        String groupOrg = orgId(root.get("orgId"), "orgId", problems);
        JsonNode truncated = root.get("truncatedAlerts");
        if (truncated != null && !truncated.isNull() && !truncated.canConvertToInt()) {
            problems.add("truncatedAlerts", "expected a whole number, got " + describe(truncated));
        }
        JsonNode alerts = root.get("alerts");
        List<AlertEvent> events = new ArrayList<>();
        if (alerts == null || alerts.isNull()) {
            problems.add("alerts", "missing; expected a list of alerts");
        } else if (!alerts.isArray()) {
            problems.add("alerts", "expected an array, got " + describe(alerts));
        } else if (alerts.isEmpty()) {
            // Grafana never notifies about nothing; an empty list is a misconfigured sender.
            problems.add("alerts", "empty; expected at least one alert");
        } else {
            int dropped = truncated != null && truncated.canConvertToInt() ? truncated.asInt() : 0;
            for (int i = 0; i < alerts.size(); i++) {
                AlertEvent event = alert(alerts.get(i), "alerts[" + i + "]", groupOrg, dropped, receivedAt, problems);
                if (event != null) {
                    events.add(event);
                }
            }
        }
        if (!problems.isEmpty()) {
            throw problems.toException(alerts != null && alerts.isArray() ? alerts.size() : 0);
        }
        return List.copyOf(events);
    }

    private AlertEvent alert(JsonNode alert, String path, String groupOrg, int dropped, Instant receivedAt,
                             Problems problems) {
        AlertFields fields = AlertFields.read(alert, path, problems);
        if (!alert.isObject()) {
            return null;
        }
        int before = problems.size();
        // Grafana's own fields are checked even when the common ones failed: one answer lists every problem.
        String values = values(alert.get("values"), path + ".values", problems);
        String valueString = text(alert.get("valueString"), path + ".valueString", false, problems);
        Map<String, String> extra = new LinkedHashMap<>();
        for (String url : URLS) {
            String value = text(alert.get(url), path + "." + url, false, problems);
            if (value != null) {
                extra.put("grafana." + url, value);
            }
        }
        String org = orgId(alert.get("orgId"), path + ".orgId", problems);
        if (fields == null || problems.size() > before) {
            return null;
        }
        if (values != null) {
            extra.put(VALUES, values);
        }
        if (valueString != null) {
            extra.put(VALUE_STRING, valueString);
        }
        if (org != null || groupOrg != null) {
            extra.put(ORG_ID, org != null ? org : groupOrg);
        }
        if (dropped > 0) {
            extra.put(AlertmanagerAdapter.TRUNCATED_ANNOTATION, Integer.toString(dropped));
        }
        return fields.toEvent(SOURCE, extra, receivedAt, resources);
    }

    /** {@code values} as compact JSON in Grafana's order; null when absent, null or empty. */
    private static String values(JsonNode node, String path, Problems problems) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            problems.add(path, "expected an object of numbers, got " + describe(node));
            return null;
        }
        ObjectNode numbers = Json.MAPPER.createObjectNode();
        boolean valid = true;
        for (Map.Entry<String, JsonNode> value : node.properties()) {
            if (!value.getValue().isNumber()) {
                problems.add(path + "." + value.getKey(), "expected a number, got " + describe(value.getValue()));
                valid = false;
            } else {
                numbers.set(value.getKey(), value.getValue());
            }
        }
        if (!valid || numbers.isEmpty()) {
            return null;
        }
        try {
            return Json.MAPPER.writeValueAsString(numbers);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("numbers always serialise", e);
        }
    }

    private static String orgId(JsonNode node, String path, Problems problems) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.canConvertToLong() || !node.isIntegralNumber()) {
            problems.add(path, "expected a whole number, got " + describe(node));
            return null;
        }
        return Long.toString(node.longValue());
    }
}
