package io.reflex.drill;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What "healthy" means for a drill: a probe, checked every {@code interval}, each check bounded by
 * {@code timeout}. The drill refuses to inject a fault unless it passes first, and the target has
 * recovered when it passes again.
 */
public record SteadyState(Probe probe, Duration interval, Duration timeout) {
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

    public SteadyState {
        Objects.requireNonNull(probe, "probe");
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(timeout, "timeout");
    }

    /** The kinds of steady-state probe a drill file can name. */
    public sealed interface Probe permits Http, Tcp, Command, Prometheus {
        /** For logs and reports, e.g. {@code GET http://127.0.0.1:8081/health -> 200}. */
        String describe();
    }

    /** Healthy when a GET of {@code url} answers {@code expectStatus}. */
    public record Http(String url, int expectStatus) implements Probe {
        @Override
        public String describe() {
            return "GET " + url + " -> " + expectStatus;
        }
    }

    /** Healthy when a TCP connection to {@code host:port} opens. */
    public record Tcp(String host, int port) implements Probe {
        @Override
        public String describe() {
            return "tcp " + host + ":" + port;
        }
    }

    /** Healthy when the command (argv, no shell) exits with 0. */
    public record Command(List<String> argv) implements Probe {
        public Command {
            argv = List.copyOf(argv);
        }

        @Override
        public String describe() {
            return "command " + String.join(" ", argv);
        }
    }

    /**
     * Healthy when the PromQL instant query returns at least one sample and every value is
     * non-zero (e.g. {@code up{job="shop"}}, or {@code sum(rate(errors[1m])) < 1}).
     *
     * @param url the Prometheus base URL ({@code http://127.0.0.1:9090}); null: the runner's
     *            setting ({@link DrillContext#prometheusUrl()})
     */
    public record Prometheus(String query, URI url) implements Probe {
        public Prometheus {
            Objects.requireNonNull(query, "query");
        }

        /** The same probe asking {@code fallback} when it names no URL of its own. */
        public Prometheus orUrl(URI fallback) {
            return url != null ? this : new Prometheus(query, fallback);
        }

        @Override
        public String describe() {
            return "prometheus " + query + (url == null ? "" : " at " + url);
        }
    }

    /** The same steady state with another probe. */
    public SteadyState withProbe(Probe other) {
        return new SteadyState(other, interval, timeout);
    }
}
