package io.reflex.ingest.pagerduty;

import static io.reflex.ingest.TestFixtures.bytes;
import static io.reflex.ingest.TestFixtures.toBytes;
import static io.reflex.ingest.TestFixtures.tree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.reflex.ingest.InvalidPayloadException;
import io.reflex.ingest.ResourceMapper;
import io.reflex.ingest.source.Webhook;
import io.reflex.model.AlertEvent;
import io.reflex.model.AlertStatus;
import io.reflex.model.Resource;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Webhooks shaped as PagerDuty documents its v3 webhooks (developer docs, "Webhook Payload" and
 * "Event Data Types"; the ping is what "Send Test Event" posts). PagerDuty cannot be run here.
 */
class PagerDutyAdapterTest {

    private static final String TRIGGERED = "fixtures/pagerduty/incident-triggered.json";
    private static final String ACKNOWLEDGED = "fixtures/pagerduty/incident-acknowledged.json";
    private static final String RESOLVED = "fixtures/pagerduty/incident-resolved.json";
    private static final String PING = "fixtures/pagerduty/pagey-ping.json";
    private static final String ANNOTATED = "fixtures/pagerduty/incident-annotated.json";
    private static final Instant NOW = Instant.parse("2026-11-26T10:20:00Z");
    private static final Instant CREATED = Instant.parse("2026-11-26T10:18:43Z");

