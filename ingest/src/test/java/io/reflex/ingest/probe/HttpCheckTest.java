package io.reflex.ingest.probe;

import static io.reflex.ingest.probe.HttpCheck.judge;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The verdict on an HTTP answer: status, then body, without any I/O. */
class HttpCheckTest {

    private static final List<Integer> ANY_2XX = List.of();

    @Test
    void anyTwoHundredIsHealthyByDefault() {
        assertThat(judge(200, "", true, ANY_2XX, null, null)).isEqualTo(CheckResult.up("HTTP 200"));
        assertThat(judge(204, "", true, ANY_2XX, null, null)).isEqualTo(CheckResult.up("HTTP 204"));
        assertThat(judge(301, "", true, ANY_2XX, null, null)).isEqualTo(CheckResult.down("HTTP 301"));
        assertThat(judge(503, "", true, ANY_2XX, null, null)).isEqualTo(CheckResult.down("HTTP 503"));
    }

    @Test
    void expectedStatusCodesReplaceTheTwoHundreds() {
        List<Integer> expected = List.of(200, 401);

        assertThat(judge(401, "", true, expected, null, null)).isEqualTo(CheckResult.up("HTTP 401"));
        assertThat(judge(204, "", true, expected, null, null))
                .isEqualTo(CheckResult.down("HTTP 204 (expected [200, 401])"));
    }

    @Test
    void theBodyMustContainTheText() {
        assertThat(judge(200, "{\"status\":\"UP\"}", true, ANY_2XX, "\"UP\"", null)).isEqualTo(CheckResult.up("HTTP 200"));
        assertThat(judge(200, "{\"status\":\"DOWN\"}", true, ANY_2XX, "\"UP\"", null))
                .isEqualTo(CheckResult.down("HTTP 200, body does not contain \"\"UP\"\""));
    }

    @Test
    void theBodyMustMatchThePatternSomewhere() {
        Pattern ok = Pattern.compile("db: (ok|degraded)");

        assertThat(judge(200, "cache: ok\ndb: degraded\n", true, ANY_2XX, null, ok)).isEqualTo(CheckResult.up("HTTP 200"));
        assertThat(judge(200, "cache: ok\ndb: down\n", true, ANY_2XX, null, ok))
                .isEqualTo(CheckResult.down("HTTP 200, body does not match /db: (ok|degraded)/"));
    }

    @Test
    void aWrongStatusIsReportedBeforeTheBody() {
        assertThat(judge(500, "ok", true, ANY_2XX, "UP", Pattern.compile("UP")))
                .isEqualTo(CheckResult.down("HTTP 500"));
    }

    @Test
    void bothBodyChecksMustPass() {
        assertThat(judge(200, "UP", true, ANY_2XX, "UP", Pattern.compile("^ok$")))
                .isEqualTo(CheckResult.down("HTTP 200, body does not match /^ok$/"));
    }

    @Test
    void aCutBodySaysThatOnlyItsStartWasRead() {
        assertThat(judge(200, "x".repeat(HttpCheck.BODY_LIMIT), false, ANY_2XX, "UP", null))
                .isEqualTo(CheckResult.down("HTTP 200, first 64 KiB of the body does not contain \"UP\""));
    }
}
