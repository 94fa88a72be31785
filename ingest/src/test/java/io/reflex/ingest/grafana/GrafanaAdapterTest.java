package io.reflex.ingest.grafana;

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
import io.reflex.ingest.alertmanager.AlertmanagerAdapter;
import io.reflex.ingest.source.Webhook;
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

/**
 * Grafana has no Debian package on this machine, so its notifications cannot be captured from a
 * running Grafana as Alertmanager's are. The fixtures are built field by field from the payload
 * Grafana documents for its webhook contact point ("Webhook JSON payload", version 1) and from
 * the notifier's source (grafana/alerting: receivers/webhook, templates/template_data.go), which
 * adds {@code values}, {@code valueString}, the URLs and the per-alert {@code orgId}.
 */
class GrafanaAdapterTest {

    private static final String FIRING = "fixtures/grafana/firing-with-values.json";
    private static final String RESOLVED = "fixtures/grafana/resolved.json";
    private static final Instant NOW = Instant.parse("2026-11-26T10:20:00Z");
    private static final String BASE = "http://grafana.example.net:3000";

    private final GrafanaAdapter adapter = new GrafanaAdapter(new ResourceMapper(), Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void mapsEachAlertOfAFiringNotificationWithItsValuesAndLinks() {
        List<AlertEvent> events = adapter.parse(Webhook.of("grafana", "application/json", bytes(FIRING)));

        Instant startsAt = Instant.parse("2026-11-26T10:18:40.947Z");
        String dashboard = BASE + "/d/node-overview?from=1795684720947&orgId=1&to=1795688400000";
        assertThat(events).hasSize(2);
        assertThat(events.get(0)).isEqualTo(new AlertEvent(
                AlertEvent.idFor("grafana", "6f1a2b3c4d5e6f70", startsAt, AlertStatus.FIRING),
                "grafana",
                "HighCPU",
                AlertStatus.FIRING,
                "critical",
                new Resource("host", "web-1", null, "web-1"),
                Map.of("alertname", "HighCPU", "grafana_folder", "Infrastructure", "host", "web-1",
                        "severity", "critical"),
                Map.of("runbook_url", "https://runbooks.example.net/cpu",
                        "summary", "CPU above 90% on web-1",
                        "grafana.values", "{\"A\":97.31,\"C\":1}",
                        "grafana.valueString",
                        "[ var='A' labels={host=web-1} value=97.31 ], [ var='C' labels={host=web-1} value=1 ]",
                        "grafana.generatorURL", BASE + "/alerting/grafana/fe2kx7q1a9c00d/view?orgId=1",
                        "grafana.silenceURL", BASE + "/alerting/silence/new?alertmanager=grafana"
                                + "&matcher=__alert_rule_uid__%3Dfe2kx7q1a9c00d&matcher=host%3Dweb-1"
                                + "&matcher=severity%3Dcritical&orgId=1",
                        "grafana.dashboardURL", dashboard,
                        "grafana.panelURL", dashboard + "&viewPanel=4",
                        "grafana.orgId", "1"),
                startsAt,
                null,
                NOW,
                "6f1a2b3c4d5e6f70",
                null));
        assertThat(events.get(0).startsAt()).as("+01:00 offset converted").isEqualTo("2026-11-26T10:18:40.947Z");
        assertThat(events.get(1).resource().key()).isEqualTo("host:web-2");
        assertThat(events.get(1).fingerprint()).isEqualTo("b27c5e01d4a9f388");
        assertThat(events.get(1).annotations()).containsEntry("grafana.values", "{\"A\":93.8,\"C\":1}");
    }

    @Test
    void mapsAResolvedNotificationToTheSameSeriesWithItsEnd() {
        AlertEvent firing = adapter.parse(bytes(FIRING)).get(0);
        AlertEvent resolved = adapter.parse(bytes(RESOLVED)).get(0);

        assertThat(resolved.status()).isEqualTo(AlertStatus.RESOLVED);
        assertThat(resolved.endsAt()).isEqualTo("2026-11-26T10:31:40.947Z");
        assertThat(resolved.startsAt()).isEqualTo(firing.startsAt());
        assertThat(resolved.fingerprint()).isEqualTo(firing.fingerprint());
        assertThat(resolved.resource()).isEqualTo(firing.resource());
        assertThat(resolved.id()).isEqualTo(AlertEvent.idFor("grafana", "6f1a2b3c4d5e6f70",
                Instant.parse("2026-11-26T10:18:40.947Z"), AlertStatus.RESOLVED)).isNotEqualTo(firing.id());
        assertThat(resolved.annotations()).containsEntry("grafana.values", "{\"A\":41.02,\"C\":0}");
    }

    @Test
    void theSameNotificationDeliveredTwiceGivesTheSameIds() {
        GrafanaAdapter later = new GrafanaAdapter(new ResourceMapper(), Clock.fixed(NOW.plusSeconds(300), ZoneOffset.UTC));

        assertThat(later.parse(bytes(FIRING))).extracting(AlertEvent::id)
                .containsExactlyElementsOf(adapter.parse(bytes(FIRING)).stream().map(AlertEvent::id).toList())
                .doesNotHaveDuplicates();
    }

    @Test
    void leavesOutEmptyLinksAndNullValuesAsGrafanaSendsThemWithoutADashboard() {
        ObjectNode body = tree(FIRING);
        ObjectNode alert = (ObjectNode) body.withArray("alerts").get(0);
        alert.put("dashboardURL", "");
        alert.put("panelURL", "");
        alert.putNull("values");
        alert.put("valueString", "");
        alert.remove("orgId");
        body.put("orgId", 7);

        AlertEvent event = adapter.parse(toBytes(body)).get(0);

        assertThat(event.annotations()).doesNotContainKeys("grafana.dashboardURL", "grafana.panelURL",
                "grafana.values", "grafana.valueString");
        assertThat(event.annotations()).containsEntry("grafana.orgId", "7").containsKey("grafana.silenceURL");
    }

    @Test
    void surfacesTruncatedAlertsOnEveryAlertThatCame() {
        ObjectNode body = tree(FIRING);
        body.put("truncatedAlerts", 3);

        assertThat(adapter.parse(toBytes(body)))
                .allSatisfy(e -> assertThat(e.annotations()).containsEntry(AlertmanagerAdapter.TRUNCATED_ANNOTATION, "3"));
    }

    @Test
    void computesAFingerprintFromTheLabelsWhenGrafanaSendsNone() {
        ObjectNode body = tree(FIRING);
        ((ObjectNode) body.withArray("alerts").get(0)).remove("fingerprint");

        AlertEvent event = adapter.parse(toBytes(body)).get(0);

        assertThat(event.fingerprint()).isEqualTo(Fingerprints.ofLabels(event.labels()));
        assertThat(event.id()).isEqualTo(AlertEvent.idFor("grafana", event.fingerprint(), event.startsAt(),
                AlertStatus.FIRING));
    }

    @Test
    void collectsEveryProblemWithItsPath() {
        ObjectNode body = tree(FIRING);
        body.put("version", "4");
        body.put("orgId", "1");
        ArrayNode alerts = body.withArray("alerts");
        ObjectNode first = (ObjectNode) alerts.get(0);
        first.put("status", "pending");
        ((ObjectNode) first.get("values")).put("B", "high");
        first.put("silenceURL", 42);
        ObjectNode second = (ObjectNode) alerts.get(1);
        ((ObjectNode) second.get("labels")).remove("alertname");
        second.put("startsAt", "0001-01-01T00:00:00Z");
        alerts.add(17);

        InvalidPayloadException e = reject(toBytes(body));

        assertThat(e.httpStatus()).isEqualTo(422);
        assertThat(e.alertCount()).isEqualTo(3);
        assertThat(e.details()).containsExactly(
                "version: expected \"1\", got \"4\"; only Grafana's default webhook payload (version 1) is understood",
                "orgId: expected a whole number, got a string",
                "alerts[0].status: expected \"firing\" or \"resolved\", got \"pending\"",
                "alerts[0].values.B: expected a number, got a string",
                "alerts[0].silenceURL: expected a string, got a number",
                "alerts[1].labels.alertname: missing",
                "alerts[1].startsAt: is Go's zero time \"0001-01-01T00:00:00Z\"; expected when the alert started",
                "alerts[2]: expected an object, got a number");
        assertThat(e.toApiError().message()).contains("Grafana alerting webhook payload").contains("nothing was stored");
    }

    @Test
    void rejectsAMissingVersionAndMissingAlerts() {
        ObjectNode body = tree(FIRING);
        body.remove("version");
        body.remove("alerts");

        assertThat(reject(toBytes(body)).details()).containsExactly("version: missing; expected \"1\"",
                "alerts: missing; expected a list of alerts");
    }

    @Test
    void rejectsAnEmptyAlertList() {
        ObjectNode body = tree(FIRING);
        body.putArray("alerts");

        InvalidPayloadException e = reject(toBytes(body));

        assertThat(e.httpStatus()).isEqualTo(422);
        assertThat(e.details()).containsExactly("alerts: empty; expected at least one alert");
    }

    @Test
    void rejectsMalformedJsonWith400() {
        InvalidPayloadException e = reject("{\"version\": \"1\", \"alerts\": [".getBytes(StandardCharsets.UTF_8));

        assertThat(e.httpStatus()).isEqualTo(400);
        assertThat(e.toApiError().error()).isEqualTo("malformed_json");
        assertThat(e.details()).singleElement().asString().startsWith("body: not valid JSON (line 1, column ");
    }

    @Test
    void rejectsJsonThatIsNotAnObjectWith422() {
        InvalidPayloadException e = reject("[]".getBytes(StandardCharsets.UTF_8));

        assertThat(e.httpStatus()).isEqualTo(422);
        assertThat(e.details()).containsExactly("body: expected a JSON object, got an array");
    }

    private InvalidPayloadException reject(byte[] body) {
        InvalidPayloadException e = catchThrowableOfType(InvalidPayloadException.class, () -> adapter.parse(body));
        assertThat(e).as("the body must be rejected").isNotNull();
        return e;
    }
}
