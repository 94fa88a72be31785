package io.reflex.connectors.process;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One managed service, as configured under {@code connectors.process.services.<name>}.
 *
 * @param command      the argument vector, run as is: no shell ever splits or expands it
 * @param workdir      the child's working directory, or empty for the application's own
 * @param env          added to (and overriding) the application's environment
 * @param health       an http(s) URL whose GET answers 2xx when the service is up; empty
 *                     when "still running after a short settle time" is all we can check
 * @param startTimeout how long a (re)start may take to become healthy
 */
public record ServiceSpec(String name, List<String> command, Optional<Path> workdir, Map<String, String> env,
                          Optional<URI> health, Duration startTimeout) {

    public ServiceSpec {
        if (!ServiceNames.isValid(name)) {
            throw new IllegalArgumentException(ServiceNames.whyInvalid(name));
        }
        command = List.copyOf(command);
        if (command.isEmpty()) {
            throw new IllegalArgumentException("service " + name + ": command must not be empty");
        }
        Objects.requireNonNull(workdir, "workdir");
        env = Map.copyOf(env);
        Objects.requireNonNull(health, "health");
        if (startTimeout.isNegative() || startTimeout.isZero()) {
            throw new IllegalArgumentException("service " + name + ": startTimeout must be positive");
        }
    }
}
