package io.reflex.rules.replay;

import io.reflex.model.Action;
import io.reflex.model.ActionMode;
import io.reflex.model.ActionType;
import io.reflex.model.AlertEvent;
import io.reflex.model.AlertStatus;
import io.reflex.model.Incident;
import io.reflex.model.Resource;
import io.reflex.model.RuleRef;
import io.reflex.model.Target;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** Alerts, the candidate ruleset and recorded actions for the replay tests, built as ingest and the stage build them. */
final class ReplayAlerts {
    static final String DEMO_RULE = "restart service on ServiceDown";

    /** Differs from the demo package twice: restarts on critical alerts only, and notifies on HighCPU. */
    static final String CANDIDATE = """
            package io.reflex.rules.candidate;

            import io.reflex.model.AlertEvent;
            import io.reflex.model.AlertStatus;

            global io.reflex.rules.Remediate remediate;

            rule "restart critical service on ServiceDown"
            when
                $a : AlertEvent(name == "ServiceDown", status == AlertStatus.FIRING, severity == "critical",
                                label("service") != null)
            then
                remediate.restartService($a, $a.label("service"));
            end

            rule "notify on HighCPU"
            when
                $a : AlertEvent(name == "HighCPU", status == AlertStatus.FIRING)
            then
                remediate.notify($a, "ops", "HighCPU on " + $a.resource().key());
            end
            """;

    private ReplayAlerts() {
    }

    static AlertEvent alert(String name, String service, String severity, Instant startsAt) {
        Resource resource = Resource.of("service", service);
        String fingerprint = "fp-" + name + "-" + resource.key();
        return new AlertEvent(AlertEvent.idFor("alertmanager", fingerprint, startsAt, AlertStatus.FIRING),
                "alertmanager", name, AlertStatus.FIRING, severity, resource,
                Map.of("alertname", name, "service", service), Map.of(), startsAt, null, startsAt.plusSeconds(1),
                fingerprint, null);
    }

    /** The restart the demo rule decided for a ServiceDown that opened its incident, as the stage records it. */
    static Action restartTakenFor(AlertEvent alert) {
        String incidentId = Incident.idFor(alert.resource(), alert.name(), alert.id());
        return new Action(Action.idFor(incidentId, DEMO_RULE, alert.id() + "#0"), incidentId,
                new RuleRef(DEMO_RULE, 1), ActionType.RESTART_SERVICE,
                new Target("process", "service", alert.label("service")), Map.of(), ActionMode.EXECUTE, false,
                alert.receivedAt(), alert.receivedAt().plus(Duration.ofMinutes(5)), alert.resource().key(),
                alert.labels());
    }
}
