package io.reflex.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The prometheus steady-state probe against a real Prometheus ({@code /usr/bin/prometheus},
 * {@code apt-get install prometheus}) that scrapes itself every second.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PrometheusProbeIT {
    private static final Path BINARY = Path.of("/usr/bin/prometheus");
    private static final Duration START_BOUND = Duration.ofSeconds(60);

    private Process prometheus;
    private URI url;
    private final ProbeChecker probes = new ProbeChecker();

    @BeforeAll
    void start(@TempDir Path dir) throws IOException {
        assertThat(BINARY).as("Prometheus is installed (apt-get install prometheus)").isExecutable();
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        url = URI.create("http://127.0.0.1:" + port);
        Path config = Files.writeString(dir.resolve("prometheus.yml"), """
                global: {scrape_interval: 1s, evaluation_interval: 1s}
                scrape_configs:
                  - job_name: self
                    static_configs: [{targets: ["127.0.0.1:%d"]}]
                """.formatted(port));
        prometheus = new ProcessBuilder(BINARY.toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + Files.createDirectories(dir.resolve("data")),
                "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        // Steady once Prometheus has scraped itself: up{job="self"} is 1.
        await("Prometheus scraped itself").atMost(START_BOUND)
                .until(() -> probes.check(probe("up{job=\"self\"}", url)).ok());
    }

    @AfterAll
    void stop() throws InterruptedException {
        if (prometheus != null) {
            prometheus.destroy();
            if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly();
            }
        }
    }

    private static SteadyState probe(String query, URI at) {
        return new SteadyState(new SteadyState.Prometheus(query, at), Duration.ofSeconds(1), Duration.ofSeconds(2));
    }

    @Test
    void steadyWhenEverySampleIsNonZero() {
        ProbeChecker.Check check = probes.check(probe("up{job=\"self\"}", url));
        assertThat(check.ok()).isTrue();
        assertThat(check.detail()).isEqualTo("1 sample, all non-zero");
        assertThat(probes.check(probe("scalar(up{job=\"self\"}) * 2", url))).isEqualTo(new ProbeChecker.Check(true,
                "value 2"));
    }

    @Test
    void notSteadyWhenASampleIsZeroOrThereIsNone() {
        ProbeChecker.Check zero = probes.check(probe("up{job=\"self\"} - 1", url));
        assertThat(zero.ok()).isFalse();
        assertThat(zero.detail()).startsWith("value 0 for ").contains("\"job\":\"self\"");
        assertThat(probes.check(probe("up{job=\"nothing-scrapes-this\"}", url)))
                .isEqualTo(new ProbeChecker.Check(false, "no samples"));
    }

    @Test
    void aBadQueryOrAnUnreachablePrometheusIsNotSteadyAndSaysWhy() throws IOException {
        ProbeChecker.Check bad = probes.check(probe("up{", url));
        assertThat(bad.ok()).isFalse();
        assertThat(bad.detail()).startsWith("query failed (HTTP 400): ");
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        ProbeChecker.Check unreachable = probes.check(probe("up", URI.create("http://127.0.0.1:" + closed)));
        assertThat(unreachable.ok()).isFalse();
        assertThat(unreachable.detail()).startsWith("ConnectException");
    }
}
