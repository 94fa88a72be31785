package io.reflex.ingest.alertmanager;

import static io.reflex.ingest.TestFixtures.FROM_RULE;
import static io.reflex.ingest.TestFixtures.VIA_API;
import static io.reflex.ingest.TestFixtures.bytes;
import static io.reflex.ingest.TestFixtures.toBytes;
import static io.reflex.ingest.TestFixtures.tree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.reflex.ingest.Fingerprints;
import io.reflex.ingest.InvalidPayloadException;
import io.reflex.ingest.ResourceMapper;
import io.reflex.model.AlertEvent;
import io.reflex.model.AlertStatus;
import io.reflex.model.Resource;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertmanagerAdapterTest {

    private static final Instant NOW = Instant.parse("2026-11-26T10:20:00Z");
    private final AlertmanagerAdapter adapter =
            new AlertmanagerAdapter(new ResourceMapper(), Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void mapsTheAlertOfARealPrometheusRuleNotification() {
        List<AlertEvent> events = adapter.parse(bytes(FROM_RULE));

        Instant startsAt = Instant.parse("2026-11-26T10:18:40.947Z");
        assertThat(events).containsExactly(new AlertEvent(
                AlertEvent.idFor("alertmanager", "dac487595491f970", startsAt, AlertStatus.FIRING),
                "alertmanager",
                "HighCPU",
                AlertStatus.FIRING,
                "critical",
                new Resource("host", "web-1", null, "web-1"),
                Map.of("alertname", "HighCPU", "host", "web-1", "severity", "critical"),
                Map.of("runbook", "restart", "summary", "CPU high on web-1"),
                startsAt,
                null,
                NOW,
                "dac487595491f970",
                null));
        assertThat(events.get(0).resource().key()).isEqualTo("host:web-1");
    }

    @Test
    void mapsTheAlertOfARealApiPostedNotificationKeepingNanoseconds() {
        AlertEvent event = adapter.parse(bytes(VIA_API)).get(0);

        Instant startsAt = Instant.parse("2026-11-26T10:19:05.644575091Z");
        assertThat(event.id()).isEqualTo(AlertEvent.idFor("alertmanager", "9922ee9b4de0ea01", startsAt, AlertStatus.FIRING));
        assertThat(event.source()).isEqualTo("alertmanager");
        assertThat(event.name()).isEqualTo("DiskFull");
        assertThat(event.status()).isEqualTo(AlertStatus.FIRING);
        assertThat(event.severity()).isEqualTo("warning");
        assertThat(event.resource()).isEqualTo(new Resource("host", "db-1", null, "db-1"));
        assertThat(event.labels()).isEqualTo(Map.of("alertname", "DiskFull", "host", "db-1", "severity", "warning"));
        assertThat(event.annotations()).isEqualTo(Map.of("summary", "disk 95%"));
        assertThat(event.startsAt()).isEqualTo(startsAt);
        assertThat(event.startsAt().getNano()).isEqualTo(644_575_091);
        assertThat(event.endsAt()).as("Go's zero time means no end").isNull();
        assertThat(event.receivedAt()).isEqualTo(NOW);
        assertThat(event.fingerprint()).isEqualTo("9922ee9b4de0ea01");
        assertThat(event.drillId()).isNull();
    }

    @Test
    void mapsAResolvedAlertWithItsEndAndADifferentIdThanItsFiring() {
        ObjectNode body = tree(FROM_RULE);
        ObjectNode alert = (ObjectNode) body.withArray("alerts").get(0);
        alert.put("status", "resolved");
        alert.put("endsAt", "2026-11-26T10:25:40.947Z");

        AlertEvent resolved = adapter.parse(toBytes(body)).get(0);
        AlertEvent firing = adapter.parse(bytes(FROM_RULE)).get(0);

        assertThat(resolved.status()).isEqualTo(AlertStatus.RESOLVED);
        assertThat(resolved.endsAt()).isEqualTo(Instant.parse("2026-11-26T10:25:40.947Z"));
        assertThat(resolved.startsAt()).isEqualTo(firing.startsAt());
        assertThat(resolved.fingerprint()).isEqualTo(firing.fingerprint());
        assertThat(resolved.id()).isEqualTo(AlertEvent.idFor("alertmanager", "dac487595491f970",
                Instant.parse("2026-11-26T10:18:40.947Z"), AlertStatus.RESOLVED)).isNotEqualTo(firing.id());
    }

    @Test
    void theSameNotificationDeliveredTwiceGivesTheSameIds() {
        AlertmanagerAdapter later = new AlertmanagerAdapter(new ResourceMapper(),
                Clock.fixed(NOW.plusSeconds(300), ZoneOffset.UTC));

        assertThat(later.parse(bytes(FROM_RULE)).get(0).id()).isEqualTo(adapter.parse(bytes(FROM_RULE)).get(0).id());
    }

    @Test
    void givesOneEventPerAlertOfAGroupInOrder() {
        ObjectNode body = tree(FROM_RULE);
        ArrayNode alerts = body.withArray("alerts");
        ObjectNode second = alerts.get(0).deepCopy();
        ((ObjectNode) second.get("labels")).put("host", "web-2");
        second.put("fingerprint", "0000000000000002");
        alerts.add(second);

        List<AlertEvent> events = adapter.parse(toBytes(body));

        assertThat(events).extracting(e -> e.resource().key()).containsExactly("host:web-1", "host:web-2");
        assertThat(events).extracting(AlertEvent::fingerprint).containsExactly("dac487595491f970", "0000000000000002");
    }

    @Test
    void computesAStableFingerprintFromTheLabelsWhenAbsent() {
        ObjectNode body = tree(FROM_RULE);
        ((ObjectNode) body.withArray("alerts").get(0)).remove("fingerprint");
        ObjectNode reordered = tree(FROM_RULE);
        ObjectNode alert = (ObjectNode) reordered.withArray("alerts").get(0);
        alert.remove("fingerprint");
        alert.set("labels", alert.objectNode().put("severity", "critical").put("host", "web-1").put("alertname", "HighCPU"));

        AlertEvent event = adapter.parse(toBytes(body)).get(0);

        assertThat(event.fingerprint())
                .isEqualTo(Fingerprints.ofLabels(Map.of("alertname", "HighCPU", "host", "web-1", "severity", "critical")))
                .matches("[0-9a-f]{16}")
                .isEqualTo(adapter.parse(toBytes(reordered)).get(0).fingerprint());
        assertThat(event.id()).isEqualTo(AlertEvent.idFor("alertmanager", event.fingerprint(), event.startsAt(),
                AlertStatus.FIRING));
    }

    @Test
    void acceptsAnAlertWithoutAnnotationsOrSeverity() {
        ObjectNode body = tree(FROM_RULE);
        ObjectNode alert = (ObjectNode) body.withArray("alerts").get(0);
        alert.remove("annotations");
        ((ObjectNode) alert.get("labels")).remove("severity");

        AlertEvent event = adapter.parse(toBytes(body)).get(0);

        assertThat(event.annotations()).isEmpty();
        assertThat(event.severity()).isNull();
    }

    @Test
    void rejectsAMissingAlertnameWith422NamingTheField() {
        ObjectNode body = tree(FROM_RULE);
        ((ObjectNode) body.withArray("alerts").get(0).get("labels")).remove("alertname");

        InvalidPayloadException e = reject(toBytes(body));

        assertThat(e.httpStatus()).isEqualTo(422);
        assertThat(e.details()).containsExactly("alerts[0].labels.alertname: missing");
        assertThat(e.toApiError().error()).isEqualTo("invalid_payload");
        assertThat(e.toApiError().details()).containsExactly("alerts[0].labels.alertname: missing");
        assertThat(e.alertCount()).isEqualTo(1);
    }

    @Test
    void rejectsAStatusOtherThanFiringOrResolved() {
        ObjectNode body = tree(FROM_RULE);
        ((ObjectNode) body.withArray("alerts").get(0)).put("status", "pending");

        assertThat(reject(toBytes(body)).details())
                .containsExactly("alerts[0].status: expected \"firing\" or \"resolved\", got \"pending\"");
    }

    @Test
    void rejectsLabelsGivenAsAList() {
        ObjectNode body = tree(FROM_RULE);
        ObjectNode alert = (ObjectNode) body.withArray("alerts").get(0);
        alert.putArray("labels").add("alertname=HighCPU");

        InvalidPayloadException e = reject(toBytes(body));

        assertThat(e.httpStatus()).isEqualTo(422);
        assertThat(e.details()).containsExactly("alerts[0].labels: expected an object of strings, got an array");
    }

    @Test
    void rejectsALabelValueThatIsNotAString() {
        ObjectNode body = tree(FROM_RULE);
        ((ObjectNode) body.withArray("alerts").get(0).get("labels")).put("port", 8080);

        assertThat(reject(toBytes(body)).details()).containsExactly("alerts[0].labels.port: expected a string, got a number");
    }

    @Test
    void rejectsAVersionOtherThan4() {
        ObjectNode body = tree(FROM_RULE);
        body.put("version", "3");

        InvalidPayloadException e = reject(toBytes(body));

        assertThat(e.httpStatus()).isEqualTo(422);
        assertThat(e.details()).singleElement().asString().startsWith("version: expected \"4\", got \"3\"");
    }

    @Test
    void rejectsAVersionGivenAsANumber() {
        ObjectNode body = tree(FROM_RULE);
        body.put("version", 4);

        assertThat(reject(toBytes(body)).details()).singleElement().asString().startsWith("version: expected \"4\", got 4");
    }

    @Test
    void rejectsAnEmptyAlertListBecauseThereIsNothingToStore() {
        ObjectNode body = tree(FROM_RULE);
        body.putArray("alerts");

        InvalidPayloadException e = reject(toBytes(body));

        assertThat(e.httpStatus()).isEqualTo(422);
        assertThat(e.details()).containsExactly("alerts: empty; expected at least one alert");
        assertThat(e.alertCount()).isZero();
    }

    @Test
    void collectsEveryProblemOfEveryAlertWithItsPath() {
        ObjectNode body = tree(FROM_RULE);
        body.remove("version");
        ArrayNode alerts = body.withArray("alerts");
        ObjectNode second = alerts.get(0).deepCopy();
        second.put("startsAt", "yesterday");
        second.put("endsAt", 12);
        alerts.add(second);
        ((ObjectNode) alerts.get(0).get("labels")).remove("alertname");
        alerts.add("not an alert");

        InvalidPayloadException e = reject(toBytes(body));

        assertThat(e.httpStatus()).isEqualTo(422);
        assertThat(e.alertCount()).isEqualTo(3);
        assertThat(e.details()).containsExactly(
                "version: missing; expected \"4\"",
                "alerts[0].labels.alertname: missing",
                "alerts[1].startsAt: not an RFC 3339 time: \"yesterday\" (expected e.g. 2026-11-26T10:18:40.947Z)",
                "alerts[1].endsAt: not an RFC 3339 time: expected a string, got a number",
                "alerts[2]: expected an object, got a string");
        assertThat(e.toApiError().message()).contains("5 problems").contains("nothing was stored");
    }

    @Test
    void rejectsATimeWithoutOffsetAsNotRfc3339() {
        ObjectNode body = tree(FROM_RULE);
        ((ObjectNode) body.withArray("alerts").get(0)).put("startsAt", "2026-11-26T10:18:40");

        assertThat(reject(toBytes(body)).details()).singleElement().asString()
                .startsWith("alerts[0].startsAt: not an RFC 3339 time");
    }

    @Test
    void acceptsATimeWithAnOffset() {
        ObjectNode body = tree(FROM_RULE);
        ((ObjectNode) body.withArray("alerts").get(0)).put("startsAt", "2026-11-26T11:18:40.947+01:00");

        assertThat(adapter.parse(toBytes(body)).get(0).startsAt()).isEqualTo(Instant.parse("2026-11-26T10:18:40.947Z"));
    }

    @Test
    void rejectsMalformedJsonWith400AndItsPosition() {
        InvalidPayloadException e = reject("{\"version\": \"4\",\n  \"alerts\": [}".getBytes(StandardCharsets.UTF_8));

        assertThat(e.httpStatus()).isEqualTo(400);
        assertThat(e.toApiError().error()).isEqualTo("malformed_json");
        // Line 2: two spaces, "alerts" (8), a colon, a space and [ take columns 1-13; the stray } is column 14.
        assertThat(e.details()).containsExactly("body: not valid JSON (line 2, column 14)");
    }

    @Test
    void rejectsTrailingGarbageAsMalformed() {
        InvalidPayloadException e = reject("{\"version\": \"4\"} x".getBytes(StandardCharsets.UTF_8));

        assertThat(e.httpStatus()).isEqualTo(400);
        assertThat(e.details()).singleElement().asString().startsWith("body: not valid JSON (line 1, column ");
    }

    @Test
    void rejectsRepeatedKeysAsMalformed() {
        InvalidPayloadException e = reject("{\"version\": \"4\", \"version\": \"3\"}".getBytes(StandardCharsets.UTF_8));

        assertThat(e.httpStatus()).isEqualTo(400);
    }

    @Test
    void rejectsAnEmptyBodyWith400() {
        InvalidPayloadException e = reject(new byte[0]);

        assertThat(e.httpStatus()).isEqualTo(400);
        assertThat(e.details()).containsExactly("body: empty; expected a JSON object");
    }

    @Test
    void rejectsJsonThatIsNotAnObjectWith422() {
        InvalidPayloadException e = reject("[1, 2]".getBytes(StandardCharsets.UTF_8));

        assertThat(e.httpStatus()).isEqualTo(422);
        assertThat(e.details()).containsExactly("body: expected a JSON object, got an array");
    }

    private InvalidPayloadException reject(byte[] body) {
        InvalidPayloadException e = catchThrowableOfType(InvalidPayloadException.class, () -> adapter.parse(body));
        assertThat(e).as("the body must be rejected").isNotNull();
        return e;
    }
}
