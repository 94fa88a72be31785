package io.reflex.rules;

import io.reflex.model.AlertEvent;
import io.reflex.rules.vocabulary.ActionOutcome;
import io.reflex.rules.vocabulary.Throttle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.kie.api.KieBase;
import org.kie.api.KieServices;
import org.kie.api.event.rule.AfterMatchFiredEvent;
import org.kie.api.event.rule.AgendaEventListener;
import org.kie.api.event.rule.BeforeMatchFiredEvent;
import org.kie.api.event.rule.DefaultAgendaEventListener;
import org.kie.api.event.rule.DefaultRuleRuntimeEventListener;
import org.kie.api.event.rule.ObjectInsertedEvent;
import org.kie.api.runtime.KieSession;
import org.kie.api.runtime.KieSessionConfiguration;
import org.kie.api.runtime.conf.ClockTypeOption;
import org.kie.api.runtime.rule.ConsequenceException;
import org.kie.api.runtime.rule.FactHandle;
import org.kie.api.runtime.rule.Match;
import org.kie.api.time.SessionPseudoClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Drools session in STREAM mode on a pseudo clock, with the {@link Remediate} global bound.
 * The owner moves the clock (to record time, and on a wall-clock tick): a session never reads
 * the real time, so a replay of the same records decides the same actions.
 *
 * <p>Not thread-safe: one per stream task, used by that task's thread only.
 */
