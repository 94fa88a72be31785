package io.reflex.remediator.guard;

import io.reflex.model.Action;
import io.reflex.model.ActionMode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every guardrail, checked just before an action runs, in this order (the first that does not
 * allow it decides):
 * <ol>
 *   <li>kill switch: paused → HOLD (EXECUTE actions only);</li>
 *   <li>maintenance windows and silences → HOLD until they end;</li>
 *   <li>dry run (global, per rule, per type) → DRY_RUN (EXECUTE actions only);</li>
 *   <li>rate limits → REFUSE;</li>
 *   <li>flapping → ESCALATE;</li>
 *   <li>blast radius → HOLD, or REFUSE for the last healthy member.</li>
 * </ol>
 * Holds come before refusals: a held action is checked again and may still run; counting limits
 * come last because they depend on what is running. DRY_RUN and SHADOW actions go through the
 * same checks (a rehearsal shows what the guardrails would do) except the kill switch, and are
 * never counted as executions.
 *
 * <p>{@link #check} is atomic: when it allows an EXECUTE action it records it in the
 * {@link ActivityLog} as started at once, so a check made meanwhile on another thread counts
 * it. The dispatcher must therefore report a result (STARTED, then SUCCEEDED/FAILED/…, or
 * SKIPPED if it does not run it after all) for every action it was allowed to run.
 */
public final class Guardrails {
    private static final Logger log = LoggerFactory.getLogger(Guardrails.class);

    /** What {@code GET} on the guardrails shows: every limit with its current usage. */
    public record Status(
            KillSwitch.State killSwitch,
            DryRun.Config dryRun,
            List<Silence> silences,
            List<Holds.WindowStatus> maintenanceWindows,
            List<RateLimits.LimitStatus> rateLimits,
            Flapping.Status flapping,
            List<BlastRadius.LimitStatus> blastRadius,
            int executionsKnown) {
    }

    private final ActivityLog activity;
    private final Clock clock;
    private final KillSwitch killSwitch;
    private final Holds holds;
    private final DryRun dryRun;
    private final RateLimits rateLimits;
    private final Flapping flapping;
    private final BlastRadius blastRadius;

    /**
     * @throws IllegalArgumentException listing every configuration problem (the app validates first)
     */
    public Guardrails(GuardrailsConfig config, ActivityLog activity, Clock clock) {
        List<String> problems = config.validate("remediator.guardrails");
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid guardrails: " + String.join("; ", problems));
        }
        this.activity = Objects.requireNonNull(activity, "activity");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.killSwitch = new KillSwitch(config.paused()
                ? new KillSwitch.State(true, null, null, null) : KillSwitch.State.RUNNING);
        this.holds = new Holds(config.maintenanceWindows(), config.silences());
        this.dryRun = new DryRun(config.dryRun());
        this.rateLimits = new RateLimits(config.rateLimits(), activity);
        this.flapping = new Flapping(config.flapping(), activity);
        this.blastRadius = new BlastRadius(config.blastRadius(), activity);
    }

    /** The verdict for an action about to run; see the class comment for the order and the side effect. */
    public synchronized Verdict check(Action action) {
        Instant now = clock.instant();
        Verdict verdict = evaluate(action, now);
        boolean executes = action.mode() == ActionMode.EXECUTE;
        if (verdict.allowed() && executes) {
            activity.onAdmitted(action, now);
        } else if (verdict.decision() == Decision.DRY_RUN) {
            // Its results will say STARTED and SUCCEEDED: remember it was a rehearsal, not an execution.
            activity.onAction(action.withMode(ActionMode.DRY_RUN), now);
        }
        if (!verdict.allowed()) {
            // DEBUG: a held action is checked again every few seconds; the dispatcher reports each verdict once.
            log.debug("Guardrail {} for action {} of incident {}: {} ({})", verdict.guardrail(), action.id(),
                    action.incidentId(), verdict.decision(), verdict.reason());
        }
        return verdict;
    }

    private Verdict evaluate(Action action, Instant now) {
        Verdict v = killSwitch.check(action, now);
        if (v.allowed()) {
            v = holds.check(action, now);
        }
        if (v.allowed()) {
            v = dryRun.check(action);
        }
        if (v.allowed()) {
            v = rateLimits.check(action, now);
        }
        if (v.allowed()) {
            v = flapping.check(action, now);
        }
        if (v.allowed()) {
            v = blastRadius.check(action, now);
        }
        return v;
    }

    public Status describe() {
        Instant now = clock.instant();
        return new Status(killSwitch.state(), dryRun.config(), holds.silences(now), holds.windows(now),
                rateLimits.describe(now), flapping.describe(now), blastRadius.describe(now), activity.size());
    }

    /**
     * Forgets executions no limit looks at any more (older than the longest window, and at least
     * a day), keeping those still in flight and lasting disruptions. Call it now and then.
     *
     * @return how many were forgotten
     */
    public int prune() {
        Duration keep = rateLimits.longestWindow();
        if (flapping.window().compareTo(keep) > 0) {
            keep = flapping.window();
        }
        if (keep.compareTo(Duration.ofDays(1)) < 0) {
            keep = Duration.ofDays(1);
        }
        return activity.forgetBefore(clock.instant().minus(keep));
    }

    /** People brought the target back (un-isolated, uncordoned): it no longer counts as disrupted. */
    public void release(String targetKey) {
        activity.release(targetKey, clock.instant());
    }

    public ActivityLog activity() {
        return activity;
    }

    public KillSwitch killSwitch() {
        return killSwitch;
    }

    public Holds holds() {
        return holds;
    }
}
