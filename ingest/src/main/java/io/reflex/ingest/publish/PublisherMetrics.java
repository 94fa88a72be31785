package io.reflex.ingest.publish;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.concurrent.TimeUnit;

/**
 * The metrics of the alert publisher. Register once per registry (a second registration of the
 * same names fails).
 *
 * <ul>
 *   <li>{@code reflex_ingest_kafka_commit_seconds{outcome}}: one Kafka transaction, from its
 *       first send to its commit; {@code outcome} is {@code committed}, {@code refused} (Kafka
 *       refused a record for itself; retried without it), {@code failed} or {@code in_doubt}</li>
 *   <li>{@code reflex_ingest_kafka_batch_records}: records per transaction</li>
 *   <li>{@code reflex_ingest_dead_letters_total{reason}}: alerts written to {@code reflex.alerts.dlq}</li>
 *   <li>{@code reflex_ingest_publish_failures_total{reason}}: alerts not stored, by
 *       {@link PublishFailedException.Reason#code()}</li>
 *   <li>{@code reflex_ingest_publish_queue_alerts}, {@code reflex_ingest_publish_queue_bytes}:
 *       waiting for a transaction</li>
 *   <li>{@code reflex_ingest_kafka_producer_restarts_total}: producers closed and replaced after
 *       an error they cannot recover from</li>
 * </ul>
 */
public final class PublisherMetrics {

    private final Histogram commits;
    private final Histogram batches;
    private final Counter deadLetters;
    private final Counter failures;
    private final Gauge queueAlerts;
    private final Gauge queueBytes;
    private final Counter restarts;

    public PublisherMetrics(PrometheusRegistry registry) {
        this.commits = Histogram.builder()
                .name("reflex_ingest_kafka_commit_seconds")
                .help("Duration of one Kafka transaction of ingest, from the first send to the commit, by outcome")
                .labelNames("outcome")
                .classicOnly()
                .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
                .register(registry);
        this.batches = Histogram.builder()
                .name("reflex_ingest_kafka_batch_records")
                .help("Records (alerts and dead letters) per Kafka transaction of ingest")
                .classicOnly()
                .classicUpperBounds(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)
                .register(registry);
        this.deadLetters = Counter.builder()
                .name("reflex_ingest_dead_letters_total")
                .help("Alerts written to reflex.alerts.dlq instead of reflex.alerts, by reason")
                .labelNames("reason")
                .register(registry);
        this.failures = Counter.builder()
                .name("reflex_ingest_publish_failures_total")
                .help("Alerts ingest could not store (the webhook answered 503), by reason")
                .labelNames("reason")
                .register(registry);
        this.queueAlerts = Gauge.builder()
                .name("reflex_ingest_publish_queue_alerts")
                .help("Alerts waiting for a Kafka transaction, per committer")
                .labelNames("committer")
                .register(registry);
        this.queueBytes = Gauge.builder()
                .name("reflex_ingest_publish_queue_bytes")
                .help("Serialized bytes of the alerts waiting for a Kafka transaction, per committer")
                .labelNames("committer")
                .register(registry);
        this.restarts = Counter.builder()
                .name("reflex_ingest_kafka_producer_restarts_total")
                .help("Kafka producers of ingest closed and replaced after an error they cannot recover from")
                .register(registry);
    }

    /** Metrics registered nowhere: for tests and callers that export none. */
    public static PublisherMetrics unregistered() {
        return new PublisherMetrics(new PrometheusRegistry());
    }

    void transaction(String outcome, long startNanos, int records) {
        commits.labelValues(outcome).observe((System.nanoTime() - startNanos) / (double) TimeUnit.SECONDS.toNanos(1));
        batches.observe(records);
    }

    void deadLetter(String reason) {
        deadLetters.labelValues(reason).inc();
    }

    void failed(PublishFailedException.Reason reason, int alerts) {
        if (alerts > 0) {
            failures.labelValues(reason.code()).inc(alerts);
        }
    }

    void queue(String committer, int alerts, long bytes) {
        queueAlerts.labelValues(committer).set(alerts);
        queueBytes.labelValues(committer).set(bytes);
    }

    void producerRestart() {
        restarts.inc();
    }
}
