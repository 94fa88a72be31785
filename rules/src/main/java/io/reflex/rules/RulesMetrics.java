package io.reflex.rules;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.reflex.model.ActionType;

/** The rules stage's counters, registered in the registry the app exposes on {@code /metrics}. */
public final class RulesMetrics {
    private final PrometheusRegistry registry;
    private final Counter alerts;
    private final Counter actions;
    private final Counter ruleFailures;
    private final Counter results;
    private final Counter shadowActions;
    private final Counter verifications;
    private final Counter drillAlerts;
    private final Counter drillActions;

    public RulesMetrics(PrometheusRegistry registry) {
        this.registry = registry;
        this.alerts = Counter.builder()
                .name("reflex_rules_alerts_total")
                .help("Alerts read by the rules stage, by outcome: decided (new) or duplicate (a redelivery, dropped)")
                .labelNames("outcome")
                .register(registry);
        this.actions = Counter.builder()
                .name("reflex_rules_actions_total")
                .help("Actions decided by rules, by action type")
                .labelNames("type")
                .register(registry);
        this.ruleFailures = Counter.builder()
                .name("reflex_rules_rule_failures_total")
                .help("Rule consequences that threw, by rule")
                .labelNames("rule")
                .register(registry);
        this.results = Counter.builder()
                .name("reflex_rules_results_total")
                .help("Action results read by the rules stage, by outcome: fact (told the rules), duplicate,"
                        + " not_terminal (a step before the end), no_incident (its incident is closed), drill_fact (told a"
                        + " drill's rules), drill_no_lane (its drill's lane is closed)")
                .labelNames("outcome")
                .register(registry);
        this.shadowActions = Counter.builder()
                .name("reflex_rules_shadow_actions_total")
                .help("Actions a ruleset in shadow would have taken (recorded, never executed), by action type")
                .labelNames("type")
                .register(registry);
        this.verifications = Counter.builder()
                .name("reflex_rules_verifications_total")
                .help("Successful actions checked for recovery, by outcome: verified (the alert resolved in time),"
                        + " escalated (it did not; the incident went to a person), already_escalated (it did not,"
                        + " and the incident was escalated already)")
                .labelNames("outcome")
                .register(registry);
        this.drillAlerts = Counter.builder()
                .name("reflex_rules_drill_alerts_total")
                .help("Alerts of drills (with a drillId) decided as rehearsals, apart from real alerts")
                .register(registry);
        this.drillActions = Counter.builder()
                .name("reflex_rules_drill_actions_total")
                .help("Dry-run actions rules decided for drills' alerts (never counted as real actions), by action type")
                .labelNames("type")
                .register(registry);
    }

    void drillAlert() {
        drillAlerts.inc();
    }

    double drillAlerts() {
        return drillAlerts.get();
    }

    void drillAction(ActionType type) {
        drillActions.labelValues(type.wireName()).inc();
    }

    double drillActions(ActionType type) {
        return drillActions.labelValues(type.wireName()).get();
    }

    void verification(String outcome) {
        verifications.labelValues(outcome).inc();
    }

    double verifications(String outcome) {
        return verifications.labelValues(outcome).get();
    }

    void result(String outcome) {
        results.labelValues(outcome).inc();
    }

    void shadowAction(ActionType type) {
        shadowActions.labelValues(type.wireName()).inc();
    }

    double results(String outcome) {
        return results.labelValues(outcome).get();
    }

    double shadowActions(ActionType type) {
        return shadowActions.labelValues(type.wireName()).get();
    }

    void decided() {
        alerts.labelValues("decided").inc();
    }

    void duplicate() {
        alerts.labelValues("duplicate").inc();
    }

    void action(ActionType type) {
        actions.labelValues(type.wireName()).inc();
    }

    void ruleFailed(String rule) {
        ruleFailures.labelValues(rule).inc();
    }

    double alerts(String outcome) {
        return alerts.labelValues(outcome).get();
    }

    double actions(ActionType type) {
        return actions.labelValues(type.wireName()).get();
    }

    /** Takes the counters out of the registry, so a new stage can register them again. */
    public void unregister() {
        registry.unregister(alerts);
        registry.unregister(actions);
        registry.unregister(ruleFailures);
        registry.unregister(results);
        registry.unregister(shadowActions);
        registry.unregister(verifications);
        registry.unregister(drillAlerts);
        registry.unregister(drillActions);
    }
}
