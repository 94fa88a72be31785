package io.reflex.remediator.rollout;

import io.reflex.connectors.spi.Connector;
import io.reflex.connectors.spi.Outcome;
import io.reflex.model.Action;
import io.reflex.model.ActionMode;
import io.reflex.model.ActionType;
import io.reflex.model.RuleRef;
import io.reflex.model.Target;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Fakes for the rollout's unit tests: a clock moved by the rollout's own waits, a connector, a probe, a listener. */
final class RolloutFakes {

    static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

    private RolloutFakes() {
    }

    static Action rotatePatch(String group, Map<String, String> params, Duration deadlineIn) {
        return new Action("act-1", "inc-1", new RuleRef("patch-tuesday", 1), ActionType.ROTATE_PATCH,
                new Target("rollout", PatchRollout.GROUP_KIND, group), params, ActionMode.EXECUTE, false, T0,
                T0.plus(deadlineIn), "host:web", Map.of("zone", "a"));
    }

    /** A clock that only moves when the rollout waits (through {@link #sleeper()}) or a fake takes time. */
    static final class MovingClock extends Clock {
        private Instant now = T0;
        final List<Duration> sleeps = new ArrayList<>();

        synchronized void advance(Duration duration) {
            now = now.plus(duration);
        }

        PatchRollout.Sleeper sleeper() {
            return duration -> {
                sleeps.add(duration);
                advance(duration);
            };
        }

        @Override
        public synchronized Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }

    /** Records every event of a run, in order, so tests can check what happened before what. */
    static final class Journal {
        final List<String> events = Collections.synchronizedList(new ArrayList<>());
    }

    /** A connector whose outcome per target name is set by the test; SUCCEEDED by default. */
    static class FakeConnector implements Connector {
        final List<Action> executed = new ArrayList<>();
        final Map<String, Outcome> outcomes = new HashMap<>();
        private final Journal journal;
        private final MovingClock clock;

        FakeConnector(Journal journal, MovingClock clock) {
            this.journal = journal;
            this.clock = clock;
        }

        @Override
        public String name() {
            return "fake";
        }

        @Override
        public Outcome execute(Action action) {
            executed.add(action);
            journal.events.add("step " + action.target().name());
            clock.advance(Duration.ofMillis(500));
            return outcomes.getOrDefault(action.target().name(), Outcome.succeeded("restarted " + action.target().name()));
        }

        List<String> targets() {
            return executed.stream().map(a -> a.target().name()).toList();
        }
    }

    /**
     * A probe per member (read from the gate's URL path, http://gate/MEMBER): healthy at once by
     * default, after a number of failed checks, or never.
     */
    static final class FakeProbe implements Probe {
        final Map<String, Integer> failuresBeforeHealthy = new HashMap<>();
        final Map<String, Integer> checks = new HashMap<>();
        final List<HealthGate> gates = new ArrayList<>();
        private final Journal journal;

        FakeProbe(Journal journal) {
            this.journal = journal;
        }

        void neverHealthy(String member) {
            failuresBeforeHealthy.put(member, Integer.MAX_VALUE);
        }

        @Override
        public Result check(HealthGate gate, Duration timeout) {
            gates.add(gate);
            final String member = member(gate);
            final int n = checks.merge(member, 1, Integer::sum);
            journal.events.add("gate " + member);
            return n > failuresBeforeHealthy.getOrDefault(member, 0) ? Result.healthy("HTTP 200")
                    : Result.unhealthy("HTTP 503");
        }

        static String member(HealthGate gate) {
            final String path = ((HealthGate.Http) gate).url().getPath();
            return path.substring(path.lastIndexOf('/') + 1);
        }
    }

    static final class RecordingListener implements RolloutListener {
        final List<String> steps = new ArrayList<>();
        final List<Map<String, String>> refs = new ArrayList<>();
        final List<String> escalations = new ArrayList<>();

        @Override
        public void step(String incidentId, String summary, Map<String, String> stepRefs) {
            steps.add(incidentId + ": " + summary);
            refs.add(stepRefs);
        }

        @Override
        public void escalate(String incidentId, String reason) {
            escalations.add(incidentId + ": " + reason);
        }
    }

    static Function<String, java.util.Optional<Connector>> only(Connector connector) {
        return name -> name.equals(connector.name()) ? java.util.Optional.of(connector) : java.util.Optional.empty();
    }
}
