package io.reflex.connectors.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KubernetesNamesTest {

    @ParameterizedTest
    @ValueSource(strings = {"cart", "cart-7d9f", "worker-1.eu-west.internal", "a", "0day"})
    void acceptsDns1123Names(String name) {
        assertThat(KubernetesNames.isSubdomain(name)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "x; touch /tmp/pwned", "$(id)", "`id`", "../etc", "a/b", "Cart", "-cart", "cart-",
            ".cart", "cart..x", "cart name", "cart\n", "ca\u0000rt", "café"})
    void refusesEverythingElse(String name) {
        assertThat(KubernetesNames.isSubdomain(name)).isFalse();
        assertThat(KubernetesNames.isLabel(name)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"worker-1.eu-west", "a234567890123456789012345678901234567890123456789012345678901234"})
    void labelsAreShorterAndHaveNoDots(String name) {
        assertThat(KubernetesNames.isLabel(name)).isFalse();
    }

    @org.junit.jupiter.api.Test
    void quotingEscapesControlCharactersAndCutsLongValues() {
        assertThat(KubernetesNames.quote("a\nb")).isEqualTo("'a\\x0ab'");
        assertThat(KubernetesNames.quote("x".repeat(100))).endsWith("...(100 chars)'");
        assertThat(KubernetesNames.whyNotSubdomain("deployment name", "x; rm"))
                .startsWith("deployment name 'x; rm' is not a valid Kubernetes name");
    }
}
