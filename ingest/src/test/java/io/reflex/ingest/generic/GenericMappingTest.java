package io.reflex.ingest.generic;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.reflex.ingest.TestFixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GenericMappingTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void anEmptyMappingReadsReflexsOwnShape() {
        GenericMapping mapping = yaml("{}");

        assertThat(mapping).isEqualTo(GenericMapping.defaults());
        assertThat(mapping.alerts()).isEmpty();
        assertThat(mapping.name()).isEqualTo("$.name");
        assertThat(mapping.status()).isEqualTo("$.status");
        assertThat(mapping.startsAt()).isEqualTo("$.startsAt");
        assertThat(mapping.labels()).isEqualTo("$.labels");
        assertThat(mapping.fingerprint()).isEmpty();
        assertThat(mapping.statusValues()).isEqualTo(Map.of("firing", "FIRING", "resolved", "RESOLVED"));
        assertThat(mapping.timeZone()).isEqualTo("UTC");
        assertThat(mapping.validate("ingest.generic.app")).isEmpty();
    }

    @Test
    void theDatadogAndZabbixExamplesAreValid() {
        GenericMapping datadog = yaml(TestFixtures.bytes("fixtures/generic/datadog.yaml"));
        GenericMapping zabbix = yaml(TestFixtures.bytes("fixtures/generic/zabbix.yaml"));

        assertThat(datadog.validate("generic.datadog")).isEmpty();
        assertThat(datadog.statusValues()).containsEntry("No Data", "FIRING").containsEntry("Recovered", "RESOLVED");
        assertThat(datadog.labels()).as("\"\" switches a default path off").isEmpty();
        assertThat(zabbix.validate("generic.zabbix")).isEmpty();
        assertThat(zabbix.statusValues()).containsExactly(Map.entry("1", "FIRING"), Map.entry("0", "RESOLVED"));
    }

    @Test
    void reportsEveryProblemWithItsKey() {
        GenericMapping mapping = yaml("""
                alerts: "$.alerts["
                name: ""
                namePattern: "no group"
                startsAt: "$..date"
                statusValues:
                  Triggered: FIRING
                  triggered: RESOLVED
                  OK: fine
                staticLabels:
                  alertname: x
                labelPaths:
                  host: "$.host name"
                annotationPaths:
                  summary: ""
                timeFormat: "yyyy-MM-dd bb"
                timeZone: Mars/Olympus
                """);

        List<String> problems = mapping.validate("generic.x");

        assertThat(problems).hasSize(11);
        assertThat(problems.get(9)).startsWith("generic.x.timeFormat: \"yyyy-MM-dd bb\" is not a java.time pattern: ")
                .endsWith(" (e.g. yyyy.MM.dd HH:mm:ss)");
        assertThat(problems).containsSubsequence(
                "generic.x.alerts: invalid path \"$.alerts[\" at character 9: '[' is not closed",
                "generic.x.name: empty; give the path of the field, e.g. $.title",
                "generic.x.namePattern: has no group; put the part that is the name in ( )",
                "generic.x.startsAt: invalid path \"$..date\" at character 3: expected a member name",
                "generic.x.statusValues.triggered: the same value as \"Triggered\" (values are matched ignoring case)",
                "generic.x.statusValues.OK: \"fine\" is not FIRING or RESOLVED",
                "generic.x.staticLabels.alertname: the alert name comes from the key name; remove it here",
                "generic.x.labelPaths.host: invalid path \"$.host name\" at character 7: expected '.' or '[', got ' '",
                "generic.x.annotationPaths.summary: empty; give the path of the field, e.g. $.title",
                "generic.x.timeZone: \"Mars/Olympus\" is not a time zone (e.g. UTC, Europe/Berlin, +02:00)");
    }

    @Test
    void reportsARegularExpressionThatDoesNotCompile() {
        assertThat(yaml("namePattern: '([a-z'").validate("g")).singleElement().asString()
                .startsWith("g.namePattern: not a regular expression: ");
    }

    private static GenericMapping yaml(String text) {
        return yaml(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static GenericMapping yaml(byte[] text) {
        try {
            return YAML.readValue(text, GenericMapping.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
