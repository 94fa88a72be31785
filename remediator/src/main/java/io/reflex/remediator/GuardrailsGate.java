package io.reflex.remediator;

import io.reflex.model.Action;
import io.reflex.remediator.guard.Guardrails;
import io.reflex.remediator.guard.Verdict;
import java.util.Objects;

/** The guardrails as the dispatcher's {@link ActionGate}: each {@link Verdict} becomes the matching {@link GateDecision}. */
public final class GuardrailsGate implements ActionGate {
    private final Guardrails guardrails;

    public GuardrailsGate(Guardrails guardrails) {
        this.guardrails = Objects.requireNonNull(guardrails, "guardrails");
    }

    @Override
    public GateDecision check(Action action) {
        return toDecision(guardrails.check(action));
    }

    static GateDecision toDecision(Verdict v) {
        return switch (v.decision()) {
            case ALLOW -> GateDecision.allow();
            case DRY_RUN -> GateDecision.dryRun(v.guardrail(), v.reason());
            case HOLD -> GateDecision.hold(v.guardrail(), v.reason(), v.retryAt());
            case REFUSE -> GateDecision.refuse(v.guardrail(), v.reason());
            case ESCALATE -> GateDecision.escalate(v.guardrail(), v.reason());
        };
    }
}
