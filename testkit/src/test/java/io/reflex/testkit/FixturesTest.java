package io.reflex.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FixturesTest {

    @Test
    void readsTheAlertmanagerFixturesWithOrWithoutLeadingSlash() {
        String viaApi = Fixtures.read("fixtures/alertmanager/firing-posted-via-api.json");
        String fromRule = Fixtures.read("/fixtures/alertmanager/firing-from-prometheus-rule.json");

        assertThat(viaApi).contains("\"version\": \"4\"").contains("\"alertname\": \"DiskFull\"");
        assertThat(fromRule).contains("\"version\": \"4\"").contains("\"alertname\": \"HighCPU\"");
    }

    @Test
    void namesTheMissingResource() {
        assertThatThrownBy(() -> Fixtures.read("fixtures/nope.json"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fixtures/nope.json");
    }
}
