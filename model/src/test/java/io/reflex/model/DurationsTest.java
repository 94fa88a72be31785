package io.reflex.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
    record Settings(@JsonDeserialize(using = Durations.Deserializer.class) Duration interval) {
    }

    @Test
    void readsDurationsAsPeopleWriteThem() {
        assertThat(Durations.parse("500ms")).hasMillis(500);
        assertThat(Durations.parse("2s")).hasSeconds(2);
        assertThat(Durations.parse("5m")).hasMinutes(5);
        assertThat(Durations.parse("1h")).hasHours(1);
        assertThat(Durations.parse("1d")).hasDays(1);
        assertThat(Durations.parse("PT30S")).hasSeconds(30);
        assertThat(Durations.parse(" 20 ")).hasSeconds(20);
        assertThat(Durations.parse("1.5")).hasMillis(1500);
    }

    @Test
    void somethingElseNamesTheFormsThatWork() {
        assertThatThrownBy(() -> Durations.parse("soon")).hasMessageContaining("'soon' is not a duration")
                .hasMessageContaining("500ms");
    }

    @Test
    void jsonNumbersAreSecondsAndStringsUseTheSameForms() throws Exception {
        assertThat(Json.MAPPER.readValue("{\"interval\": 3}", Settings.class).interval()).hasSeconds(3);
        assertThat(Json.MAPPER.readValue("{\"interval\": \"250ms\"}", Settings.class).interval()).hasMillis(250);
    }
}
