package io.reflex.connectors.process;

import io.reflex.connectors.spi.ConnectorConfigException;
import io.reflex.model.Durations;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The settings of the process connector:
 * <pre>
 * connectors:
 *   process:
 *     autostart: true            # start every service when the connector is created
 *     services:
 *       demo-shop:
 *         command: [java, -cp, demo.jar, io.example.Shop, "8081"]   # a list: never a shell
 *         workdir: /srv/shop                                        # optional
 *         env: {SHOP_MODE: demo}                                    # optional
 *         health: http://127.0.0.1:8081/health                      # optional, GET must answer 2xx
 *         startTimeout: PT20S                                       # ISO-8601 or seconds; default 20s
 * </pre>
 */
public record ProcessSettings(Map<String, ServiceSpec> services, boolean autostart) {

    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(20);

    private static final Set<String> TOP_KEYS = Set.of("services", "autostart");
    private static final Set<String> SERVICE_KEYS = Set.of("command", "workdir", "env", "health", "startTimeout");

    public ProcessSettings {
        services = Collections.unmodifiableMap(new TreeMap<>(services));
    }

    /**
     * Reads and checks the map under {@code connectors.process}.
     *
     * @throws ConnectorConfigException listing every problem, each with its service and key
     */
    public static ProcessSettings parse(String connectorName, Map<String, ?> settings) {
        final List<String> problems = new ArrayList<>();
        final Map<String, ?> top = settings == null ? Map.of() : settings;
        for (String key : new TreeMap<>(top).keySet()) {
            if (!TOP_KEYS.contains(key)) {
                problems.add(key + ": unknown key; expected one of " + new TreeSet<>(TOP_KEYS));
            }
        }

        final boolean autostart = parseBoolean(top.get("autostart"), "autostart", problems);

        final Map<String, ServiceSpec> services = new LinkedHashMap<>();
        final Object rawServices = top.get("services");
        if (rawServices != null && !(rawServices instanceof Map)) {
            problems.add("services: must be a map from service name to its settings, not " + describe(rawServices));
        } else if (rawServices != null) {
            for (Map.Entry<?, ?> entry : ((Map<?, ?>) rawServices).entrySet()) {
                final String name = String.valueOf(entry.getKey());
                final ServiceSpec spec = parseService(name, entry.getValue(), problems);
                if (spec != null) {
                    services.put(name, spec);
                }
            }
        }
        if (!problems.isEmpty()) {
            throw ConnectorConfigException.of(connectorName, problems);
        }
        return new ProcessSettings(services, autostart);
    }

    private static ServiceSpec parseService(String name, Object raw, List<String> problems) {
        final int before = problems.size();
        final String at = "services." + name;
        if (!ServiceNames.isValid(name)) {
            problems.add(at + ": " + ServiceNames.whyInvalid(name));
        }
        if (!(raw instanceof Map)) {
            problems.add(at + ": must be a map with at least 'command', not " + describe(raw));
            return null;
        }
        final Map<?, ?> map = (Map<?, ?>) raw;
        for (Object key : map.keySet()) {
            if (!SERVICE_KEYS.contains(String.valueOf(key))) {
                problems.add(at + "." + key + ": unknown key; expected one of " + new TreeSet<>(SERVICE_KEYS));
            }
        }

        final List<String> command = parseCommand(map.get("command"), at + ".command", problems);

        Optional<Path> workdir = Optional.empty();
        final Object rawWorkdir = map.get("workdir");
        if (rawWorkdir != null) {
            if (!(rawWorkdir instanceof String) || ((String) rawWorkdir).isBlank()) {
                problems.add(at + ".workdir: must be a directory path, not " + describe(rawWorkdir));
            } else {
                try {
                    workdir = Optional.of(Path.of((String) rawWorkdir));
                } catch (InvalidPathException e) {
                    problems.add(at + ".workdir: not a valid path: " + e.getMessage());
                }
            }
        }

        final Map<String, String> env = new LinkedHashMap<>();
        final Object rawEnv = map.get("env");
        if (rawEnv != null && !(rawEnv instanceof Map)) {
            problems.add(at + ".env: must be a map of variable name to value, not " + describe(rawEnv));
        } else if (rawEnv != null) {
            for (Map.Entry<?, ?> variable : ((Map<?, ?>) rawEnv).entrySet()) {
                final String key = String.valueOf(variable.getKey());
                // Values are never echoed: environment variables are where secrets live.
                if (key.isEmpty() || key.indexOf('=') >= 0 || key.indexOf('\0') >= 0) {
                    problems.add(at + ".env." + key + ": not a valid variable name");
                } else if (!isScalar(variable.getValue())) {
                    problems.add(at + ".env." + key + ": must be a string, number or boolean, not "
                            + (variable.getValue() == null ? "empty" : "a " + kind(variable.getValue())));
                } else {
                    env.put(key, scalar(variable.getValue()));
                }
            }
        }

        final Optional<URI> health = parseHealth(map.get("health"), at + ".health", problems);
        final Duration startTimeout = parseDuration(map.get("startTimeout"), at + ".startTimeout", problems);

        if (problems.size() > before) {
            return null;
        }
        return new ServiceSpec(name, command, workdir, env, health, startTimeout);
    }

