package io.reflex.remediator;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.reflex.model.ActionStatus;

/** The remediator's Prometheus metrics. */
final class RemediatorMetrics {
    private final Counter actions;

    RemediatorMetrics(PrometheusRegistry registry) {
        actions = Counter.builder()
                .name("reflex_remediator_actions_total")
                .help("Actions the remediator finished, by type and final status")
                .labelNames("type", "status")
                .register(registry);
    }

    void finished(String type, ActionStatus status) {
        actions.labelValues(type, status.name()).inc();
    }
}
