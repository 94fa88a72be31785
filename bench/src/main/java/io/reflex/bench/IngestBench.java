package io.reflex.bench;

import io.reflex.app.Reflex;
import io.reflex.app.config.CliOverrides;
import io.reflex.app.config.ConfigLoader;
import io.reflex.app.config.ReflexConfig;
import io.reflex.app.kafka.EmbeddedKafka;
import io.reflex.app.kafka.TopicSetup;
import io.reflex.model.AlertEvent;
import io.reflex.model.AlertStatus;
import io.reflex.model.Resource;
import io.reflex.model.Topics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Ingest throughput and latency on this machine, next to a bare Kafka producer sending the same
 * records in the same run: the ratio says how close the webhook path gets to the broker's limit.
 *
 * <p>Both sides run {@code concurrency} senders; each sends a batch (one webhook with
 * {@code batch} alerts, or {@code batch} records) and waits until it is acknowledged (a 202, or
 * every record's ack with acks=all) before sending the next. Measures; asserts nothing.
 */
public final class IngestBench {
    private final Duration warmup;
    private final Duration measure;
    private final int concurrency;
    private final List<Integer> batches;
    private final Path out;
    private final AtomicLong sequence = new AtomicLong();

    private IngestBench(Args args) {
        this.warmup = args.duration("--warmup", Duration.ofSeconds(5));
        this.measure = args.duration("--duration", Duration.ofSeconds(20));
        this.concurrency = args.integer("--concurrency", 16);
        this.batches = args.integers("--batches", List.of(1, 10));
        this.out = Path.of(args.text("--out", "bench/results"));
    }

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv, """
                Usage: bench/run ingest [--duration 20s] [--warmup 5s] [--concurrency 16] [--batches 1,10] [--out DIR]

                Starts an embedded Kafka broker and Reflex's ingest role, posts Alertmanager webhooks with
                --batches alerts each from --concurrency senders, then sends the same records with a bare
                Kafka producer (acks=all), and prints alerts/s and p50/p99 latency for both.
                """);
        new IngestBench(args).run();
    }

    private void run() throws Exception {
        Path dataDir = Files.createTempDirectory("reflex-bench-ingest");
        System.out.printf("Ingest benchmark: %d senders, batches %s, warm-up %ss, measure %ss, %d cores%n",
                concurrency, batches, warmup.toSeconds(), measure.toSeconds(), Runtime.getRuntime().availableProcessors());
        try (EmbeddedKafka kafka = new EmbeddedKafka(dataDir, 0, 0)) {
            kafka.start();
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                TopicSetup.ensure(admin, (short) 1);
            }
            List<Result> results = new ArrayList<>();
            try (Reflex reflex = startIngest(dataDir, kafka.bootstrapServers())) {
                for (int batch : batches) {
                    results.add(webhooks(reflex.httpPort(), batch));
                }
            }
            for (int batch : batches) {
                results.add(bareProducer(kafka.bootstrapServers(), batch));
            }
            report(results);
        }
    }

    private static Reflex startIngest(Path dataDir, String bootstrap) throws IOException {
        Path config = dataDir.resolve("bench.yaml");
        Files.writeString(config, BenchConfig.INGEST_YAML);
        ReflexConfig reflexConfig = new ConfigLoader(tree -> { })
                .load(new CliOverrides(config, 0, dataDir.resolve("reflex"), bootstrap, "ingest", true), Map.of());
        return new Reflex(reflexConfig, Clock.systemUTC()).start();
    }

    private Result webhooks(int port, int batch) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        URI uri = URI.create("http://127.0.0.1:" + port + "/hooks/alertmanager");
        Sender send = () -> {
            HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(Payloads.alertmanager(batch, sequence)))
                    .build();
            return http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                    .thenApply(response -> response.statusCode() == 202);
        };
        return drive("ingest webhook", batch, send);
    }

    private Result bareProducer(String bootstrap, int batch) throws Exception {
        Map<String, Object> props = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5);
        try (KafkaProducer<String, AlertEvent> producer = new KafkaProducer<>(props, new StringSerializer(),
                Topics.ALERTS.valueSerde().serializer())) {
            Sender send = () -> {
                List<CompletableFuture<Boolean>> acks = new ArrayList<>(batch);
                for (AlertEvent alert : alerts(batch)) {
                    CompletableFuture<Boolean> ack = new CompletableFuture<>();
                    producer.send(new ProducerRecord<>(Topics.ALERTS.name(), alert.resource().key(), alert),
                            (metadata, error) -> ack.complete(error == null));
                    acks.add(ack);
                }
                return CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new))
                        .thenApply(done -> acks.stream().allMatch(CompletableFuture::join));
            };
            return drive("bare Kafka producer", batch, send);
        }
    }

    /** The same records the webhook path produces: one per alert, keyed by resource. */
    private List<AlertEvent> alerts(int batch) {
        Instant now = Instant.now();
        List<AlertEvent> alerts = new ArrayList<>(batch);
        for (int i = 0; i < batch; i++) {
            long n = sequence.incrementAndGet();
            String fingerprint = Long.toHexString(n);
            alerts.add(new AlertEvent(AlertEvent.idFor("alertmanager", fingerprint, now, AlertStatus.FIRING),
                    "alertmanager", "BenchAlert", AlertStatus.FIRING, "warning",
                    Resource.of("host", "bench-" + (n % 500)),
                    Map.of("alertname", "BenchAlert", "host", "bench-" + (n % 500), "severity", "warning"),
                    Map.of("summary", "benchmark alert " + n), now, null, now, fingerprint, null));
        }
        return alerts;
    }

    /** Runs the senders through warm-up, then measures for the configured time. */
    private Result drive(String scenario, int batch, Sender send) throws Exception {
        System.out.printf("  %s, %d alert(s) per request: warming up…%n", scenario, batch);
        new Load(send, concurrency).run(warmup);
        System.out.printf("  %s, %d alert(s) per request: measuring %ss…%n", scenario, batch, measure.toSeconds());
        Load load = new Load(send, concurrency);
        double seconds = load.run(measure);
        Latencies latencies = load.latencies();
        long requests = latencies.count();
        return new Result(scenario, batch, load.succeeded() * batch, requests, load.failed(), seconds,
                latencies.quantileMillis(0.50), latencies.quantileMillis(0.99));
    }

    private void report(List<Result> results) throws IOException {
        StringBuilder text = new StringBuilder();
        String when = DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(Instant.now().atOffset(ZoneOffset.UTC)).substring(0, 19);
        text.append("Ingest benchmark, ").append(when).append(" UTC, ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores, ").append(concurrency).append(" concurrent senders, ").append(measure.toSeconds())
                .append(" s per scenario (after ").append(warmup.toSeconds()).append(" s warm-up)\n\n");
        text.append(Result.header()).append('\n');
        results.forEach(r -> text.append(r.row()).append('\n'));
        text.append('\n');
        for (int batch : batches) {
            Result hook = find(results, "ingest webhook", batch);
            Result bare = find(results, "bare Kafka producer", batch);
            text.append(String.format("Batch %d: ingest reaches %.0f%% of the bare producer's alerts/s.%n", batch,
                    100 * hook.alertsPerSecond() / bare.alertsPerSecond()));
        }
        System.out.println();
        System.out.print(text);
        Files.createDirectories(out);
        Path file = out.resolve("ingest-" + when.replace(':', '-') + ".md");
        Files.writeString(file, text.toString());
        System.out.println("Written to " + file);
    }

    private static Result find(List<Result> results, String scenario, int batch) {
        return results.stream().filter(r -> r.scenario().equals(scenario) && r.batch() == batch).findFirst()
                .orElseThrow();
    }

    /** Sends one request (or one batch of records); completes with whether it was acknowledged. */
    @FunctionalInterface
    interface Sender {
        CompletableFuture<Boolean> send();
    }
}
