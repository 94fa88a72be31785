package io.reflex.ingest.generic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflex.model.Json;
import org.junit.jupiter.api.Test;

class FieldPathTest {

    private static final JsonNode BODY = read("""
            {"alert": {"title": "High CPU", "tags": ["a:b", "c:d"], "odd.key": {"x y": 1}, "it's": true},
             "alerts": [{"n": 0}, {"n": 1}]}
            """);

    @Test
    void findsMembersElementsAndQuotedNames() {
        assertThat(FieldPath.parse("$.alert.title").find(BODY).textValue()).isEqualTo("High CPU");
        assertThat(FieldPath.parse("alert.title").find(BODY).textValue()).as("$ may be left out").isEqualTo("High CPU");
        assertThat(FieldPath.parse("$.alert.tags[1]").find(BODY).textValue()).isEqualTo("c:d");
        assertThat(FieldPath.parse("$.alert['odd.key'][\"x y\"]").find(BODY).intValue()).isEqualTo(1);
        assertThat(FieldPath.parse("$.alert['it\\'s']").find(BODY).booleanValue()).isTrue();
        assertThat(FieldPath.parse("$.alerts[1].n").find(BODY).intValue()).isEqualTo(1);
        assertThat(FieldPath.parse("$").find(BODY)).isSameAs(BODY);
        assertThat(FieldPath.parse("$").isRoot()).isTrue();
    }

    @Test
    void findsNothingWhereTheBodyHasNothing() {
        assertThat(FieldPath.parse("$.alert.missing").find(BODY)).isNull();
        assertThat(FieldPath.parse("$.alerts[5].n").find(BODY)).isNull();
        assertThat(FieldPath.parse("$.alert.title.deeper").find(BODY)).isNull();
        assertThat(FieldPath.parse("$.alert[0]").find(BODY)).as("an index into an object").isNull();
    }

    @Test
    void printsACanonicalFormThatParsesToTheSamePath() {
        FieldPath path = FieldPath.parse("alert['odd.key']['it\\'s'][3].plain_name");

        assertThat(path).hasToString("$.alert['odd.key']['it\\'s'][3].plain_name");
        assertThat(FieldPath.parse(path.toString())).isEqualTo(path);
        assertThat(FieldPath.parse("$.alerts").index(2).then(FieldPath.parse("$.title")).member("x y"))
                .hasToString("$.alerts[2].title['x y']");
    }

    @Test
    void rejectsMalformedPathsSayingWhere() {
        assertThatThrownBy(() -> FieldPath.parse("$.alerts[")).hasMessage(
                "invalid path \"$.alerts[\" at character 9: '[' is not closed");
        assertThatThrownBy(() -> FieldPath.parse("$.alerts[x]")).hasMessage(
                "invalid path \"$.alerts[x]\" at character 10: expected an array index (0, 1, …) or a quoted name, got 'x'");
        assertThatThrownBy(() -> FieldPath.parse("$..a")).hasMessage(
                "invalid path \"$..a\" at character 3: expected a member name");
        assertThatThrownBy(() -> FieldPath.parse("$a")).hasMessage(
                "invalid path \"$a\" at character 2: expected '.' or '[', got 'a'");
        assertThatThrownBy(() -> FieldPath.parse("$['open")).hasMessageContaining("quoted name is not closed");
        assertThatThrownBy(() -> FieldPath.parse("$.a[*]")).hasMessageContaining("expected an array index");
    }

    private static JsonNode read(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