    private final PagerDutyAdapter adapter = new PagerDutyAdapter(new ResourceMapper(), Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void mapsATriggeredIncidentToAFiringAlertOnItsService() {
        List<AlertEvent> events = adapter.parse(Webhook.of("pagerduty", "application/json", bytes(TRIGGERED)));

        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put("summary", "Checkout API error rate above 5%");
        annotations.put("pagerduty.event_id", "01F8Z3K9Q4W2X7Y6V5T1R0S9P8");
        annotations.put("pagerduty.event_type", "incident.triggered");
        annotations.put("pagerduty.incident_number", "4711");
        annotations.put("pagerduty.incident_key", "5f0c6a6e3b7d4e0f9a1b2c3d4e5f6a7b");
        annotations.put("pagerduty.status", "triggered");
        annotations.put("pagerduty.html_url", "https://acme.pagerduty.com/incidents/Q2K7N3V1XRZ9AB");
        annotations.put("pagerduty.assignees", "Dana Oncall");
        annotations.put("pagerduty.teams", "Payments");
        annotations.put("pagerduty.escalation_policy", "Checkout Escalation");
        annotations.put("pagerduty.agent", "Checkout API");
        annotations.put("pagerduty.conference_url", "https://meet.example.net/checkout-4711");
        assertThat(events).containsExactly(new AlertEvent(
                AlertEvent.idFor("pagerduty", "Q2K7N3V1XRZ9AB", CREATED, AlertStatus.FIRING),
                "pagerduty",
                "Checkout API error rate above 5%",
                AlertStatus.FIRING,
                "high",
                new Resource("service", "checkout-api", null, null),
                Map.of("alertname", "Checkout API error rate above 5%", "service", "checkout-api",
                        "pagerduty_service", "Checkout API", "pagerduty_service_id", "PF9KMXH", "urgency", "high",
                        "priority", "P1"),
                annotations,
                CREATED,
                null,
                NOW,
                "Q2K7N3V1XRZ9AB",
                null));
    }

    @Test
    void mapsAResolvedIncidentToTheSameSeriesEndingWhenItWasResolved() {
        AlertEvent resolved = adapter.parse(bytes(RESOLVED)).get(0);

        assertThat(resolved.status()).isEqualTo(AlertStatus.RESOLVED);
        assertThat(resolved.fingerprint()).isEqualTo("Q2K7N3V1XRZ9AB");
        assertThat(resolved.startsAt()).isEqualTo(CREATED);
        assertThat(resolved.endsAt()).isEqualTo("2026-11-26T10:34:55.890Z");
        assertThat(resolved.resource().key()).isEqualTo("service:checkout-api");
        assertThat(resolved.id()).isEqualTo(AlertEvent.idFor("pagerduty", "Q2K7N3V1XRZ9AB", CREATED, AlertStatus.RESOLVED))
                .isNotEqualTo(adapter.parse(bytes(TRIGGERED)).get(0).id());
        assertThat(resolved.annotations()).containsEntry("pagerduty.agent", "Dana Oncall")
                .containsEntry("pagerduty.status", "resolved");
    }

    @Test
    void anAcknowledgementIsTheFiringAlertOfTheTriggerMarkedAcknowledged() {
        AlertEvent triggered = adapter.parse(bytes(TRIGGERED)).get(0);
        AlertEvent acknowledged = adapter.parse(bytes(ACKNOWLEDGED)).get(0);

        assertThat(acknowledged.status()).isEqualTo(AlertStatus.FIRING);
        assertThat(acknowledged.annotations()).containsEntry(PagerDutyAdapter.ACKNOWLEDGED, "true")
                .containsEntry("pagerduty.event_type", "incident.acknowledged");
        assertThat(acknowledged.id()).as("the same alert: opens no second incident").isEqualTo(triggered.id());
        assertThat(triggered.annotations()).doesNotContainKey(PagerDutyAdapter.ACKNOWLEDGED);
    }

    @Test
    void anUnacknowledgementIsFiringAndSaysSo() {
        ObjectNode body = tree(ACKNOWLEDGED);
        ((ObjectNode) body.get("event")).put("event_type", "incident.unacknowledged");

        AlertEvent event = adapter.parse(toBytes(body)).get(0);

        assertThat(event.status()).isEqualTo(AlertStatus.FIRING);
        assertThat(event.annotations()).containsEntry(PagerDutyAdapter.ACKNOWLEDGED, "false");
    }

    @Test
    void aReopenedIncidentFiresAgainFromWhenItWasReopened() {
        ObjectNode body = tree(TRIGGERED);
        ObjectNode event = (ObjectNode) body.get("event");
        event.put("event_type", "incident.reopened");
        event.put("occurred_at", "2026-11-26T11:02:00Z");

        AlertEvent reopened = adapter.parse(toBytes(body)).get(0);

        assertThat(reopened.status()).isEqualTo(AlertStatus.FIRING);
        assertThat(reopened.startsAt()).isEqualTo("2026-11-26T11:02:00Z");
        assertThat(reopened.fingerprint()).isEqualTo("Q2K7N3V1XRZ9AB");
        assertThat(reopened.id()).isNotEqualTo(adapter.parse(bytes(TRIGGERED)).get(0).id());
    }

    @Test
    void theSameDeliveryTwiceGivesTheSameId() {
        PagerDutyAdapter later = new PagerDutyAdapter(new ResourceMapper(), Clock.fixed(NOW.plusSeconds(60), ZoneOffset.UTC));

        assertThat(later.parse(bytes(TRIGGERED)).get(0).id()).isEqualTo(adapter.parse(bytes(TRIGGERED)).get(0).id());
        assertThat(later.parse(bytes(RESOLVED)).get(0).id()).isEqualTo(adapter.parse(bytes(RESOLVED)).get(0).id());
    }

    @Test
    void acceptsThePingAndEventsThatDoNotChangeTheIncidentWithoutAlerts() {
        assertThat(adapter.parse(bytes(PING))).isEmpty();
        assertThat(adapter.parse(bytes(ANNOTATED))).isEmpty();
        ObjectNode escalated = tree(TRIGGERED);
        ((ObjectNode) escalated.get("event")).put("event_type", "incident.escalated");
        assertThat(adapter.parse(toBytes(escalated))).isEmpty();
    }

    @Test
    void stillRejectsABrokenEnvelopeOfAnEventItIgnores() {
        ObjectNode ping = tree(PING);
        ((ObjectNode) ping.get("event")).remove("id");
        ((ObjectNode) ping.get("event")).put("occurred_at", "soon");

        assertThat(reject(toBytes(ping)).details()).containsExactly("event.id: missing; expected a string",
                "event.occurred_at: not an RFC 3339 time: \"soon\" (expected e.g. 2026-11-26T10:18:40.947Z)");
    }

    @Test
    void slugsServiceNamesAndFallsBackToTheServiceId() {
        assertThat(PagerDutyAdapter.serviceLabel("Checkout API (EU)", "PF9KMXH")).isEqualTo("checkout-api-eu");
        assertThat(PagerDutyAdapter.serviceLabel("--db_primary--", "PF9KMXH")).isEqualTo("db-primary");
        assertThat(PagerDutyAdapter.serviceLabel("Überwachung", "PF9KMXH")).isEqualTo("uberwachung");
        assertThat(PagerDutyAdapter.serviceLabel("日本", "PF9KMXH")).isEqualTo("pf9kmxh");
        assertThat(PagerDutyAdapter.serviceLabel(null, "PF9KMXH")).isEqualTo("pf9kmxh");
    }

    @Test
    void collectsEveryProblemOfAnIncidentWithItsPath() {
        ObjectNode body = tree(TRIGGERED);
        ObjectNode data = (ObjectNode) body.get("event").get("data");
        data.remove("title");
        data.put("created_at", "2026-11-26 10:18:43");
        data.put("number", "4711");
        ((ObjectNode) data.get("service")).remove("id");
        data.putArray("teams").add("Payments");
        data.put("type", "incident_reference");

        InvalidPayloadException e = reject(toBytes(body));

        assertThat(e.httpStatus()).isEqualTo(422);
        assertThat(e.alertCount()).isEqualTo(1);
        assertThat(e.details()).containsExactly(
                "event.data.type: expected \"incident\" for incident.triggered, got \"incident_reference\"",
                "event.data.title: missing; expected a string",
                "event.data.created_at: not an RFC 3339 time: \"2026-11-26 10:18:43\" (expected e.g. "
                        + "2026-11-26T10:18:40.947Z)",
                "event.data.number: expected a whole number, got a string",
                "event.data.service.id: missing; expected a string",
                "event.data.teams[0]: expected a reference object, got a string");
    }

    @Test
    void rejectsABodyWithoutAnEventOrWithoutIncidentData() {
        assertThat(reject("{\"messages\": []}".getBytes(StandardCharsets.UTF_8)).details())
                .containsExactly("event: missing; expected the v3 webhook's event object");
        ObjectNode body = tree(TRIGGERED);
        ((ObjectNode) body.get("event")).remove("data");
        assertThat(reject(toBytes(body)).details()).containsExactly("event.data: missing; expected the incident");
    }

    @Test
    void rejectsMalformedJsonWith400() {
        InvalidPayloadException e = reject("{\"event\": {\"id\": ".getBytes(StandardCharsets.UTF_8));

        assertThat(e.httpStatus()).isEqualTo(400);
        assertThat(e.toApiError().error()).isEqualTo("malformed_json");
    }

    private InvalidPayloadException reject(byte[] body) {
        InvalidPayloadException e = catchThrowableOfType(InvalidPayloadException.class, () -> adapter.parse(body));
        assertThat(e).as("the body must be rejected").isNotNull();
        return e;
    }
}
