package io.reflex.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reflex.model.Resource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResourceMapperTest {

    private final ResourceMapper mapper = new ResourceMapper();

    @Test
    void mapsADeploymentWithItsNamespace() {
        assertThat(mapper.map("Down", Map.of("deployment", "checkout", "namespace", "shop")))
                .isEqualTo(new Resource("deployment", "checkout", "shop", null));
    }

    @Test
    void mapsAPodWithItsNamespace() {
        Resource pod = mapper.map("CrashLoop", Map.of("pod", "checkout-7d9", "namespace", "shop"));

        assertThat(pod).isEqualTo(new Resource("pod", "checkout-7d9", "shop", null));
        assertThat(pod.key()).isEqualTo("pod:checkout-7d9");
    }

    @Test
    void mapsADeploymentWithoutNamespace() {
        assertThat(mapper.map("Down", Map.of("deployment", "checkout")))
                .isEqualTo(new Resource("deployment", "checkout", null, null));
    }

    @Test
    void mapsAServiceIgnoringTheNamespaceAndKeepingTheHostLabel() {
        assertThat(mapper.map("ServiceDown", Map.of("service", "demo-shop", "namespace", "shop", "host", "web-1")))
                .isEqualTo(new Resource("service", "demo-shop", null, "web-1"));
    }

    @Test
    void mapsHostNodeAndInstanceToHosts() {
        assertThat(mapper.map("HighCPU", Map.of("host", "web-1"))).isEqualTo(new Resource("host", "web-1", null, "web-1"));
        assertThat(mapper.map("NodeNotReady", Map.of("node", "k8s-2"))).isEqualTo(new Resource("host", "k8s-2", null, "k8s-2"));
        assertThat(mapper.map("Down", Map.of("instance", "10.0.0.5:9100")).key()).isEqualTo("host:10.0.0.5:9100");
    }

    @Test
    void theFirstMatchingRuleInContractOrderWins() {
        Map<String, String> all = Map.of("deployment", "d", "pod", "p", "service", "s", "host", "h", "node", "n",
                "instance", "i");

        assertThat(mapper.map("X", all).key()).isEqualTo("deployment:d");
        assertThat(mapper.map("X", without(all, "deployment")).key()).isEqualTo("pod:p");
        assertThat(mapper.map("X", without(all, "deployment", "pod")).key()).isEqualTo("service:s");
        assertThat(mapper.map("X", without(all, "deployment", "pod", "service")).key()).isEqualTo("host:h");
        assertThat(mapper.map("X", Map.of("node", "n", "instance", "i")).key()).isEqualTo("host:n");
    }

    @Test
    void anEmptyLabelCountsAsAbsent() {
        assertThat(mapper.map("X", Map.of("deployment", " ", "service", "checkout")).key()).isEqualTo("service:checkout");
    }

    @Test
    void filesAnAlertWithoutAnyPlacingLabelUnderItsName() {
        assertThat(mapper.map("WatchdogMissing", Map.of("alertname", "WatchdogMissing", "severity", "none")))
                .isEqualTo(new Resource("alert", "WatchdogMissing", null, null));
    }

    @Test
    void usesConfiguredRulesInsteadOfTheDefault() {
        ResourceMapper custom = new ResourceMapper(List.of(ResourceRule.of("job", "service"),
                ResourceRule.namespaced("statefulset", "statefulset")));

        assertThat(custom.map("X", Map.of("job", "api", "host", "web-1")).key()).isEqualTo("service:api");
        assertThat(custom.map("X", Map.of("statefulset", "db", "namespace", "data")))
                .isEqualTo(new Resource("statefulset", "db", "data", null));
        assertThat(custom.map("X", Map.of("host", "web-1")).key()).as("host is not in the custom rules").isEqualTo("alert:X");
    }

    @Test
    void rejectsRulesWithoutLabelOrWithAKindThatWouldBreakKeys() {
        assertThatThrownBy(() -> new ResourceMapper(List.of(ResourceRule.of("", "host"), ResourceRule.of("x", "a:b"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("resourceMapping[0].label: missing")
                .hasMessageContaining("resourceMapping[1].kind: \"a:b\" is not a valid kind");
    }

    private static Map<String, String> without(Map<String, String> labels, String... keys) {
        Map<String, String> copy = new java.util.HashMap<>(labels);
        for (String key : keys) {
            copy.remove(key);
        }
        return copy;
    }
}
