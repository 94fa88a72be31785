package io.reflex.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflex.app.config.CliOverrides;
import io.reflex.app.config.ConfigLoader;
import io.reflex.app.config.ReflexConfig;
import io.reflex.app.demo.Demo;
import io.reflex.app.monitoring.ChildProcess;
import io.reflex.app.monitoring.ChildProcesses;
import io.reflex.app.monitoring.ConfigTemplate;
import io.reflex.app.monitoring.RequiredProgram;
import io.reflex.app.monitoring.ScrapeTarget;
import io.reflex.model.Json;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reflex behind a real Prometheus and a real Alertmanager, from the Debian packages
 * ({@code apt-get install prometheus prometheus-alertmanager}; {@code .ci/run} does it).
 *
 * <p>Prometheus scrapes a target of the test's every second; the rule {@code CheckoutDown}
 * ({@code up{job="checkout"} == 0}, {@code for: 0s}) fires when the target answers 503, and
 * Alertmanager posts it to Reflex's {@code /hooks/alertmanager}, where it opens an incident on
 * {@code service:checkout}. When the target answers again the alert resolves in Prometheus,
 * Alertmanager posts the resolution, and the incident resolves. Nothing is simulated: the
 * webhooks are the ones Alertmanager 0.25 sends, with its bearer token.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PrometheusAlertmanagerIT {

    /** What Alertmanager sends as {@code Authorization: Bearer …} (see monitoring/alertmanager.yml). */
    private static final String TOKEN = "it-alertmanager-token";
    /** The viewer API token this test reads incidents with (auth.tokens in reflex.yml). */
    private static final String API_TOKEN = "it-viewer-api-token";
    private static final Duration START_BOUND = Duration.ofSeconds(60);
    /** Scrape, evaluation, group wait and the webhook each take about a second; this leaves room for a slow box. */
    private static final Duration ALERT_BOUND = Duration.ofSeconds(60);

    @RegisterExtension
    final ChildProcesses children = new ChildProcesses();

    private final HttpClient http = HttpClient.newHttpClient();
    private Path dir;
    private Reflex reflex;
    private ScrapeTarget target;
    private String prometheus;
    private String alertmanager;

    @BeforeAll
    void start(@TempDir Path tempDir) throws Exception {
        long t0 = System.nanoTime();
        dir = tempDir;
        Path prometheusBinary = RequiredProgram.find("prometheus", "prometheus", "prometheus-alertmanager");
        Path alertmanagerBinary = RequiredProgram.find("prometheus-alertmanager", "prometheus", "prometheus-alertmanager");

        Path reflexConfig = ConfigTemplate.write("reflex.yml", Map.of("TOKEN", TOKEN, "API_TOKEN", API_TOKEN), dir);
        ReflexConfig config = new ConfigLoader(new Demo())
                .load(new CliOverrides(reflexConfig, 0, dir.resolve("reflex-data"), null, null, true), Map.of());
        reflex = new Reflex(config, Clock.systemUTC()).start();
        await("Reflex healthy").atMost(START_BOUND).ignoreExceptionsInstanceOf(IOException.class)
                .until(() -> get(reflexUrl() + "/health").statusCode() == 200);

        target = new ScrapeTarget();

        int alertmanagerPort = freePort();
        alertmanager = "http://127.0.0.1:" + alertmanagerPort;
        Path alertmanagerConfig = ConfigTemplate.write("alertmanager.yml",
                Map.of("REFLEX_URL", reflexUrl(), "TOKEN", TOKEN), dir);
        ChildProcess alertmanagerProcess = children.start("alertmanager", List.of(alertmanagerBinary.toString(),
                "--config.file=" + alertmanagerConfig,
                "--storage.path=" + Files.createDirectories(dir.resolve("alertmanager-data")),
                "--web.listen-address=127.0.0.1:" + alertmanagerPort,
                "--web.external-url=" + alertmanager,
                "--cluster.listen-address=",
                "--log.level=debug"), dir);

        int prometheusPort = freePort();
        prometheus = "http://127.0.0.1:" + prometheusPort;
        Path rules = ConfigTemplate.write("rules.yml", Map.of(), dir);
        Path prometheusConfig = ConfigTemplate.write("prometheus.yml", Map.of("RULES", rules.toString(),
                "ALERTMANAGER", "127.0.0.1:" + alertmanagerPort, "TARGET", target.address()), dir);
        ChildProcess prometheusProcess = children.start("prometheus", List.of(prometheusBinary.toString(),
                "--config.file=" + prometheusConfig,
                "--storage.tsdb.path=" + Files.createDirectories(dir.resolve("prometheus-data")),
                "--web.listen-address=127.0.0.1:" + prometheusPort,
                // Without it the first notification of an alert waits up to a minute.
                "--rules.alert.resend-delay=1s"), dir);

        await("Alertmanager ready").atMost(START_BOUND).until(() -> ready(alertmanagerProcess, alertmanager));
        await("Prometheus ready").atMost(START_BOUND).until(() -> ready(prometheusProcess, prometheus));
        report("Reflex, Alertmanager and Prometheus started", t0);
    }

    @AfterAll
    void stop() {
        try {
            children.close();
        } finally {
            if (target != null) {
                target.close();
            }
            if (reflex != null) {
                reflex.close();
            }
        }
    }

    @Test
    void aPrometheusAlertOpensAnIncidentThatResolvesWhenTheAlertClears() throws Exception {
        long testStart = System.nanoTime();
        await("Prometheus scrapes the healthy target").atMost(ALERT_BOUND)
                .until(() -> upOfCheckout().equals("1"));

        long down = System.nanoTime();
        target.healthy(false);
        JsonNode incident = awaitIncident(i -> i.path("status").asText().equals("OPEN"), "incident opened");
        report("target down -> incident OPEN", down);

        assertThat(incident.path("resource").path("kind").asText()).isEqualTo("service");
        assertThat(incident.path("title").asText()).contains("CheckoutDown");
        String id = incident.path("id").asText();
        JsonNode received = await("timeline shows the alert").atMost(ALERT_BOUND)
                .until(() -> timeline(id, "ALERT_RECEIVED"), entries -> !entries.isEmpty()).get(0);
        assertThat(received.path("refs").path("source").asText()).isEqualTo("alertmanager");
        assertThat(received.path("summary").asText())
                .isEqualTo("CheckoutDown FIRING from alertmanager (severity critical)");
        assertThat(metric(reflexUrl(), "reflex_ingest_alerts_total", "source=\"alertmanager\"", "outcome=\"accepted\""))
                .isGreaterThan(0);

        long up = System.nanoTime();
        target.healthy(true);
        awaitIncident(i -> i.path("id").asText().equals(id) && i.path("status").asText().equals("RESOLVED"),
                "incident resolved");
        report("target up again -> incident RESOLVED", up);

        assertThat(timeline(id, "RESOLVED")).singleElement()
                .satisfies(e -> assertThat(e.path("summary").asText()).contains("reported by alertmanager"));
        assertThat(metric(reflexUrl(), "reflex_ingest_alerts_total", "source=\"alertmanager\"", "outcome=\"accepted\""))
                .as("the firing and the resolved alert").isGreaterThanOrEqualTo(2);
        // Alertmanager counts a notification that did not get a 2xx as failed; Reflex took them all.
        assertThat(metric(alertmanager, "alertmanager_notifications_total", "integration=\"webhook\""))
                .isGreaterThanOrEqualTo(2);
        assertThat(metric(alertmanager, "alertmanager_notifications_failed_total", "integration=\"webhook\""))
                .isZero();
        assertThat(incidents().stream().filter(i -> i.path("resource").path("name").asText().equals("checkout")))
                .as("one outage, one incident").hasSize(1);
        report("the whole test, from the first scrape on", testStart);
    }

    @Test
    void theExampleConfigurationInDeployMonitoringIsValid() throws Exception {
        Path examples = exampleDir();
        Path promtool = RequiredProgram.find("promtool", "prometheus");
        Path amtool = RequiredProgram.find("amtool", "prometheus-alertmanager");

        assertThat(run(examples, promtool.toString(), "check", "config", "prometheus.yml")).contains("SUCCESS");
        // alert-rules.test.yml feeds series to the rule and states the alert it must raise.
        assertThat(run(examples, promtool.toString(), "test", "rules", "alert-rules.test.yml")).contains("SUCCESS");
        assertThat(run(examples, amtool.toString(), "check-config", "alertmanager.yml")).contains("SUCCESS");
    }

    // --- helpers ---

    private String reflexUrl() {
        return "http://127.0.0.1:" + reflex.httpPort();
    }

    /** @throws AssertionError at once if the process is gone: waiting longer cannot help */
    private boolean ready(ChildProcess process, String base) {
        if (!process.alive()) {
            throw new AssertionError(process.describe() + " stopped before it was ready; its log is printed with this failure");
        }
        try {
            return get(base + "/-/ready").statusCode() == 200;
        } catch (IOException e) {
            return false; // not listening yet
        }
    }

    /** The value of {@code up{job="checkout"}} in Prometheus, "" before the first scrape. */
    private String upOfCheckout() throws IOException {
        String query = URLEncoder.encode("up{job=\"checkout\"}", StandardCharsets.UTF_8);
        JsonNode result = json(get(prometheus + "/api/v1/query?query=" + query)).path("data").path("result");
        return result.isEmpty() ? "" : result.get(0).path("value").get(1).asText();
    }

    private JsonNode awaitIncident(Predicate<JsonNode> match, String what) {
        Predicate<JsonNode> checkout = i -> i.path("resource").path("name").asText().equals("checkout");
        return await(what).atMost(ALERT_BOUND).pollInterval(Duration.ofMillis(250))
                .until(() -> incidents().stream().filter(checkout.and(match)).findFirst(), found -> found.isPresent())
                .orElseThrow();
    }

    private List<JsonNode> incidents() throws IOException {
        List<JsonNode> items = new ArrayList<>();
        json(get(reflexUrl() + "/api/incidents?limit=500")).path("items").forEach(items::add);
        return items;
    }

    private List<JsonNode> timeline(String incidentId, String kind) throws IOException {
        List<JsonNode> entries = new ArrayList<>();
        json(get(reflexUrl() + "/api/incidents/" + incidentId)).path("timeline").forEach(entry -> {
            if (entry.path("kind").asText().equals(kind)) {
                entries.add(entry);
            }
        });
        return entries;
    }

    /** The sum of the samples of {@code name} whose labels contain every one of {@code labels}. */
    private double metric(String base, String name, String... labels) throws IOException {
        Matcher m = Pattern.compile("(?m)^" + name + "\\{([^}]*)} ([0-9.eE+-]+)$").matcher(get(base + "/metrics").body());
        double sum = 0;
        while (m.find()) {
            String found = m.group(1);
            if (List.of(labels).stream().allMatch(found::contains)) {
                sum += Double.parseDouble(m.group(2));
            }
        }
        return sum;
    }

    private HttpResponse<String> get(String url) throws IOException {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
            if (url.startsWith(reflexUrl() + "/api/")) {
                request.header("Authorization", "Bearer " + API_TOKEN);
            }
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while getting " + url, e);
        }
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        return Json.MAPPER.readTree(response.body());
    }

    /** Runs a checking tool in {@code dir}; returns its output, failing the test on a non-zero exit. */
    private String run(Path workDir, String... command) throws Exception {
        Path log = Files.createTempFile(dir, "tool-", ".log");
        Process process = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean exited = process.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            process.destroyForcibly();
        }
        String output = Files.readString(log);
        assertThat(exited && process.exitValue() == 0)
                .as("%s in %s: %s", String.join(" ", command), workDir, output).isTrue();
        return output;
    }

    /** deploy/monitoring of this checkout, found from the module's directory upwards. */
    private static Path exampleDir() {
        for (Path at = Path.of("").toAbsolutePath(); at != null; at = at.getParent()) {
            Path candidate = at.resolve("deploy").resolve("monitoring");
            if (Files.isRegularFile(candidate.resolve("prometheus.yml"))) {
                return candidate;
            }
        }
        throw new AssertionError("deploy/monitoring/prometheus.yml not found above " + Path.of("").toAbsolutePath());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void report(String what, long sinceNanos) {
        System.out.printf("PrometheusAlertmanagerIT: %s in %.1f s%n", what,
                (System.nanoTime() - sinceNanos) / 1e9);
    }
}
