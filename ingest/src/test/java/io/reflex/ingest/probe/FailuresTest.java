package io.reflex.ingest.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ConnectTimeoutException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** Network errors as the alert summary tells them. */
class FailuresTest {

    @Test
    void describesTheCommonNetworkFailuresShortly() {
        assertThat(Failures.describe(new ConnectException("Connection refused: /127.0.0.1:9"), 500))
                .isEqualTo("connection refused");
        assertThat(Failures.describe(new ConnectTimeoutException("connection timed out after 500 ms: /10.0.0.1:80"), 500))
                .isEqualTo("no answer within 500 ms");
        assertThat(Failures.describe(new TimeoutException("The timeout period of 500ms has been exceeded"), 500))
                .isEqualTo("no answer within 500 ms");
        assertThat(Failures.describe(new UnknownHostException("nope.invalid"), 500)).isEqualTo("unknown host nope.invalid");
        assertThat(Failures.describe(new IllegalStateException("Client is closed"), 500)).isEqualTo("Client is closed");
    }
}
