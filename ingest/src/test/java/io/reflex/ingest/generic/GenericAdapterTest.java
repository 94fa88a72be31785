package io.reflex.ingest.generic;

import static io.reflex.ingest.TestFixtures.bytes;
import static io.reflex.ingest.TestFixtures.toBytes;
import static io.reflex.ingest.TestFixtures.tree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.reflex.ingest.Fingerprints;
import io.reflex.ingest.InvalidPayloadException;
import io.reflex.ingest.ResourceMapper;
import io.reflex.ingest.source.Webhook;
import io.reflex.model.AlertEvent;
import io.reflex.model.AlertStatus;
import io.reflex.model.Resource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The example mappings under fixtures/generic, with bodies as Datadog's webhook integration and a
 * Zabbix webhook media type send them (each YAML file holds the sender-side template). Neither
 * tool can run here, so the bodies are those templates filled in as the tools document their
 * variables and macros.
 */
class GenericAdapterTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Instant NOW = Instant.parse("2026-11-26T10:40:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    private static final String DATADOG_TRIGGERED = "fixtures/generic/datadog-triggered.json";
    private static final String DATADOG_RECOVERED = "fixtures/generic/datadog-recovered.json";
    private static final String ZABBIX_PROBLEM = "fixtures/generic/zabbix-problem.json";
    private static final String ZABBIX_RESOLVED = "fixtures/generic/zabbix-resolved.json";

    private final GenericAdapter datadog = adapter("datadog", mapping("fixtures/generic/datadog.yaml"));
    private final GenericAdapter zabbix = adapter("zabbix", mapping("fixtures/generic/zabbix.yaml"));

    @Test
    void mapsATriggeredDatadogMonitorToAFiringAlertOnTheHost() {
        List<AlertEvent> events = datadog.parse(Webhook.of("datadog", "application/json", bytes(DATADOG_TRIGGERED)));

        Instant date = Instant.parse("2026-11-26T10:18:40Z");
        assertThat(events).containsExactly(new AlertEvent(
                AlertEvent.idFor("datadog", "7512946359082437851", date, AlertStatus.FIRING),
                "datadog",
                "High CPU on web-1",
                AlertStatus.FIRING,
                "P2",
                new Resource("host", "web-1", null, "web-1"),
                Map.of("env", "prod", "host", "web-1", "team", "payments", "datadog_monitor_id", "148237609",
                        "alertname", "High CPU on web-1", "severity", "P2"),
                Map.of("summary", "system.cpu.user over host:web-1 was > 90.0 on average during the last 5m.",
                        "query", "avg(last_5m):avg:system.cpu.user{env:prod} by {host} > 90",
                        "link", "https://app.datadoghq.com/event/event?id=7512946359082437851"),
                date,
                null,
                NOW,
                "7512946359082437851",
                null));
        assertThat(datadog.source()).isEqualTo("datadog");
    }

    @Test
    void mapsADatadogRecoveryToTheSameSeriesAndName() {
        AlertEvent triggered = datadog.parse(bytes(DATADOG_TRIGGERED)).get(0);
        AlertEvent recovered = datadog.parse(bytes(DATADOG_RECOVERED)).get(0);

        assertThat(recovered.status()).isEqualTo(AlertStatus.RESOLVED);
        assertThat(recovered.name()).as("namePattern strips [Recovered on …]").isEqualTo(triggered.name());
        assertThat(recovered.fingerprint()).isEqualTo(triggered.fingerprint());
        assertThat(recovered.resource()).isEqualTo(triggered.resource());
        assertThat(recovered.endsAt()).isEqualTo("2026-11-26T10:33:40Z");
        assertThat(recovered.id()).isNotEqualTo(triggered.id());
    }

    @Test
    void mapsAZabbixProblemInTheServersTimeZoneIgnoringTheUnexpandedRecoveryMacros() {
        AlertEvent problem = zabbix.parse(bytes(ZABBIX_PROBLEM)).get(0);

        Instant started = Instant.parse("2026-11-26T10:18:40Z");
        assertThat(problem).isEqualTo(new AlertEvent(
                AlertEvent.idFor("zabbix", "8812345", started, AlertStatus.FIRING),
                "zabbix",
                "High CPU utilization (over 90% for 5m)",
                AlertStatus.FIRING,
                "High",
                new Resource("host", "web-1", null, "web-1"),
                Map.of("scope", "performance", "component", "cpu", "class", "os", "host", "web-1",
                        "zabbix_trigger_id", "23661", "monitor", "zabbix",
                        "alertname", "High CPU utilization (over 90% for 5m)", "severity", "High"),
                Map.of("description", "CPU utilization is too high. The system might be slow to respond.",
                        "last_value", "97.3 %", "host_ip", "10.0.4.21"),
                started,
                null,
                NOW,
                "8812345",
                null));
    }

    @Test
    void mapsAZabbixRecoveryToTheSameProblemWithItsEnd() {
        AlertEvent problem = zabbix.parse(bytes(ZABBIX_PROBLEM)).get(0);
        AlertEvent resolved = zabbix.parse(bytes(ZABBIX_RESOLVED)).get(0);

        assertThat(resolved.status()).isEqualTo(AlertStatus.RESOLVED);
        assertThat(resolved.startsAt()).isEqualTo(problem.startsAt());
        assertThat(resolved.endsAt()).isEqualTo("2026-11-26T10:33:40Z");
        assertThat(resolved.id()).isEqualTo(AlertEvent.idFor("zabbix", "8812345", problem.startsAt(),
                AlertStatus.RESOLVED));
    }

    @Test
    void theSameDeliveryTwiceGivesTheSameIds() {
        GenericAdapter laterDatadog = new GenericAdapter("datadog", datadog.mapping(), new ResourceMapper(),
                Clock.fixed(NOW.plusSeconds(90), ZoneOffset.UTC));
        GenericAdapter laterZabbix = new GenericAdapter("zabbix", zabbix.mapping(), new ResourceMapper(),
                Clock.fixed(NOW.plusSeconds(90), ZoneOffset.UTC));

        assertThat(laterDatadog.parse(bytes(DATADOG_TRIGGERED)).get(0).id())
                .isEqualTo(datadog.parse(bytes(DATADOG_TRIGGERED)).get(0).id());
        assertThat(laterZabbix.parse(bytes(ZABBIX_RESOLVED)).get(0).id())
                .isEqualTo(zabbix.parse(bytes(ZABBIX_RESOLVED)).get(0).id());
    }

    @Test
    void theDefaultMappingReadsReflexsOwnShapeAndHashesTheLabels() {
        GenericAdapter app = adapter("shop", GenericMapping.defaults());
        byte[] body = """
                {"name": "OrdersStuck", "status": "FIRING", "severity": "critical",
                 "startsAt": 1795688320, "labels": {"service": "orders", "replicas": 3, "canary": false},
                 "annotations": {"summary": "no order completed in 10m"}}
                """.getBytes(StandardCharsets.UTF_8);

        AlertEvent event = app.parse(body).get(0);

        assertThat(event.source()).isEqualTo("shop");
        assertThat(event.status()).as("statusValues match ignoring case").isEqualTo(AlertStatus.FIRING);
        assertThat(event.startsAt()).as("epoch seconds").isEqualTo("2026-11-26T10:18:40Z");
        assertThat(event.labels()).isEqualTo(Map.of("service", "orders", "replicas", "3", "canary", "false",
                "alertname", "OrdersStuck", "severity", "critical"));
        assertThat(event.resource().key()).isEqualTo("service:orders");
        assertThat(event.fingerprint()).isEqualTo(Fingerprints.of("shop", event.labels()));
        assertThat(event.annotations()).isEqualTo(Map.of("summary", "no order completed in 10m"));
    }

    @Test
    void readsEveryAlertOfAnArrayAndNamesTheElementOfEachProblem() {
        GenericMapping mapping = mapping("""
                alerts: $.data.alerts
                name: $.title
                startsAt: $.since
                fingerprint: $.key
                tags: $.tags
                """);
        GenericAdapter app = adapter("uptime", mapping);
        byte[] body = """
                {"data": {"alerts": [
                  {"title": "SiteDown", "status": "firing", "since": "2026-11-26T10:18:40+01:00", "key": "a1",
                   "tags": ["service:shop", "region:eu"]},
                  {"status": "resolved", "since": "2026-11-26T09:00:00Z", "endsAt": "later", "key": "a2"},
                  {"title": "CertExpiring", "status": "paused", "since": "2026-11-26T09:00:00Z", "tags": [7]},
                  "oops"
                ]}}
                """.getBytes(StandardCharsets.UTF_8);

        InvalidPayloadException e = catchThrowableOfType(InvalidPayloadException.class, () -> app.parse(body));

        assertThat(e.httpStatus()).isEqualTo(422);
        assertThat(e.alertCount()).isEqualTo(4);
        assertThat(e.details()).containsExactly(
                "$.data.alerts[1].title: missing; expected a string (mapping key name)",
                "$.data.alerts[1].endsAt: not an RFC 3339 time such as 2026-11-26T10:18:40Z or Unix epoch seconds or "
                        + "milliseconds: \"later\" (mapping key endsAt)",
                "$.data.alerts[2].status: \"paused\" is not a known status; expected one of firing, resolved "
                        + "(mapping key statusValues)",
                "$.data.alerts[2].key: missing; expected a string (mapping key fingerprint)",
                "$.data.alerts[2].tags[0]: expected a \"key:value\" string, got a number (mapping key tags)",
                "$.data.alerts[3]: expected an object, got a string");
        assertThat(e.toApiError().message()).contains("generic source uptime").contains("nothing was stored");

        List<AlertEvent> good = app.parse("""
                {"data": {"alerts": [{"title": "SiteDown", "status": "firing", "since": "2026-11-26T10:18:40+01:00",
                  "key": "a1", "tags": ["service:shop", "region:eu"]}]}}
                """.getBytes(StandardCharsets.UTF_8));
        assertThat(good).singleElement().satisfies(alert -> {
            assertThat(alert.startsAt()).isEqualTo("2026-11-26T09:18:40Z");
            assertThat(alert.fingerprint()).isEqualTo("a1");
            assertThat(alert.resource().key()).isEqualTo("service:shop");
        });
    }

    @Test
    void namesTheConfiguredPathOfEveryMissingOrMalformedField() {
        ObjectNode body = tree(DATADOG_TRIGGERED);
        body.remove("alert_title");
        body.put("transition", "Paused");
        body.put("date", "yesterday");
        body.remove("cycle_key");
        body.putObject("hostname").put("name", "web-1");

        InvalidPayloadException e = catchThrowableOfType(InvalidPayloadException.class,
                () -> datadog.parse(toBytes(body)));

        assertThat(e.httpStatus()).isEqualTo(422);
        assertThat(e.details()).containsExactly(
                "$.alert_title: missing; expected a string (mapping key name)",
                "$.transition: \"Paused\" is not a known status; expected one of Triggered, Re-Triggered, Warn, "
                        + "Re-Warn, No Data, Re-No Data, Renotify, Recovered (mapping key statusValues)",
                "$.date: not an RFC 3339 time such as 2026-11-26T10:18:40Z or Unix epoch seconds or milliseconds: "
                        + "\"yesterday\" (mapping key startsAt)",
                "$.cycle_key: missing; expected a string (mapping key fingerprint)",
                "$.hostname: expected a string, number or boolean, got an object (mapping key labelPaths.host)");
    }

    @Test
    void rejectsAZabbixTimeThatIsNotInTheConfiguredFormat() {
        ObjectNode body = tree(ZABBIX_PROBLEM);
        body.put("event_started", "2026-11-26T10:18:40Z");

        assertThat(catchThrowableOfType(InvalidPayloadException.class, () -> zabbix.parse(toBytes(body))).details())
                .containsExactly("$.event_started: not a time like \"yyyy.MM.dd HH:mm:ss\" or Unix epoch seconds or "
                        + "milliseconds: \"2026-11-26T10:18:40Z\" (mapping key startsAt)");
    }

    @Test
    void aNameThatDoesNotMatchTheNamePatternIsKeptWhole() {
        ObjectNode body = tree(DATADOG_TRIGGERED);
        body.put("alert_title", "High CPU on web-1");

        assertThat(datadog.parse(toBytes(body)).get(0).name()).isEqualTo("High CPU on web-1");
    }

    @Test
    void rejectsAnArrayWhenTheMappingExpectsOneAlertAndAMissingOrEmptyAlertList() {
        InvalidPayloadException single = catchThrowableOfType(InvalidPayloadException.class,
                () -> datadog.parse("[{}]".getBytes(StandardCharsets.UTF_8)));
        assertThat(single.details()).containsExactly(
                "$: expected a JSON object (one alert), got an array; set the mapping key alerts to the path of the array");

        GenericAdapter list = adapter("list", mapping("alerts: $.alerts"));
        assertThat(catchThrowableOfType(InvalidPayloadException.class,
                () -> list.parse("{}".getBytes(StandardCharsets.UTF_8))).details())
                .containsExactly("$.alerts: missing; expected an array of alerts (mapping key alerts)");
        assertThat(catchThrowableOfType(InvalidPayloadException.class,
                () -> list.parse("{\"alerts\": []}".getBytes(StandardCharsets.UTF_8))).details())
                .containsExactly("$.alerts: empty; expected at least one alert (mapping key alerts)");
        assertThat(catchThrowableOfType(InvalidPayloadException.class,
                () -> list.parse("{\"alerts\": {}}".getBytes(StandardCharsets.UTF_8))).details())
                .containsExactly("$.alerts: expected an array of alerts, got an object (mapping key alerts)");
    }

    @Test
    void rejectsMalformedJsonWith400() {
        InvalidPayloadException e = catchThrowableOfType(InvalidPayloadException.class,
                () -> zabbix.parse("{\"event_id\": 88".getBytes(StandardCharsets.UTF_8)));

        assertThat(e.httpStatus()).isEqualTo(400);
        assertThat(e.toApiError().error()).isEqualTo("malformed_json");
    }

    @Test
    void refusesAnInvalidSourceNameOrMappingAtConstruction() {
        assertThatThrownBy(() -> adapter("Data Dog", mapping("name: '$.a['")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("generic.Data Dog: \"Data Dog\" is not a valid generic source name")
                .hasMessageContaining("generic.Data Dog.name: invalid path");
        assertThat(GenericAdapter.problems("zabbix", null, "ingest.generic.zabbix"))
                .containsExactly("ingest.generic.zabbix: empty; give at least name, status and startsAt, or {} for the "
                        + "defaults");
        assertThat(GenericAdapter.problems("zabbix", zabbix.mapping(), "ingest.generic.zabbix")).isEmpty();
    }

    private static GenericAdapter adapter(String source, GenericMapping mapping) {
        return new GenericAdapter(source, mapping, new ResourceMapper(), CLOCK);
    }

    private static GenericMapping mapping(String yamlOrResource) {
        byte[] text = yamlOrResource.endsWith(".yaml") ? bytes(yamlOrResource)
                : yamlOrResource.getBytes(StandardCharsets.UTF_8);
        try {
            return YAML.readValue(text, GenericMapping.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
