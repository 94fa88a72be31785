package io.reflex.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.reflex.ingest.probe.ProbeConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IngestConfigTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()).registerModule(new JavaTimeModule());

    @Test
    void anEmptySectionGivesTheDefaults() throws Exception {
        IngestConfig config = YAML.readValue("{}", IngestConfig.class);

        assertThat(config).isEqualTo(IngestConfig.defaults());
        assertThat(config.maxBodyBytes()).isEqualTo(1_048_576L);
        assertThat(config.probes()).isEmpty();
        assertThat(config.resourceMapping()).isEqualTo(ResourceMapper.DEFAULT_RULES);
        assertThat(config.validate()).isEmpty();
    }

    @Test
    void readsProbesWithHumanDurationsAndDefaults() throws Exception {
        IngestConfig config = YAML.readValue("""
                maxBodyBytes: 65536
                probes:
                  - name: demo-shop
                    url: http://127.0.0.1:18081/health
                    labels: {service: demo-shop}
                  - name: api
                    url: https://api.example/health
                    interval: 500ms
                    timeout: PT2S
                    failureThreshold: 3
                    successThreshold: 2
                    alertName: ApiDown
                    severity: warning
                resourceMapping:
                  - {label: job, kind: service}
                  - {label: deployment, kind: deployment, namespaced: true}
                """, IngestConfig.class);

        assertThat(config.maxBodyBytes()).isEqualTo(65_536L);
        assertThat(config.probes()).containsExactly(
                new ProbeConfig("demo-shop", "http://127.0.0.1:18081/health", Duration.ofSeconds(1), Duration.ofSeconds(1),
                        2, 1, "ServiceDown", "critical", Map.of("service", "demo-shop")),
                new ProbeConfig("api", "https://api.example/health", Duration.ofMillis(500), Duration.ofSeconds(2),
                        3, 2, "ApiDown", "warning", Map.of()));
        assertThat(config.resourceMapping()).containsExactly(ResourceRule.of("job", "service"),
                ResourceRule.namespaced("deployment", "deployment"));
        assertThat(config.validate()).isEmpty();
    }

    @Test
    void reportsEveryProblemAtOnce() throws Exception {
        IngestConfig config = YAML.readValue("""
                maxBodyBytes: 0
                probes:
                  - name: a
                    url: ftp://files.example/x
                    interval: 0s
                    failureThreshold: 0
                  - name: a
                    url: http://ok.example/
                    labels: {service: }
                  - url: http://ok.example/
                resourceMapping:
                  - {label: job, kind: "Service Kind"}
                """, IngestConfig.class);

        assertThat(config.validate()).containsExactly(
                "maxBodyBytes: must be positive, got 0",
                "probes[0].url: \"ftp://files.example/x\" is not an http(s) URL",
                "probes[0].interval: must be positive, got PT0S",
                "probes[0].failureThreshold: must be at least 1, got 0",
                "probes[1].labels.service: label names and values must not be empty",
                "probes[1].name: \"a\" is used by another probe; names must be unique",
                "probes[2].name: missing; name the probe, e.g. demo-shop",
                "resourceMapping[0].kind: \"Service Kind\" is not a valid kind; use lower-case letters, digits, '-' or '_'");
    }

    @Test
    void aDurationThatIsNotOneSaysWhichFormsWork() {
        assertThatThrownBy(() -> YAML.readValue("probes: [{name: a, url: 'http://x/', interval: soon}]", IngestConfig.class))
                .isInstanceOf(InvalidFormatException.class)
                .hasMessageContaining("write e.g. 500ms, 2s, 5m, 1h, PT30S");
    }

    @Test
    void theIngestFacadeRefusesAnInvalidConfigNamingEveryProblem() {
        IngestConfig config = new IngestConfig(null, null, null, -1L, List.of(ProbeConfig.of("p", "mailto:x@y", Map.of())), null);

        assertThatThrownBy(() -> new Ingest(config, null, null, new io.prometheus.metrics.model.registry.PrometheusRegistry()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxBodyBytes: must be positive, got -1")
                .hasMessageContaining("probes[0].url: \"mailto:x@y\" is not an http(s) URL");
    }

    @Test
    void sourcesNeedExplicitAuthAndGenericOnesAMapping() throws Exception {
        IngestConfig config = YAML.readValue("""
                sources:
                  alertmanager: {auth: {type: bearer, token: an-alertmanager-token-0123456789}}
                  grafana: {rateLimit: {ratePerSecond: 5}}
                  zabbix: {auth: {type: none}}
                  pagerduty: {auth: {type: none}, mapping: {name: "$.x"}}
                """, IngestConfig.class);

        assertThat(config.validate()).containsExactly(
                "sources.grafana.auth: missing; say how grafana authenticates (type bearer, basic, hmac), or"
                        + " {type: none} to accept unauthenticated webhooks on purpose",
                "sources.pagerduty.mapping: only generic sources take a mapping; pagerduty has a fixed format",
                "sources.zabbix.mapping: missing; 'zabbix' is not a built-in source (alertmanager, cloudevents,"
                        + " grafana, pagerduty), so it is a generic JSON source and needs a mapping of its fields"
                        + " (docs/ingest.md)");
    }

    @Test
    void limitsHaveDefaultsAndRefuseNonsense() throws Exception {
        assertThat(IngestConfig.defaults().limits()).isEqualTo(new Limits(32, 1000, 64, 4096));
        IngestConfig config = YAML.readValue("limits: {maxLabels: 0}", IngestConfig.class);
        assertThat(config.validate()).containsExactly("limits.maxLabels: must be at least 1, got 0");
    }
}