    private static List<String> parseCommand(Object raw, String at, List<String> problems) {
        if (raw == null) {
            problems.add(at + ": missing; give the program and its arguments as a list, e.g. [python3, -m, http.server, \"8081\"]");
            return List.of();
        }
        if (raw instanceof String) {
            problems.add(at + ": must be a list of arguments, e.g. [python3, -m, http.server, \"8081\"], not a string:"
                    + " a string would need a shell to split it, and Reflex never uses one");
            return List.of();
        }
        if (!(raw instanceof List)) {
            problems.add(at + ": must be a list of arguments, not " + describe(raw));
            return List.of();
        }
        final List<?> list = (List<?>) raw;
        if (list.isEmpty()) {
            problems.add(at + ": is empty; give at least the program to run");
            return List.of();
        }
        final List<String> command = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            final Object argument = list.get(i);
            if (!isScalar(argument) || (i == 0 && scalar(argument).isBlank())) {
                problems.add(at + "[" + i + "]: must be a non-empty string, not " + describe(argument));
            } else if (scalar(argument).indexOf('\0') >= 0) {
                problems.add(at + "[" + i + "]: contains a NUL character");
            } else {
                command.add(scalar(argument));
            }
        }
        return command;
    }

    private static Optional<URI> parseHealth(Object raw, String at, List<String> problems) {
        if (raw == null) {
            return Optional.empty();
        }
        final String example = "an http URL like http://127.0.0.1:8081/health";
        if (!(raw instanceof String)) {
            problems.add(at + ": must be " + example + ", not " + describe(raw));
            return Optional.empty();
        }
        try {
            final URI uri = new URI((String) raw);
            final String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                problems.add(at + ": must be " + example + "; got scheme '" + scheme + "'");
            } else if (uri.getHost() == null) {
                problems.add(at + ": has no host; must be " + example);
            } else if (uri.getRawUserInfo() != null) {
                problems.add(at + ": must not carry credentials (user:password@); health checks are anonymous GETs");
            } else {
                return Optional.of(uri);
            }
        } catch (URISyntaxException e) {
            problems.add(at + ": not a valid URL (" + e.getMessage() + "); must be " + example);
        }
        return Optional.empty();
    }

    /** Any form {@link Durations} reads: {@code 20s}, {@code PT20S}, {@code 20}, {@code 2.5}. */
    static Duration parseDuration(Object raw, String at, List<String> problems) {
        if (raw == null) {
            return DEFAULT_START_TIMEOUT;
        }
        Duration duration = null;
        if (raw instanceof Number || raw instanceof String) {
            try {
                duration = Durations.parse(raw.toString());
            } catch (IllegalArgumentException e) {
                duration = null;
            }
        }
        if (duration == null || duration.isNegative() || duration.isZero()) {
            problems.add(at + ": must be a positive duration such as 20s, 2m or PT20S, not " + describe(raw));
            return DEFAULT_START_TIMEOUT;
        }
        return duration;
    }

    private static boolean parseBoolean(Object raw, String at, List<String> problems) {
        if (raw == null) {
            return false;
        }
        if (raw instanceof Boolean) {
            return (Boolean) raw;
        }
        // Environment overrides arrive as strings.
        if (raw instanceof String && Set.of("true", "false").contains(((String) raw).trim().toLowerCase(Locale.ROOT))) {
            return Boolean.parseBoolean(((String) raw).trim());
        }
        problems.add(at + ": must be true or false, not " + describe(raw));
        return false;
    }

    private static boolean isScalar(Object value) {
        return value instanceof String || value instanceof Number || value instanceof Boolean;
    }

    private static String scalar(Object value) {
        return value instanceof BigDecimal ? ((BigDecimal) value).toPlainString() : String.valueOf(value);
    }

    private static String describe(Object value) {
        if (value == null) {
            return "empty";
        }
        if (value instanceof String) {
            return "the string " + ServiceNames.quote((String) value);
        }
        return "a " + kind(value);
    }

    private static String kind(Object value) {
        if (value instanceof Map) {
            return "map";
        }
        if (value instanceof List) {
            return "list";
        }
        if (value instanceof Number) {
            return "number";
        }
        if (value instanceof Boolean) {
            return "boolean";
        }
        return value.getClass().getSimpleName();
    }
}
