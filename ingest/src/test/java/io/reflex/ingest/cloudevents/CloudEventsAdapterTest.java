package io.reflex.ingest.cloudevents;

import static io.reflex.ingest.TestFixtures.bytes;
import static io.reflex.ingest.TestFixtures.toBytes;
import static io.reflex.ingest.TestFixtures.tree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.reflex.ingest.Fingerprints;
import io.reflex.ingest.InvalidPayloadException;
import io.reflex.ingest.ResourceMapper;
import io.reflex.ingest.source.Webhook;
import io.reflex.model.AlertEvent;
import io.reflex.model.AlertStatus;
import io.reflex.model.Json;
import io.reflex.model.Resource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Events as the CloudEvents 1.0 JSON format and HTTP binding define them (spec v1.0.2); the
 * binary-mode headers are those of the binding's examples, percent-encoded where it says so.
 */
class CloudEventsAdapterTest {

    private static final String STRUCTURED = "fixtures/cloudevents/structured-firing.json";
    private static final String BATCH = "fixtures/cloudevents/batch.json";
    private static final String BINARY_DATA = "fixtures/cloudevents/binary-data.json";
    private static final Instant NOW = Instant.parse("2026-11-26T10:20:00Z");

    private final CloudEventsAdapter adapter = new CloudEventsAdapter(new ResourceMapper(),
            Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void mapsAStructuredEventToOneAlert() {
        List<AlertEvent> events = adapter.parse(structured(bytes(STRUCTURED)));

        Map<String, String> labels = Map.of("service", "checkout", "region", "eu-west-1",
                "alertname", "CheckoutLatencyHigh", "severity", "warning");
        String fingerprint = Fingerprints.of("https://monitor.example.net/checks\u001fcheckout", labels);
        Instant startsAt = Instant.parse("2026-11-26T10:18:40Z");
        assertThat(events).containsExactly(new AlertEvent(
                AlertEvent.idFor("cloudevents", fingerprint, startsAt, AlertStatus.FIRING),
                "cloudevents",
                "CheckoutLatencyHigh",
                AlertStatus.FIRING,
                "warning",
                new Resource("service", "checkout", null, null),
                labels,
                Map.of("summary", "p99 latency of checkout is 2.4s (threshold 1s)",
                        "runbook_url", "https://runbooks.example.net/checkout-latency",
                        "cloudevents.id", "8d3f6c1e-2b7a-4c55-9f0e-1a2b3c4d5e6f",
                        "cloudevents.source", "https://monitor.example.net/checks",
                        "cloudevents.type", "net.example.monitor.alert",
                        "cloudevents.subject", "checkout"),
                startsAt,
                null,
                NOW,
                fingerprint,
                null));
    }

    @Test
    void mapsABatchTakingTheStatusFromTheTypeAndTheStartFromTheTime() {
        List<AlertEvent> events = adapter.parse(batch(bytes(BATCH)));

        assertThat(events).hasSize(2);
        AlertEvent firing = events.get(0);
        assertThat(firing.name()).isEqualTo("DiskFull");
        assertThat(firing.status()).as("type ends in .firing").isEqualTo(AlertStatus.FIRING);
        assertThat(firing.startsAt()).as("no startsAt: the event's time").isEqualTo("2026-11-26T10:18:40Z");
        assertThat(firing.resource().key()).isEqualTo("host:db-1");
        assertThat(firing.labels()).containsEntry("alertname", "DiskFull").containsEntry("mount", "/var/lib/postgresql");
        AlertEvent resolved = events.get(1);
        assertThat(resolved.status()).as("type ends in .resolved").isEqualTo(AlertStatus.RESOLVED);
        assertThat(resolved.startsAt()).isEqualTo("2026-11-26T09:02:11Z");
        assertThat(resolved.endsAt()).as("resolved without endsAt: the event's time").isEqualTo("2026-11-26T10:24:02Z");
        assertThat(resolved.resource().key()).isEqualTo("host:db-2");
        assertThat(resolved.annotations()).containsEntry("cloudevents.id", "c0a80101-0002");
    }

    @Test
    void acceptsAnEmptyBatchWithNoAlerts() {
        assertThat(adapter.parse(batch("[]".getBytes(StandardCharsets.UTF_8)))).isEmpty();
    }

    @Test
    void mapsABinaryModeEventFromItsHeadersAndBody() {
        AlertEvent event = adapter.parse(binary(bytes(BINARY_DATA), "application/json; charset=utf-8")).get(0);

        assertThat(event.name()).isEqualTo("CheckoutLatencyHigh");
        assertThat(event.resource().key()).isEqualTo("service:checkout");
        assertThat(event.annotations()).containsEntry("cloudevents.id", "8d3f6c1e-2b7a-4c55-9f0e-1a2b3c4d5e6f")
                .containsEntry("cloudevents.subject", "checkout");
    }

    @Test
    void theSameEventDeliveredTwiceInAnyModeGivesTheSameAlertId() {
        CloudEventsAdapter later = new CloudEventsAdapter(new ResourceMapper(),
                Clock.fixed(NOW.plusSeconds(600), ZoneOffset.UTC));

        String first = adapter.parse(structured(bytes(STRUCTURED))).get(0).id();

        assertThat(later.parse(structured(bytes(STRUCTURED))).get(0).id()).isEqualTo(first);
        assertThat(later.parse(binary(bytes(BINARY_DATA), "application/json")).get(0).id()).isEqualTo(first);
        ArrayNode asBatch = Json.MAPPER.createArrayNode().add(tree(STRUCTURED));
        assertThat(later.parse(batch(toBytes(asBatch))).get(0).id()).isEqualTo(first);
    }

    @Test
    void theResolvedEventOfTheSameConditionIsTheSameSeriesWithAnotherId() {
        ObjectNode body = tree(STRUCTURED);
        body.put("id", "another-event");
        body.put("time", "2026-11-26T10:30:00Z");
        ((ObjectNode) body.get("data")).put("status", "resolved");

        AlertEvent resolved = adapter.parse(structured(toBytes(body))).get(0);
        AlertEvent firing = adapter.parse(structured(bytes(STRUCTURED))).get(0);

        assertThat(resolved.status()).isEqualTo(AlertStatus.RESOLVED);
        assertThat(resolved.fingerprint()).isEqualTo(firing.fingerprint());
        assertThat(resolved.startsAt()).isEqualTo(firing.startsAt());
        assertThat(resolved.endsAt()).isEqualTo("2026-11-26T10:30:00Z");
        assertThat(resolved.id()).isNotEqualTo(firing.id());
    }

    @Test
    void usesTheSendersFingerprintWhenTheDataHasOne() {
        ObjectNode body = tree(STRUCTURED);
        ((ObjectNode) body.get("data")).put("fingerprint", "checkout-p99");

        AlertEvent event = adapter.parse(structured(toBytes(body))).get(0);

        assertThat(event.fingerprint()).isEqualTo("checkout-p99");
        assertThat(event.id()).isEqualTo(AlertEvent.idFor("cloudevents", "checkout-p99",
                Instant.parse("2026-11-26T10:18:40Z"), AlertStatus.FIRING));
    }

    @Test
    void aDifferentProducerOfTheSameLabelsIsAnotherSeries() {
        ObjectNode body = tree(STRUCTURED);
        body.put("source", "/other/monitor");

        assertThat(adapter.parse(structured(toBytes(body))).get(0).fingerprint())
                .isNotEqualTo(adapter.parse(structured(bytes(STRUCTURED))).get(0).fingerprint());
    }

    @Test
    void decodesPercentEncodedAndQuotedHeaderValues() {
        Map<String, List<String>> headers = binaryHeaders("application/json");
        headers.put("ce-subject", List.of("\"Euro%20%E2%82%AC%20\\\"quoted\\\"\""));

        AlertEvent event = adapter.parse(new Webhook("cloudevents", headers, bytes(BINARY_DATA), Map.of())).get(0);

        assertThat(event.annotations()).containsEntry("cloudevents.subject", "Euro € \"quoted\"");
        assertThat(CloudEventsAdapter.decodeHeader("%e2%82%ac")).as("lower-case hex").isEqualTo("€");
    }

    @Test
    void namesEveryMissingRequiredAttributeOfAStructuredEvent() {
        ObjectNode body = tree(STRUCTURED);
        body.remove("specversion");
        body.remove("id");
        body.put("source", "");
        body.put("type", 7);

        InvalidPayloadException e = reject(structured(toBytes(body)));

        assertThat(e.httpStatus()).isEqualTo(422);
        assertThat(e.details()).containsExactly(
                "specversion: missing; a CloudEvent must say \"specversion\": \"1.0\"",
                "id: missing; CloudEvents 1.0 requires it",
                "source: empty; CloudEvents 1.0 requires a non-empty string",
                "type: expected a string, got a number");
    }

    @Test
    void collectsEveryProblemOfEveryEventOfABatchWithItsIndex() {
        ArrayNode body = (ArrayNode) treeOf(bytes(BATCH));
        ObjectNode first = (ObjectNode) body.get(0);
        first.put("specversion", "0.3");
        first.put("source", "not a uri");
        first.put("time", "yesterday");
        ((ObjectNode) first.get("data")).put("status", "pending");
        ObjectNode second = (ObjectNode) body.get(1);
        second.put("datacontenttype", "application/xml");
        ObjectNode data = (ObjectNode) second.get("data");
        data.remove("alertname");
        ((ObjectNode) data.get("labels")).put("port", 5432);
        body.add("not an event");

        InvalidPayloadException e = reject(batch(toBytes(body)));

        assertThat(e.httpStatus()).isEqualTo(422);
        assertThat(e.alertCount()).isEqualTo(3);
        assertThat(e.details()).containsExactly(
                "[0].specversion: expected \"1.0\", got \"0.3\"",
                "[0].source: \"not a uri\" is not a URI-reference: Illegal character in path at index 3",
                "[0].time: not an RFC 3339 time: \"yesterday\" (expected e.g. 2026-11-26T10:18:40.947Z)",
                "[0].data.status: expected \"firing\" or \"resolved\", got \"pending\"",
                "[1].datacontenttype: \"application/xml\" is not JSON; the data must be a JSON object describing the "
                        + "alert (application/json)",
                "[1].data.labels.port: expected a string, got a number",
                "[1].data.name: missing; expected the alert name (name, alertname or labels.alertname)",
                "[2]: expected an event object, got a string");
    }

    @Test
    void rejectsAStatusThatContradictsTheTypeOrCannotBeTold() {
        ArrayNode body = (ArrayNode) treeOf(bytes(BATCH));
        ((ObjectNode) body.get(0).get("data")).put("status", "resolved");
        ((ObjectNode) body.get(1)).put("type", "net.example.monitor.alert");

        assertThat(reject(batch(toBytes(body))).details()).containsExactly(
                "[0].data.status: \"resolved\" contradicts the event type \"net.example.monitor.alert.firing\"",
                "[1].data.status: missing, and the event type \"net.example.monitor.alert\" ends in neither .firing, "
                        + ".triggered nor .resolved; say \"firing\" or \"resolved\"");
    }

    @Test
    void rejectsNamesThatDisagreeAndAnEventWithoutAnyStart() {
        ObjectNode body = tree(STRUCTURED);
        body.remove("time");
        ObjectNode data = (ObjectNode) body.get("data");
        data.remove("startsAt");
        data.put("alertname", "SomethingElse");

        assertThat(reject(structured(toBytes(body))).details()).containsExactly(
                "data.alertname: \"SomethingElse\" differs from name \"CheckoutLatencyHigh\"; give one value",
                "data.startsAt: missing, and the event has no time attribute; give one of them (the alert's id "
                        + "depends on when it started)");
    }

    @Test
    void rejectsAnEventWithoutDataOrWithBinaryData() {
        ObjectNode body = tree(STRUCTURED);
        body.remove("data");
        body.put("data_base64", "eyJuYW1lIjoiWCJ9");

        assertThat(reject(structured(toBytes(body))).details()).containsExactly(
                "data_base64: binary data is not supported; send the alert as a JSON object in data",
                "data: missing; expected a JSON object describing the alert: {\"name\", \"status\", \"labels\", …}");
    }

    @Test
    void namesEveryMissingBinaryModeHeader() {
        Webhook webhook = new Webhook("cloudevents", Map.of("Content-Type", List.of("application/json"),
                "ce-specversion", List.of("1.0"), "ce-type", List.of("net.example.monitor.alert")),
                bytes(BINARY_DATA), Map.of());

        InvalidPayloadException e = reject(webhook);

        assertThat(e.httpStatus()).isEqualTo(422);
        assertThat(e.details()).hasSize(2);
        assertThat(e.details().get(0)).startsWith("header ce-id: missing; CloudEvents 1.0 requires it");
        assertThat(e.details().get(1)).startsWith("header ce-source: missing; CloudEvents 1.0 requires it");
    }

    @Test
    void rejectsBadBinaryModeHeadersAndANonJsonBody() {
        Map<String, List<String>> headers = binaryHeaders("text/plain");
        headers.put("ce-specversion", List.of("0.3"));
        headers.put("ce-time", List.of("26/11/2026"));
        headers.put("ce-source", List.of("%C0%A0"));
        headers.put("ce-datacontenttype", List.of("application/json"));

        InvalidPayloadException e = reject(new Webhook("cloudevents", headers, "hello".getBytes(StandardCharsets.UTF_8),
                Map.of()));

        assertThat(e.details()).containsExactly(
                "header ce-specversion: expected \"1.0\", got \"0.3\"",
                "header ce-source: \"%C0%A0\" percent-decodes to bytes that are not UTF-8",
                "header ce-time: not an RFC 3339 time: \"26/11/2026\" (expected e.g. 2026-11-26T10:18:40.947Z)",
                "header ce-datacontenttype: must not be sent in binary mode; Content-Type carries the data's media type",
                "header Content-Type: \"text/plain\" is not JSON; in binary mode the body is the data, a JSON object "
                        + "describing the alert (application/json), or send a structured event "
                        + "(application/cloudevents+json)");
    }

    @Test
    void rejectsAnUnsupportedEventFormat() {
        InvalidPayloadException e = reject(Webhook.of("cloudevents", "application/cloudevents+avro", new byte[] {1}));

        assertThat(e.httpStatus()).isEqualTo(422);
        assertThat(e.details()).containsExactly("header Content-Type: event format \"application/cloudevents+avro\" "
                + "is not supported; use application/cloudevents+json");
    }

    @Test
    void rejectsAnArrayInStructuredModeAndAnObjectInBatchMode() {
        assertThat(reject(structured(bytes(BATCH))).details()).containsExactly("body: expected one event as a JSON "
                + "object, got an array; send several with Content-Type application/cloudevents-batch+json");
        assertThat(reject(batch(bytes(STRUCTURED))).details())
                .containsExactly("body: expected a JSON array of events, got an object");
    }

    @Test
    void rejectsMalformedJsonWith400InEveryMode() {
        byte[] broken = "{\"specversion\": \"1.0\",".getBytes(StandardCharsets.UTF_8);

        assertThat(reject(structured(broken)).httpStatus()).isEqualTo(400);
        assertThat(reject(batch(broken)).httpStatus()).isEqualTo(400);
        InvalidPayloadException binary = reject(binary(broken, "application/json"));
        assertThat(binary.httpStatus()).isEqualTo(400);
        assertThat(binary.toApiError().error()).isEqualTo("malformed_json");
    }

    @Test
    void tellsJsonMediaTypesApart() {
        assertThat(CloudEventsAdapter.isJson("application/json; charset=utf-8")).isTrue();
        assertThat(CloudEventsAdapter.isJson("application/vnd.example.alert+json")).isTrue();
        assertThat(CloudEventsAdapter.isJson("text/json")).isTrue();
        assertThat(CloudEventsAdapter.isJson("application/xml")).isFalse();
        assertThat(CloudEventsAdapter.isJson("json")).isFalse();
    }

    private InvalidPayloadException reject(Webhook webhook) {
        InvalidPayloadException e = catchThrowableOfType(InvalidPayloadException.class, () -> adapter.parse(webhook));
        assertThat(e).as("the webhook must be rejected").isNotNull();
        return e;
    }

    private static Webhook structured(byte[] body) {
        return Webhook.of("cloudevents", "application/cloudevents+json; charset=UTF-8", body);
    }

    private static Webhook batch(byte[] body) {
        return Webhook.of("cloudevents", "application/cloudevents-batch+json", body);
    }

    /** The attributes of the structured fixture, as the binding maps them to headers. */
    private static Map<String, List<String>> binaryHeaders(String contentType) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put("Content-Type", List.of(contentType));
        headers.put("ce-specversion", List.of("1.0"));
        headers.put("ce-id", List.of("8d3f6c1e-2b7a-4c55-9f0e-1a2b3c4d5e6f"));
        headers.put("ce-source", List.of("https://monitor.example.net/checks"));
        headers.put("ce-type", List.of("net.example.monitor.alert"));
        headers.put("ce-subject", List.of("checkout"));
        headers.put("ce-time", List.of("2026-11-26T10:18:41.203Z"));
        return headers;
    }

    private static Webhook binary(byte[] body, String contentType) {
        return new Webhook("cloudevents", binaryHeaders(contentType), body, Map.of());
    }

    private static JsonNode treeOf(byte[] json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
