package io.reflex.remediator.guard;

import io.reflex.model.Action;
import io.reflex.model.ActionMode;
import io.reflex.model.ActionResult;
import io.reflex.model.ActionStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The guardrails as drills rehearse them. A DRY_RUN action with the label {@code drillId} is
 * judged by a {@link Guardrails} of that drill alone: the same {@link GuardrailsConfig} (kill
 * switch off: a paused remediator still lets drills rehearse), and an {@link ActivityLog} of its
 * own that hears only that drill's rehearsed actions. So rehearsed actions count against each
 * other as real ones would, and never against real executions, whose ledger they do not touch.
 *
 * <p>An allowed rehearsal is recorded as admitted and then finished (succeeded): a lasting kind
 * (isolate, stop, cordon, drain) stays a lasting disruption of the rehearsal ledger until a
 * rehearsed undo (start, uncordon) of the same target, as real ones do until released.
 *
 * <p>At most {@link #MAX_DRILLS} drills are kept, the least recently used closed first, and a
 * drill not heard of for {@link #IDLE} is forgotten. Thread-safe (one lock).
 */
public final class Rehearsals {
    private static final Logger log = LoggerFactory.getLogger(Rehearsals.class);
    /** The action label naming the drill that caused an action. */
    public static final String DRILL_ID = "drillId";
    /** Drills rehearsed at once at most: a further one forgets the one used least recently. */
    public static final int MAX_DRILLS = 8;
    /** A drill without a rehearsed action for this long is forgotten (its drill is over). */
    public static final Duration IDLE = Duration.ofMinutes(10);

    private final GuardrailsConfig config;
    private final Clock clock;
    /** Drill id → its guardrails, least recently used first. */
    private final LinkedHashMap<String, Guardrails> drills = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<String, Instant> lastUsed = new HashMap<>();

    /**
     * @param config the guardrails of the remediator; its {@code paused} is ignored
     * @throws IllegalArgumentException when the config is invalid
     */
    public Rehearsals(GuardrailsConfig config, Clock clock) {
        Objects.requireNonNull(config, "config");
        this.config = new GuardrailsConfig(false, config.dryRun(), config.rateLimits(), config.blastRadius(),
                config.flapping(), config.maintenanceWindows(), config.silences());
        this.clock = Objects.requireNonNull(clock, "clock");
        List<String> problems = this.config.validate("remediator.guardrails");
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid guardrails: " + String.join("; ", problems));
        }
    }

    /** The drill an action rehearses: its {@code drillId} label when it is a DRY_RUN; null otherwise. */
    public static String drillOf(Action action) {
        return action.mode() == ActionMode.DRY_RUN ? action.label(DRILL_ID) : null;
    }

    /**
     * What the guardrails would decide for the action in its drill's rehearsal; when they allow
     * it, it is recorded in the drill's ledger as admitted and finished. Never waits.
     *
     * @throws IllegalArgumentException when the action rehearses no drill ({@link #drillOf} is null)
     */
    public synchronized Verdict check(Action action) {
        String drillId = drillOf(action);
        if (drillId == null) {
            throw new IllegalArgumentException("action " + action.id() + " is " + action.mode()
                    + " without a drillId label; only drills' dry runs are rehearsed");
        }
        Guardrails guardrails = guardrailsOf(drillId);
        // Judged as the execution it rehearses, so limits count it; only this drill's ledger hears of it.
        Verdict verdict = guardrails.check(action.withMode(ActionMode.EXECUTE));
        if (verdict.allowed()) {
            Instant now = clock.instant();
            guardrails.activity().onResult(new ActionResult(action.id(), action.incidentId(), ActionStatus.SUCCEEDED,
                    1, "rehearsed by drill " + drillId, now, now, action.type()), now);
        }
        return verdict;
    }

    /** The rehearsal ledger of a drill still kept, for the API and tests. */
    public synchronized Optional<ActivityLog> ledger(String drillId) {
        Guardrails guardrails = drills.get(drillId);
        return guardrails == null ? Optional.empty() : Optional.of(guardrails.activity());
    }

    /** The drills rehearsed now, least recently used first. */
    public synchronized List<String> drills() {
        forgetIdle(clock.instant());
        return new ArrayList<>(drills.keySet());
    }

    private Guardrails guardrailsOf(String drillId) {
        Instant now = clock.instant();
        forgetIdle(now);
        Guardrails guardrails = drills.get(drillId);
        if (guardrails == null) {
            if (drills.size() >= MAX_DRILLS) {
                Iterator<String> eldest = drills.keySet().iterator();
                String evicted = eldest.next();
                eldest.remove();
                lastUsed.remove(evicted);
                log.info("drill {}: rehearsal ledger dropped: {} drills are rehearsed at most at once and it was used"
                        + " least recently; its later dry runs start from an empty ledger", evicted, MAX_DRILLS);
            }
            guardrails = new Guardrails(config, new ActivityLog(), clock);
            drills.put(drillId, guardrails);
            log.info("drill {}: rehearsing its dry runs against the guardrails in a ledger of its own", drillId);
        }
        lastUsed.put(drillId, now);
        return guardrails;
    }

    private void forgetIdle(Instant now) {
        Instant cutoff = now.minus(IDLE);
        for (Iterator<Map.Entry<String, Instant>> it = lastUsed.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Instant> entry = it.next();
            if (entry.getValue().isBefore(cutoff)) {
                it.remove();
                drills.remove(entry.getKey());
                log.info("drill {}: rehearsal ledger dropped after {} minutes without a dry run", entry.getKey(),
                        IDLE.toMinutes());
            }
        }
    }
}
