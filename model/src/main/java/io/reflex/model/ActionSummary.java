package io.reflex.model;

/** An action as an incident lists it: what, on what, by which rule, and how it stands. */
public record ActionSummary(String id, ActionType type, ActionStatus status, Target target, RuleRef rule) {
    public ActionSummary {
        Names.requireText(id, "id");
        Names.require(status, "status");
    }

    public static ActionSummary of(Action action) {
        return new ActionSummary(action.id(), action.type(), ActionStatus.PENDING, action.target(), action.rule());
    }

    public ActionSummary withStatus(ActionStatus newStatus) {
        return new ActionSummary(id, type, newStatus, target, rule);
    }
}
