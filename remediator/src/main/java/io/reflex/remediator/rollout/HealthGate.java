package io.reflex.remediator.rollout;

import java.net.URI;
import java.util.List;
import java.util.Objects;

/**
 * The health check of one member, its template filled in: what a {@link Probe} looks at to
 * tell whether the member came back healthy after its step.
 */
public sealed interface HealthGate {

    /** For people: what is checked ({@code GET http://10.0.0.3:8080/ready}). */
    String describe();

    /** Healthy when a GET answers 2xx. */
    record Http(URI url) implements HealthGate {
        public Http {
            Objects.requireNonNull(url, "url");
        }

        @Override
        public String describe() {
            return "GET " + url;
        }
    }

    /** Healthy when a TCP connection is accepted. */
    record Tcp(String host, int port) implements HealthGate {
        public Tcp {
            Objects.requireNonNull(host, "host");
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port must be 1..65535, got " + port);
            }
        }

        @Override
        public String describe() {
            return "TCP " + host + ":" + port;
        }
    }

    /** Healthy when the program exits 0. Run as an argument list, never through a shell. */
    record Command(List<String> argv) implements HealthGate {
        public Command {
            argv = List.copyOf(argv);
            if (argv.isEmpty() || argv.get(0).isBlank()) {
                throw new IllegalArgumentException("a command gate needs at least the program to run");
            }
        }

        @Override
        public String describe() {
            return "command " + argv;
        }
    }
}
