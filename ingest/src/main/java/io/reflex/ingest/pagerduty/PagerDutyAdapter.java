package io.reflex.ingest.pagerduty;

import static io.reflex.ingest.source.JsonPayload.describe;
import static io.reflex.ingest.source.JsonPayload.text;
import static io.reflex.ingest.source.JsonPayload.time;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflex.ingest.InvalidPayloadException;
import io.reflex.ingest.Limits;
import io.reflex.ingest.ResourceMapper;
import io.reflex.ingest.source.JsonPayload;
import io.reflex.ingest.source.JsonPayload.Problems;
import io.reflex.ingest.source.ObjectPayloadAdapter;
import io.reflex.model.AlertEvent;
import io.reflex.model.AlertStatus;
import java.text.Normalizer;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns a PagerDuty v3 webhook ({@code {"event": {"event_type", "data": {…incident…}}}}) into an
 * alert event about the incident. The signature ({@code X-PagerDuty-Signature}) is checked before
 * the adapter sees the webhook, by the authentication of the route.
 *
 * <p><b>Which events become alerts.</b> Only those that change whether the incident is open:
 * <table>
 *   <caption>event types and statuses</caption>
 *   <tr><th>event_type</th><th>status</th><th>startsAt</th><th>note</th></tr>
 *   <tr><td>incident.triggered</td><td>FIRING</td><td>data.created_at</td><td></td></tr>
 *   <tr><td>incident.acknowledged</td><td>FIRING</td><td>data.created_at</td>
 *       <td>annotation {@code pagerduty.acknowledged=true}; the same alert (same id) as the trigger,
 *       so it never opens a second incident, yet opens one when the trigger was missed</td></tr>
 *   <tr><td>incident.unacknowledged</td><td>FIRING</td><td>data.created_at</td>
 *       <td>annotation {@code pagerduty.acknowledged=false}; same id as the trigger</td></tr>
 *   <tr><td>incident.reopened</td><td>FIRING</td><td>event.occurred_at</td>
 *       <td>a new firing period of the same incident: a new start, so a new alert id, which the
 *       resolved alert before it would otherwise shadow</td></tr>
 *   <tr><td>incident.resolved</td><td>RESOLVED</td><td>data.created_at</td><td>endsAt = event.occurred_at</td></tr>
 * </table>
 * Every other event type ({@code pagey.ping} from "Send test event", {@code incident.annotated},
 * {@code incident.escalated}, {@code incident.priority_updated}, {@code service.updated}, types
 * PagerDuty adds later, …) is valid but says nothing about whether the incident is firing: for
 * those {@link #parse} returns an <b>empty list</b> after checking the envelope, and the route
 * answers {@code 202} with nothing stored. Rejecting them would make PagerDuty drop the delivery
 * and, after three, disable the subscription.
 *
 * <p><b>Mapping.</b> name = {@code data.title} (also label {@code alertname}); fingerprint =
 * the incident id {@code data.id}; severity = {@code data.urgency} ({@code high}/{@code low}, as
 * PagerDuty says it). Labels: {@code service} = a slug of the PagerDuty service's name
 * ({@code "Checkout API"} → {@code checkout-api}; its id when the name has no letters or digits),
 * so the default resource mapping files the alert under {@code service:checkout-api}, the name
 * the other sources and the rules use for that service; {@code pagerduty_service} (the name as
 * written), {@code pagerduty_service_id}, {@code urgency} and {@code priority} (e.g. {@code P1})
 * when set. Annotations: {@code summary} (the title) and {@code pagerduty.*}: event id and type,
 * incident number, key, status and link, assignees, teams, escalation policy, the agent who acted,
 * the conference URL and resolve reason, when PagerDuty sends them.
 */
public final class PagerDutyAdapter extends ObjectPayloadAdapter {

    public static final String SOURCE = "pagerduty";
    public static final String ACKNOWLEDGED = "pagerduty.acknowledged";

    private static final String HINT = "Send PagerDuty v3 webhooks unchanged: create a webhook subscription "
            + "whose delivery URL is this endpoint.";
    private static final String FORMAT = "PagerDuty v3 webhook";

    /** The event types that say whether an incident is firing; see the class comment. */
    public static final Set<String> ALERT_EVENT_TYPES = Set.of("incident.triggered", "incident.acknowledged",
            "incident.unacknowledged", "incident.reopened", "incident.resolved");

    public PagerDutyAdapter(ResourceMapper resources, Clock clock, JsonPayload json) {
        super(SOURCE, FORMAT, HINT, resources, clock, json);
    }

    /** With the default nesting limit; for tests and tools. */
    public PagerDutyAdapter(ResourceMapper resources, Clock clock) {
        this(resources, clock, new JsonPayload(Limits.DEFAULT_MAX_NESTING_DEPTH));
    }

    /**
     * @return one event for an incident event of {@link #ALERT_EVENT_TYPES}; an empty list for any
     *         other valid event (answer {@code 202}, store nothing)
     * @throws InvalidPayloadException with every problem, when the body is not a valid v3 webhook
     */
    @Override
    public List<AlertEvent> parse(byte[] body) {
        JsonNode root = readObject(body);
        Instant receivedAt = clock.instant();
        Problems problems = problems();
        JsonNode event = root.get("event");
        if (event == null || event.isNull()) {
            problems.add("event", "missing; expected the v3 webhook's event object");
            throw problems.toException(0);
        }
        if (!event.isObject()) {
            problems.add("event", "expected an object, got " + describe(event));
            throw problems.toException(0);
        }
        String eventId = text(event.get("id"), "event.id", true, problems);
        String eventType = text(event.get("event_type"), "event.event_type", true, problems);
        Instant occurredAt = time(event.get("occurred_at"), "event.occurred_at", true, problems);
        if (eventType != null && !ALERT_EVENT_TYPES.contains(eventType)) {
            if (!problems.isEmpty()) {
                throw problems.toException(0);
            }
            return List.of();
        }
        AlertEvent alert = incident(event, eventId, eventType, occurredAt, receivedAt, problems);
        if (!problems.isEmpty()) {
            throw problems.toException(1);
        }
        return List.of(alert);
    }

    private AlertEvent incident(JsonNode event, String eventId, String eventType, Instant occurredAt,
                                Instant receivedAt, Problems problems) {
        JsonNode data = event.get("data");
        if (data == null || data.isNull()) {
            problems.add("event.data", "missing; expected the incident");
            return null;
        }
        if (!data.isObject()) {
            problems.add("event.data", "expected an object, got " + describe(data));
            return null;
        }
        JsonNode type = data.get("type");
        if (type == null || type.isNull()) {
            problems.add("event.data.type", "missing; expected \"incident\" for " + eventType);
        } else if (!type.isTextual() || !"incident".equals(type.textValue())) {
            problems.add("event.data.type", "expected \"incident\" for " + eventType + ", got " + type);
        }
        String incidentId = text(data.get("id"), "event.data.id", true, problems);
        String title = text(data.get("title"), "event.data.title", true, problems);
        Instant createdAt = time(data.get("created_at"), "event.data.created_at", true, problems);
        String urgency = text(data.get("urgency"), "event.data.urgency", false, problems);
        String incidentStatus = text(data.get("status"), "event.data.status", false, problems);
        String incidentKey = text(data.get("incident_key"), "event.data.incident_key", false, problems);
        String htmlUrl = text(data.get("html_url"), "event.data.html_url", false, problems);
        String number = wholeNumber(data.get("number"), "event.data.number", problems);
        JsonNode service = data.get("service");
        String serviceId = null;
        String serviceName = null;
        if (service == null || service.isNull()) {
            problems.add("event.data.service", "missing; expected the incident's service");
        } else if (!service.isObject()) {
            problems.add("event.data.service", "expected an object, got " + describe(service));
        } else {
            serviceId = text(service.get("id"), "event.data.service.id", true, problems);
            serviceName = text(service.get("summary"), "event.data.service.summary", false, problems);
        }
        String priority = reference(data.get("priority"), "event.data.priority", problems);
        String escalationPolicy = reference(data.get("escalation_policy"), "event.data.escalation_policy", problems);
        String assignees = references(data.get("assignees"), "event.data.assignees", problems);
        String teams = references(data.get("teams"), "event.data.teams", problems);
        String agent = reference(event.get("agent"), "event.agent", problems);
        String conferenceUrl = conferenceUrl(data.get("conference_bridge"), problems);
        String resolveReason = resolveReason(data.get("resolve_reason"), problems);
        if (!problems.isEmpty()) {
            return null;
        }

        AlertStatus status = "incident.resolved".equals(eventType) ? AlertStatus.RESOLVED : AlertStatus.FIRING;
        Instant startsAt = "incident.reopened".equals(eventType) ? occurredAt : createdAt;
        Instant endsAt = status == AlertStatus.RESOLVED ? occurredAt : null;

        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("alertname", title);
        labels.put("service", serviceLabel(serviceName, serviceId));
        if (serviceName != null) {
            labels.put("pagerduty_service", serviceName);
        }
        labels.put("pagerduty_service_id", serviceId);
        if (urgency != null) {
            labels.put("urgency", urgency);
        }
        if (priority != null) {
            labels.put("priority", priority);
        }

        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put("summary", title);
        annotations.put("pagerduty.event_id", eventId);
        annotations.put("pagerduty.event_type", eventType);
        put(annotations, "pagerduty.incident_number", number);
        put(annotations, "pagerduty.incident_key", incidentKey);
        put(annotations, "pagerduty.status", incidentStatus);
        put(annotations, "pagerduty.html_url", htmlUrl);
        put(annotations, "pagerduty.assignees", assignees);
        put(annotations, "pagerduty.teams", teams);
        put(annotations, "pagerduty.escalation_policy", escalationPolicy);
        put(annotations, "pagerduty.agent", agent);
        put(annotations, "pagerduty.conference_url", conferenceUrl);
        put(annotations, "pagerduty.resolve_reason", resolveReason);
        if ("incident.acknowledged".equals(eventType)) {
            annotations.put(ACKNOWLEDGED, "true");
        } else if ("incident.unacknowledged".equals(eventType)) {
            annotations.put(ACKNOWLEDGED, "false");
        }

        return new AlertEvent(
                AlertEvent.idFor(SOURCE, incidentId, startsAt, status),
                SOURCE,
                title,
                status,
                urgency,
                resources.map(title, labels),
                labels,
                annotations,
                startsAt,
                endsAt,
                receivedAt,
                incidentId,
                null);
    }

    /**
     * {@code "Checkout API (EU)"} → {@code checkout-api-eu}: lower case, every run of other
     * characters one dash. PagerDuty service names are free text; resource names elsewhere in
     * Reflex are slugs, and connectors only accept plain names.
     */
    static String serviceLabel(String serviceName, String serviceId) {
        // Accents are dropped first ("Überwachung" -> "uberwachung") rather than becoming dashes.
        String plain = serviceName == null ? ""
                : Normalizer.normalize(serviceName, Normalizer.Form.NFKD).replaceAll("\\p{M}+", "");
        String slug = plain.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
        return slug.isEmpty() ? serviceId.toLowerCase(Locale.ROOT) : slug;
    }

    private static void put(Map<String, String> map, String key, String value) {
        if (value != null) {
            map.put(key, value);
        }
    }

    private static String wholeNumber(JsonNode node, String path, Problems problems) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber()) {
            problems.add(path, "expected a whole number, got " + describe(node));
            return null;
        }
        return node.asText();
    }

    /** A PagerDuty reference object's {@code summary} (its {@code id} when it has none); null when absent. */
    private static String reference(JsonNode node, String path, Problems problems) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            problems.add(path, "expected a reference object, got " + describe(node));
            return null;
        }
        String summary = text(node.get("summary"), path + ".summary", false, problems);
        return summary != null ? summary : text(node.get("id"), path + ".id", false, problems);
    }

    /** The summaries of a list of references, comma-separated; null when absent or empty. */
    private static String references(JsonNode node, String path, Problems problems) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isArray()) {
            problems.add(path, "expected an array of references, got " + describe(node));
            return null;
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            String name = reference(node.get(i), path + "[" + i + "]", problems);
            if (name != null) {
                names.add(name);
            }
        }
        return names.isEmpty() ? null : String.join(", ", names);
    }

    private static String conferenceUrl(JsonNode node, Problems problems) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            problems.add("event.data.conference_bridge", "expected an object, got " + describe(node));
            return null;
        }
        return text(node.get("conference_url"), "event.data.conference_bridge.conference_url", false, problems);
    }

    /** PagerDuty sends null, or an object such as {@code {"type": "merge_resolve_reason", …}}. */
    private static String resolveReason(JsonNode node, Problems problems) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            return node.textValue().isBlank() ? null : node.textValue();
        }
        if (!node.isObject()) {
            problems.add("event.data.resolve_reason", "expected an object or a string, got " + describe(node));
            return null;
        }
        return text(node.get("type"), "event.data.resolve_reason.type", false, problems);
    }
}
