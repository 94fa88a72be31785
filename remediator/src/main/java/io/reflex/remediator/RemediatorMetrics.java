package io.reflex.remediator;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.reflex.model.ActionStatus;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/** The remediator's Prometheus metrics. */
final class RemediatorMetrics {
    private final Counter actions;
    private final Counter retries;
    private final Counter rehearsals;
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger held = new AtomicInteger();
    private volatile IntSupplier queued = () -> 0;

    RemediatorMetrics(PrometheusRegistry registry) {
        actions = Counter.builder()
                .name("reflex_remediator_actions_total")
                .help("Actions the remediator finished, by type and final status")
                .labelNames("type", "status")
                .register(registry);
        retries = Counter.builder()
                .name("reflex_remediator_retries_total")
                .help("Attempts that failed with a retriable failure and were retried, by action type")
                .labelNames("type")
                .register(registry);
        rehearsals = Counter.builder()
                .name("reflex_remediator_rehearsals_total")
                .help("Drills' dry runs judged by the rehearsal guardrails (never executed, not in"
                        + " reflex_remediator_actions_total), by action type")
                .labelNames("type")
                .register(registry);
        GaugeWithCallback.builder()
                .name("reflex_remediator_actions_in_progress")
                .help("Actions in this process now: running on a connector, queued behind their target, held by a"
                        + " guardrail, a circuit breaker or a retry backoff")
                .labelNames("state")
                .callback(cb -> {
                    cb.call(running.get(), "running");
                    cb.call(queued.getAsInt(), "queued");
                    cb.call(held.get(), "held");
                })
                .register(registry);
    }

    void queuedFrom(IntSupplier supplier) {
        queued = supplier;
    }

    void finished(String type, ActionStatus status) {
        actions.labelValues(type, status.name()).inc();
    }

    void rehearsed(String type) {
        rehearsals.labelValues(type).inc();
    }

    void retried(String type) {
        retries.labelValues(type).inc();
    }
}
