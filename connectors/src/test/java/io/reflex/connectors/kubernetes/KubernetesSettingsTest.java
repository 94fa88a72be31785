package io.reflex.connectors.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reflex.connectors.spi.ConnectorConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KubernetesSettingsTest {

    @Test
    void emptySettingsUseFabric8AutoConfigurationAndSafeDefaults() {
        final KubernetesSettings settings = KubernetesSettings.parse("kubernetes", Map.of());

        assertThat(settings).isEqualTo(KubernetesSettings.defaults());
        assertThat(settings.kubeconfig()).isEmpty();
        assertThat(settings.namespace()).isEqualTo("default");
        assertThat(settings.namespaces()).isEmpty();
        assertThat(settings.namespaceAllowed("anything")).isTrue();
        assertThat(settings.maxReplicas()).isEqualTo(50);
        assertThat(settings.waitForRollout()).isTrue();
        assertThat(settings.requestTimeout()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void readsEveryKeyIncludingStringsFromEnvironmentOverrides(@TempDir Path dir) throws Exception {
        final Path kubeconfig = Files.writeString(dir.resolve("kubeconfig"), "apiVersion: v1\n");
        final Map<String, Object> raw = new LinkedHashMap<>();
        raw.put("kubeconfig", kubeconfig.toString());
        raw.put("context", "prod");
        raw.put("namespace", "shop");
        raw.put("namespaces", List.of("shop", "default"));
        raw.put("maxReplicas", "20");
        raw.put("waitForRollout", "false");
        raw.put("requestTimeout", "30s");

        final KubernetesSettings settings = KubernetesSettings.parse("kubernetes", raw);

        assertThat(settings.kubeconfig()).contains(kubeconfig.toAbsolutePath().normalize());
        assertThat(settings.context()).isEqualTo(Optional.of("prod"));
        assertThat(settings.namespace()).isEqualTo("shop");
        assertThat(settings.namespaces()).containsExactly("default", "shop");
        assertThat(settings.namespaceAllowed("kube-system")).isFalse();
        assertThat(settings.maxReplicas()).isEqualTo(20);
        assertThat(settings.waitForRollout()).isFalse();
        assertThat(settings.requestTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void reportsEveryProblemAtOnce(@TempDir Path dir) {
        final Map<String, Object> raw = new LinkedHashMap<>();
        raw.put("kubeconfig", dir.resolve("missing").toString());
        raw.put("context", 3);
        raw.put("namespace", "Shop_1");
        raw.put("namespaces", List.of("default", "$(id)"));
        raw.put("maxReplicas", 0);
        raw.put("waitForRollout", "sometimes");
        raw.put("requestTimeout", "soon");
        raw.put("token", "secret-value");

        assertThatThrownBy(() -> KubernetesSettings.parse("kubernetes", raw))
                .isInstanceOfSatisfying(ConnectorConfigException.class, e -> {
                    assertThat(e.problems()).hasSize(8);
                    assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("connectors.kubernetes.kubeconfig: ")
                            .contains("does not exist"));
                    assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("connectors.kubernetes.context: "));
                    assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("connectors.kubernetes.namespace: ")
                            .contains("'Shop_1'", "DNS-1123"));
                    assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("connectors.kubernetes.namespaces[1]: ")
                            .contains("'$(id)'"));
                    assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("connectors.kubernetes.maxReplicas: "));
                    assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("connectors.kubernetes.waitForRollout: "));
                    assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("connectors.kubernetes.requestTimeout: "));
                    assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("connectors.kubernetes.token: unknown key"));
                    // The default namespace is invalid, so it is not also reported as outside the allowlist.
                    assertThat(e.problems()).filteredOn(p -> p.contains("is not in namespaces")).isEmpty();
                    // The value of an unknown key is never echoed: it may be a credential.
                    assertThat(e.getMessage()).doesNotContain("secret-value");
                });
    }

    @Test
    void defaultNamespaceMustBeInTheAllowlist() {
        assertThatThrownBy(() -> KubernetesSettings.parse("kubernetes",
                Map.of("namespace", "kube-system", "namespaces", List.of("shop"))))
                .isInstanceOfSatisfying(ConnectorConfigException.class, e -> assertThat(e.problems())
                        .containsExactly("connectors.kubernetes.namespace: 'kube-system' is not in namespaces [shop];"
                                + " add it there or pick an allowed default"));
    }

    @Test
    void anEmptyAllowlistIsAMistakeNotAWildcard() {
        assertThatThrownBy(() -> KubernetesSettings.parse("kubernetes", Map.of("namespaces", List.of())))
                .isInstanceOfSatisfying(ConnectorConfigException.class, e -> assertThat(e.problems())
                        .singleElement().asString().contains("namespaces: is empty"));
        assertThat(KubernetesSettings.parse("kubernetes", Map.of("namespaces", List.of("shop"))).namespaces())
                .isEqualTo(Set.of("shop"));
    }
}