public final class RuleSession implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RuleSession.class);

    /** Bounds one {@link #fire()}: a rule that keeps re-activating itself must not stall the stream thread. */
    static final int MAX_FIRINGS = 10_000;
    /** Failed consequences tolerated in one {@link #fire()} before the rest waits for the next one. */
    static final int MAX_FAILURES = 100;

    static final String UNKNOWN_RULE = "(unknown rule)";
    private static final Pattern RULE_IN_MESSAGE = Pattern.compile("Rule \"([^\"]+)\"");

    /**
     * A rule whose consequence or condition threw.
     *
     * @param trigger the alert it was about, when Drools tells (it does for consequences only)
     */
    public record Failure(String rule, AlertEvent trigger, Throwable error) {
    }

    /** What one {@link #fire()} produced. */
    public record Outcome(int fired, List<ActionRequest> requests, List<Failure> failures) {
    }

    /** A throttle a rule consequence inserted, and its handle, to tell when it has left the session. */
    public record InsertedThrottle(Throttle throttle, FactHandle handle) {
    }

    private final KieSession session;
    private final SessionPseudoClock clock;
    private final Remediate remediate = new Remediate();
    private final List<InsertedThrottle> throttles = new ArrayList<>();
    private boolean firing;
    private boolean trackThrottles;

    /** A new session over the knowledge base, its pseudo clock at 0, {@code remediate} bound when declared. */
    public RuleSession(KieBase rules) {
        KieSessionConfiguration configuration = KieServices.get().newKieSessionConfiguration();
        configuration.setOption(ClockTypeOption.PSEUDO);
        this.session = rules.newKieSession(configuration, null);
        this.clock = session.getSessionClock();
        if (RuleCompiler.declaresRemediate(rules)) {
            session.setGlobal(Remediate.GLOBAL, remediate);
        }
        session.addEventListener(new DefaultAgendaEventListener() {
            @Override
            public void beforeMatchFired(BeforeMatchFiredEvent event) {
                Match match = event.getMatch();
                // The match is only valid while its consequence runs, which is when Remediate reads it.
                remediate.begin(match.getRule().getName(), match::getObjects);
            }

            @Override
            public void afterMatchFired(AfterMatchFiredEvent event) {
                remediate.commit();
            }
        });
        // Throttles inserted by consequences, for the owner to keep: one inserted by the owner (a
        // rebuild re-inserting a stored one) is kept already.
        session.addEventListener(new DefaultRuleRuntimeEventListener() {
            @Override
            public void objectInserted(ObjectInsertedEvent event) {
                if (trackThrottles && firing && event.getObject() instanceof Throttle throttle) {
                    throttles.add(new InsertedThrottle(throttle, event.getFactHandle()));
                }
            }
        });
    }

    /**
     * Also tells the listener about the session's matches and firings, after the session's own
     * bookkeeping ({@code POST /api/rules/explain} collects the rules that fired this way).
     */
    public void addAgendaListener(AgendaEventListener listener) {
        session.addEventListener(listener);
    }

    /** The session's time, in epoch milliseconds. */
    public long now() {
        return clock.getCurrentTime();
    }

    /** Moves the clock forward to the given time; never backwards (a late record keeps the clock where it is). */
    public void advanceTo(long epochMillis) {
        long delta = epochMillis - clock.getCurrentTime();
        if (delta > 0) {
            clock.advanceTime(delta, TimeUnit.MILLISECONDS);
        }
    }

    /** Inserts the alert as an event at the session's current time; it fires on the next {@link #fire()}. */
    public FactHandle insert(AlertEvent alert) {
        return session.insert(alert);
    }

    /** Inserts how an action ended as an event at the session's current time. */
    public FactHandle insert(ActionOutcome outcome) {
        return session.insert(outcome);
    }

    /** Re-inserts a throttle kept from an earlier session, at the session's current time. */
    public FactHandle insert(Throttle throttle) {
        return session.insert(throttle);
    }

    /**
     * Keeps the throttles rule consequences insert from now on, for {@link #drainInsertedThrottles()}.
     * Off by default: a session nobody drains (tests, replay, benchmarks) must not collect them.
     */
    public void trackInsertedThrottles() {
        trackThrottles = true;
    }

    /** The throttles rule consequences inserted since the last call, in insertion order. */
    public List<InsertedThrottle> drainInsertedThrottles() {
        List<InsertedThrottle> out = List.copyOf(throttles);
        throttles.clear();
        return out;
    }

    /** Whether the fact is still in the session, i.e. has not expired. */
    boolean holds(FactHandle handle) {
        return session.getObject(handle) != null;
    }

    /** How many facts the session holds; expired events have left it. */
    public long factCount() {
        return session.getFactCount();
    }

    /**
     * Fires what matches. A consequence or a condition that throws is reported in the outcome
     * (a consequence's requests are dropped with it) and the remaining matches still fire:
     * one broken rule must not stop the others, nor the stream.
     */
    public Outcome fire() {
        List<Failure> failures = new ArrayList<>();
        int fired = 0;
        firing = true;
        try {
            fired = fireRounds(failures);
        } finally {
            firing = false;
        }
        if (fired >= MAX_FIRINGS) {
            LOG.warn("rules fired {} times in one round, the most allowed; a rule probably re-activates itself"
                    + " (modify without no-loop?); the remaining matches fire on the next record or tick", fired);
        }
        return new Outcome(fired, remediate.drain(), failures);
    }

    private int fireRounds(List<Failure> failures) {
        int fired = 0;
        while (true) {
            try {
                fired += session.fireAllRules(MAX_FIRINGS - fired);
                break;
            } catch (ConsequenceException e) {
                remediate.abort();
                fired++;
                Match match = e.getMatch();
                String rule = match == null ? UNKNOWN_RULE : match.getRule().getName();
                failures.add(new Failure(rule, match == null ? null : triggerOf(match), rootOf(e)));
            } catch (RuntimeException e) {
                // A condition that throws (a null label in label("x").length()) surfaces here, out of
                // the propagation of an inserted fact; firing again carries on with the rest of it.
                remediate.abort();
                failures.add(new Failure(ruleNamedIn(e.getMessage()), null, e));
            }
            if (failures.size() >= MAX_FAILURES || fired >= MAX_FIRINGS) {
                LOG.warn("{} rule failures in one round; the remaining matches fire on the next record or tick",
                        failures.size());
                break;
            }
        }
        return fired;
    }

    /** Drools names the rule of a failed constraint only in its message: {@code [Rule "name" in file]}. */
    static String ruleNamedIn(String message) {
        if (message != null) {
            Matcher m = RULE_IN_MESSAGE.matcher(message);
            if (m.find()) {
                return m.group(1);
            }
        }
        return UNKNOWN_RULE;
    }

    @Override
    public void close() {
        session.dispose();
    }

    private static AlertEvent triggerOf(Match match) {
        for (Object fact : match.getObjects()) {
            if (fact instanceof AlertEvent alert) {
                return alert;
            }
        }
        return null;
    }

    /** The consequence's own exception, without Drools' wrapper. */
    private static Throwable rootOf(ConsequenceException e) {
        return e.getCause() == null ? e : e.getCause();
    }
}
