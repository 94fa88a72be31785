package io.reflex.drill;

import java.util.Locale;
import java.util.Objects;

/**
 * The fault a drill injects. One record per kind of fault, so that stopping a service over ssh,
 * scaling a workload to zero, cordoning a node or an alert storm join as further kinds, each with
 * the fields it needs, and the runner dispatches on the kind.
 */
public sealed interface Fault permits Fault.ProcessSignal {

    /** The key of the resource whose incident the drill follows, e.g. {@code service:demo-shop}. */
    String resourceKey();

    /** For logs and reports, e.g. {@code kill -KILL service demo-shop (connector process)}. */
    String describe();

    /** The signal a process fault sends. */
    enum Signal {
        /** SIGKILL: the process cannot clean up (a crash). */
        KILL,
        /** SIGTERM: an orderly stop (someone stopped it). */
        TERM;

        static Signal parse(String text) {
            return valueOf(text.trim().toUpperCase(Locale.ROOT).replaceFirst("^SIG", ""));
        }
    }

    /**
     * {@code kill} or {@code stop} of a service a process connector manages: the drill signals the
     * process whose pid the connector wrote to {@code <dataDir>/run/<service>.pid}.
     *
     * @param kind      {@code kill} (default signal KILL) or {@code stop} (default signal TERM)
     * @param connector the process connector's name (the one rules restart the service through)
     */
    record ProcessSignal(String kind, String connector, String service, Signal signal) implements Fault {
        public ProcessSignal {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(connector, "connector");
            Objects.requireNonNull(service, "service");
            Objects.requireNonNull(signal, "signal");
        }

        @Override
        public String resourceKey() {
            return "service:" + service;
        }

        @Override
        public String describe() {
            return kind + " -" + signal + " service " + service + " (connector " + connector + ")";
        }
    }
}
