package io.reflex.drill.dr;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A disaster-recovery drill, as a DR drill file describes it ({@link DrDrillFile}): synthetic alerts
 * flow while one process of a Reflex role is killed (and restarted, as a supervisor would) and,
 * optionally, the embedded Kafka broker restarts; the drill then counts alerts lost and actions
 * duplicated.
 *
 * @param kill               the process to kill; null for a drill that only restarts the broker under traffic
 *                           (at least one of kill and restartBrokerAfter is given)
 * @param restartBrokerAfter when to restart the broker, from the start of the traffic; empty for no broker restart
 * @param timeout            the whole drill's bound, from the start of the traffic: after it, what
 *                           has not arrived counts as lost
 */
public record DrDrill(String name, Traffic traffic, Kill kill, Optional<Duration> restartBrokerAfter,
        Duration timeout) {
    public static final String KIND = "dr";
    /** Time for Reflex to catch up after the traffic, when the file gives no timeout. */
    public static final Duration DEFAULT_CATCH_UP = Duration.ofMinutes(2);

    public DrDrill {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(traffic, "traffic");
        restartBrokerAfter = restartBrokerAfter == null ? Optional.empty() : restartBrokerAfter;
        Objects.requireNonNull(timeout, "timeout");
        if (kill == null && restartBrokerAfter.isEmpty()) {
            throw new IllegalArgumentException("a DR drill kills a process, restarts the broker, or both");
        }
    }

    /** Whether it restarts the broker: only a process hosting the embedded broker can run it. */
    public boolean restartsBroker() {
        return restartBrokerAfter.isPresent();
    }

    /** What it does, in one line: {@code 600 DrTest alerts over 20s; kill rules (KILL) at 6s; broker restart at 12s}. */
    public String describe() {
        StringBuilder out = new StringBuilder().append(traffic.alerts()).append(' ').append(traffic.alert())
                .append(" alerts over ").append(human(traffic.over()));
        if (traffic.execute()) {
            out.append(" (executed)");
        }
        if (kill != null) {
            out.append("; kill ").append(kill.role().id()).append(" (").append(kill.signal()).append(") at ")
                    .append(human(kill.after()));
            if (!kill.restart().isEmpty()) {
                out.append(", restarted ").append(human(kill.restartAfter())).append(" later");
            }
        }
        restartBrokerAfter.ifPresent(d -> out.append("; broker restart at ").append(human(d)));
        return out.toString();
    }

    /** {@code 2m}, {@code 20s} or {@code 1500ms}: how a drill file writes it. */
    static String human(Duration d) {
        long ms = d.toMillis();
        return ms % 60_000 == 0 && ms > 0 ? ms / 60_000 + "m" : ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }

    /**
     * The synthetic alerts: {@code alerts} of them, evenly over {@code over}, each named
     * {@code alert}, the i-th on the resource {@code resource} with {@code {i}} replaced by i.
     *
     * @param execute false (the default): the alerts carry the drill id ({@link io.reflex.model.AlertEvent#drillId}),
     *                so Reflex rehearses them (DRY_RUN actions, no connector called). True: they carry the drill
     *                id only as the label {@code drillId} and take the real path, so their incidents are real
     *                incidents (labelled with the drill id) and their actions really execute through the
     *                connectors: only then does "0 actions duplicated" say a connector never ran twice
     */
    public record Traffic(int alerts, Duration over, String alert, String resource, boolean execute) {
        public static final String DEFAULT_ALERT = "DrTest";
        public static final String DEFAULT_RESOURCE = "service:dr-{i}";

        public Traffic {
            Objects.requireNonNull(over, "over");
            Objects.requireNonNull(alert, "alert");
            Objects.requireNonNull(resource, "resource");
        }

        /** Rehearsed traffic. */
        public Traffic(int alerts, Duration over, String alert, String resource) {
            this(alerts, over, alert, resource, false);
        }

        /** {@code kind:name} of the i-th alert's resource. */
        public String resourceKey(int i) {
            return resource.replace("{i}", String.valueOf(i));
        }
    }

    /** The Reflex roles a DR drill may kill. */
    public enum Role {
        RULES, REMEDIATOR;

        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** How a process is killed: KILL is a crash (no shutdown hook runs), TERM a stop. */
    public enum Signal {
        KILL, TERM
    }

    /**
     * @param pidFile      the file holding the pid of the process to kill
     * @param after        when to kill it, from the start of the traffic
     * @param restart      the command that starts the role again (what a supervisor would run); empty for none
     * @param restartAfter how long after the kill the restart runs
     */
    public record Kill(Role role, Path pidFile, Signal signal, Duration after, List<String> restart,
            Duration restartAfter) {
        public Kill {
            Objects.requireNonNull(role, "role");
            Objects.requireNonNull(pidFile, "pidFile");
            Objects.requireNonNull(signal, "signal");
            Objects.requireNonNull(after, "after");
            restart = restart == null ? List.of() : List.copyOf(restart);
            restartAfter = restartAfter == null ? Duration.ZERO : restartAfter;
        }
    }
}
