package io.reflex.ingest;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.concurrent.TimeUnit;

/**
 * The metrics of ingest. Register once per registry (a second registration of the same names fails).
 *
 * <ul>
 *   <li>{@code reflex_ingest_alerts_total{source, outcome}}: alerts by outcome: {@code accepted}
 *       (stored in Kafka), {@code invalid} (body rejected with 400/422), {@code unavailable}
 *       (Kafka did not acknowledge: 503, or a probe transition kept for retry)</li>
 *   <li>{@code reflex_ingest_request_seconds{source, code}}: webhook request duration by HTTP status</li>
 * </ul>
 */
public final class IngestMetrics {

    public static final String ACCEPTED = "accepted";
    public static final String INVALID = "invalid";
    public static final String UNAVAILABLE = "unavailable";

    private final Counter alerts;
    private final Counter rejected;
    private final Histogram requests;

    public IngestMetrics(PrometheusRegistry registry) {
        this.alerts = Counter.builder()
                .name("reflex_ingest_alerts_total")
                .help("Alerts received by ingest, by source and outcome (accepted, invalid, unavailable)")
                .labelNames("source", "outcome")
                .register(registry);
        this.rejected = Counter.builder()
                .name("reflex_ingest_rejected_total")
                .help("Webhooks refused before or while storing, by source and reason (bad_credentials, "
                        + "rate_limited, invalid_payload, limit_exceeded, kafka_unavailable, ...)")
                .labelNames("source", "reason")
                .register(registry);
        this.requests = Histogram.builder()
                .name("reflex_ingest_request_seconds")
                .help("Duration of webhook requests, by source and HTTP status")
                .labelNames("source", "code")
                .register(registry);
    }

    public void alerts(String source, String outcome, int count) {
        if (count > 0) {
            alerts.labelValues(source, outcome).inc(count);
        }
    }

    /** One refused webhook; the source label is the configured name, or {@code unknown}. */
    public void rejected(String source, String reason) {
        rejected.labelValues(source, reason).inc();
    }

    /** Records one request that started at {@code startNanos} ({@link System#nanoTime()}). */
    public void request(String source, int code, long startNanos) {
        double seconds = (System.nanoTime() - startNanos) / (double) TimeUnit.SECONDS.toNanos(1);
        requests.labelValues(source, Integer.toString(code)).observe(seconds);
    }
}
