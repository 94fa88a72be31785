package io.reflex.rules;

import io.reflex.model.AlertEvent;
import io.reflex.model.AlertStatus;
import io.reflex.model.Resource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a rule package on the pseudo clock the way the rules stage does (move the clock to the
 * record's time, insert, fire), for tests outside this package: alerts with times in, the
 * actions asked for out. Times are offsets from {@link #T0}.
 */
public final class RuleHarness implements AutoCloseable {
    public static final Instant T0 = Alerts.T0;

    /** An alert arriving at an offset from T0. The resource is {@code service:<label service>} or {@code host:h}. */
    public record In(Duration at, String name, AlertStatus status, Map<String, String> labels) {
    }

    /** An action asked for, and when. */
    public record Out(Duration at, ActionRequest request) {
    }

    /** A rule that failed, and why. */
    public record Failed(Duration at, String rule, Throwable error) {
    }

    private final RuleSession session;
    private final List<Out> actions = new ArrayList<>();
    private final List<Failed> failures = new ArrayList<>();

    private RuleHarness(String drl) {
        this.session = new RuleSession(RuleCompiler.compile("test", drl));
        session.advanceTo(T0.toEpochMilli());
    }

    public static RuleHarness of(String drl) {
        return new RuleHarness(drl);
    }

    public static In firing(Duration at, String name, Map<String, String> labels) {
        return new In(at, name, AlertStatus.FIRING, labels);
    }

    public static In resolved(Duration at, String name, Map<String, String> labels) {
        return new In(at, name, AlertStatus.RESOLVED, labels);
    }

    /** Feeds the alerts in time order, then lets the clock run to {@code until}, firing as the stage does. */
    public static List<Out> run(String drl, List<In> alerts, Duration until) {
        try (RuleHarness harness = of(drl)) {
            harness.feed(alerts);
            harness.advanceTo(until);
            if (!harness.failures().isEmpty()) {
                throw new AssertionError("rules failed: " + harness.failures());
            }
            return harness.actions();
        }
    }

    public void feed(List<In> alerts) {
        alerts.stream().sorted(Comparator.comparing(In::at)).forEach(this::insert);
    }

    /** Moves the clock to the alert's time, inserts it and fires. */
    public void insert(In in) {
        advanceTo(in.at());
        session.insert(alertOf(in));
        fire(in.at());
    }

    /**
     * Moves the clock to {@code at} and fires, like the stage's wall-clock tick. It steps a second
     * at a time, as ticks do, so a timed rule fires at its due time, not at the end.
     */
    public void advanceTo(Duration at) {
        long target = T0.plus(at).toEpochMilli();
        while (session.now() < target) {
            long next = Math.min(target, session.now() + 1000);
            session.advanceTo(next);
            fire(Duration.ofMillis(next - T0.toEpochMilli()));
        }
    }

    public long factCount() {
        return session.factCount();
    }

    public List<Out> actions() {
        return List.copyOf(actions);
    }

    public List<Failed> failures() {
        return List.copyOf(failures);
    }

    private void fire(Duration at) {
        RuleSession.Outcome outcome = session.fire();
        outcome.requests().forEach(r -> actions.add(new Out(at, r)));
        outcome.failures().forEach(f -> failures.add(new Failed(at, f.rule(), f.error())));
    }

    /** Same name, labels, status and time: same alert id, as ingest would give. */
    public static AlertEvent alertOf(In in) {
        Map<String, String> labels = new HashMap<>(in.labels());
        Resource resource = labels.containsKey("service") ? Resource.of("service", labels.get("service"))
                : Resource.of("host", labels.getOrDefault("instance", "h"));
        String series = in.name() + labels;
        Instant at = T0.plus(in.at());
        AlertEvent base = Alerts.alert(in.name(), resource, labels, in.status(), at);
        // Alerts.alert fingerprints by name and resource; distinct label sets must be distinct series.
        String fingerprint = "fp-" + Integer.toHexString(series.hashCode());
        return new AlertEvent(AlertEvent.idFor(base.source(), fingerprint, at, in.status()), base.source(),
                base.name(), base.status(), base.severity(), base.resource(), base.labels(), base.annotations(),
                base.startsAt(), base.endsAt(), base.receivedAt(), fingerprint, null);
    }

    @Override
    public void close() {
        session.close();
    }
}
