package io.reflex.rules.vocabulary;

import io.reflex.model.ActionResult;
import io.reflex.model.ActionStatus;
import io.reflex.model.ActionType;
import io.reflex.model.Resource;
import java.util.Objects;
import org.kie.api.definition.type.Expires;
import org.kie.api.definition.type.Role;

/**
 * How an action ended, as a fact: the rules stage inserts one when a terminal result
 * ({@link ActionStatus#terminal()}) of an action of an open incident comes back on
 * {@code reflex.results}, so rules can react to what their actions did, e.g.
 * {@code $done : ActionOutcome(type == ActionType.RESTART_SERVICE, succeeded)}.
 *
 * <p>An event (its time is the session clock when inserted) that expires after 30 minutes, as
 * alerts do ({@link io.reflex.rules.RuleCompiler#ALERT_EXPIRY}); declared here rather than in the
 * prelude so every package that names it gets the same declaration.
 *
 * @param type      the action's type; null for results written before results carried it
 * @param detail    what happened, for people (a refusal's reason, an output excerpt); may be null
 * @param resource  the resource of the action's incident
 * @param alertName the alert that opened the incident
 */
@Role(Role.Type.EVENT)
@Expires("30m")
public record ActionOutcome(String actionId, String incidentId, ActionType type, ActionStatus status, String detail,
        Resource resource, String alertName) {

    public ActionOutcome {
        Objects.requireNonNull(actionId, "actionId");
        Objects.requireNonNull(incidentId, "incidentId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(resource, "resource");
        Objects.requireNonNull(alertName, "alertName");
    }

    /** The outcome of a result of the incident about {@code resource} opened by {@code alertName}. */
    public static ActionOutcome of(ActionResult result, Resource resource, String alertName) {
        return new ActionOutcome(result.actionId(), result.incidentId(), result.type(), result.status(),
                result.detail(), resource, alertName);
    }

    public boolean succeeded() {
        return status == ActionStatus.SUCCEEDED;
    }

    /** Failed, timed out, was rejected by an operator or skipped by a guardrail: it did not do its job. */
    public boolean failed() {
        return status.terminal() && status != ActionStatus.SUCCEEDED;
    }

    /** Whether the outcome is about this action type, e.g. {@code is("restart_service")}. */
    public boolean is(String wireName) {
        return type != null && type.wireName().equals(wireName);
    }
}
