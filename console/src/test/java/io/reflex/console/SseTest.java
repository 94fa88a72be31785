package io.reflex.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SseTest {

    @Test
    void anEventIsItsNameItsDataAndABlankLine() {
        assertThat(Sse.event("timeline", "{\"a\":1}")).isEqualTo("event: timeline\ndata: {\"a\":1}\n\n");
    }

    @Test
    void eachLineOfTheDataGetsItsOwnDataField() {
        assertThat(Sse.event("incident", "one\ntwo\r\nthree")).isEqualTo(
                "event: incident\ndata: one\ndata: two\ndata: three\n\n");
    }

    @Test
    void aCommentCannotSmuggleInAnEvent() {
        assertThat(Sse.comment("ping")).isEqualTo(": ping\n\n");
        assertThat(Sse.comment("x\n\nevent: fake")).isEqualTo(": x event: fake\n\n");
        assertThatThrownBy(() -> Sse.event("a\nb", "{}")).hasMessageContaining("line break");
    }
}
