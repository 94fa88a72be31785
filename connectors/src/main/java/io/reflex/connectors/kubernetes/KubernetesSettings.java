package io.reflex.connectors.kubernetes;

import io.reflex.connectors.spi.ConnectorConfigException;
import io.reflex.model.Durations;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The settings of the kubernetes connector:
 * <pre>
 * connectors:
 *   kubernetes:
 *     kubeconfig: /etc/reflex/kubeconfig   # optional; default: fabric8 auto-configuration
 *                                          # (in-cluster service account, $KUBECONFIG, ~/.kube/config)
 *     context: prod                        # optional; a context of that kubeconfig
 *     namespace: shop                      # default namespace of deployments and pods; default "default"
 *     namespaces: [shop, default]          # optional allowlist: actions elsewhere are refused
 *     maxReplicas: 20                      # upper bound of a scale action; default 50
 *     waitForRollout: true                 # wait until restarts and scales are rolled out; default true
 *     requestTimeout: 10s                  # each API request; default 10s
 * </pre>
 * Credentials stay in the kubeconfig or the service account: nothing here is secret, and
 * {@link #toString()} prints only paths and names.
 *
 * @param namespaces empty when every namespace is allowed
 */
public record KubernetesSettings(
        Optional<Path> kubeconfig,
        Optional<String> context,
        String namespace,
        Set<String> namespaces,
        int maxReplicas,
        boolean waitForRollout,
        Duration requestTimeout) {

    public static final String DEFAULT_NAMESPACE = "default";
    public static final int DEFAULT_MAX_REPLICAS = 50;
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
    /** The most a request may wait: beyond that an action's deadline is the better bound. */
    private static final Duration MAX_REQUEST_TIMEOUT = Duration.ofMinutes(10);

    private static final Set<String> KEYS = Set.of("kubeconfig", "context", "namespace", "namespaces", "maxReplicas",
            "waitForRollout", "requestTimeout");

    public KubernetesSettings {
        namespaces = Collections.unmodifiableSet(new TreeSet<>(namespaces));
    }

    /** Settings with every default, for tests and embedding. */
    public static KubernetesSettings defaults() {
        return new KubernetesSettings(Optional.empty(), Optional.empty(), DEFAULT_NAMESPACE, Set.of(),
                DEFAULT_MAX_REPLICAS, true, DEFAULT_REQUEST_TIMEOUT);
    }

    public boolean namespaceAllowed(String candidate) {
        return namespaces.isEmpty() || namespaces.contains(candidate);
    }

    public KubernetesSettings withWaitForRollout(boolean wait) {
        return new KubernetesSettings(kubeconfig, context, namespace, namespaces, maxReplicas, wait, requestTimeout);
    }

    /**
     * Reads and checks the map under {@code connectors.kubernetes}.
     *
     * @throws ConnectorConfigException listing every problem at once, each with its key
     */
    public static KubernetesSettings parse(String connectorName, Map<String, ?> settings) {
        final Map<String, ?> map = settings == null ? Map.of() : settings;
        final List<String> problems = new ArrayList<>();
        for (String key : new TreeMap<>(map).keySet()) {
            if (!KEYS.contains(key)) {
                problems.add(key + ": unknown key; expected one of " + new TreeSet<>(KEYS));
            }
        }

        final Optional<Path> kubeconfig = kubeconfig(map.get("kubeconfig"), problems);

        Optional<String> context = Optional.empty();
        final Object rawContext = map.get("context");
        if (rawContext != null) {
            if (!(rawContext instanceof String) || ((String) rawContext).isBlank()) {
                problems.add("context: must be the name of a context in the kubeconfig, not " + describe(rawContext));
            } else {
                context = Optional.of(((String) rawContext).trim());
            }
        }

        String namespace = DEFAULT_NAMESPACE;
        final Object rawNamespace = map.get("namespace");
        if (rawNamespace != null) {
            final String text = rawNamespace instanceof String ? ((String) rawNamespace).trim() : null;
            if (!KubernetesNames.isLabel(text)) {
                problems.add("namespace: " + KubernetesNames.whyNotLabel("namespace", text == null ? String.valueOf(rawNamespace) : text));
            } else {
                namespace = text;
            }
        }

        final Set<String> namespaces = new TreeSet<>();
        final Object rawNamespaces = map.get("namespaces");
        if (rawNamespaces != null && !(rawNamespaces instanceof List)) {
            problems.add("namespaces: must be a list of namespace names, e.g. [shop, default], not " + describe(rawNamespaces));
        } else if (rawNamespaces != null) {
            final List<?> list = (List<?>) rawNamespaces;
            if (list.isEmpty()) {
                // An empty allowlist reads as "nothing allowed" to some and "everything" to others: refuse to guess.
                problems.add("namespaces: is empty; leave the key out to allow every namespace, or list the allowed ones");
            }
            for (int i = 0; i < list.size(); i++) {
                final Object item = list.get(i);
                final String text = item instanceof String ? ((String) item).trim() : null;
                if (!KubernetesNames.isLabel(text)) {
                    problems.add("namespaces[" + i + "]: " + KubernetesNames.whyNotLabel("namespace",
                            text == null ? String.valueOf(item) : text));
                } else {
                    namespaces.add(text);
                }
            }
            if (rawNamespace != null && !namespaces.isEmpty() && KubernetesNames.isLabel(namespace)
                    && !namespaces.contains(namespace)) {
                problems.add("namespace: '" + namespace + "' is not in namespaces " + namespaces
                        + "; add it there or pick an allowed default");
            }
        }

        int maxReplicas = DEFAULT_MAX_REPLICAS;
        final Object rawMax = map.get("maxReplicas");
        if (rawMax != null) {
            final Integer parsed = integer(rawMax);
            if (parsed == null || parsed < 1 || parsed > 10_000) {
                problems.add("maxReplicas: must be a whole number from 1 to 10000, not " + describe(rawMax));
            } else {
                maxReplicas = parsed;
            }
        }

        boolean waitForRollout = true;
        final Object rawWait = map.get("waitForRollout");
        if (rawWait instanceof Boolean) {
            waitForRollout = (Boolean) rawWait;
        } else if (rawWait instanceof String
                && Set.of("true", "false").contains(((String) rawWait).trim().toLowerCase(Locale.ROOT))) {
            // Environment overrides arrive as strings.
            waitForRollout = Boolean.parseBoolean(((String) rawWait).trim());
        } else if (rawWait != null) {
            problems.add("waitForRollout: must be true or false, not " + describe(rawWait));
        }

        Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
        final Object rawTimeout = map.get("requestTimeout");
        if (rawTimeout != null) {
            Duration parsed = null;
            if (rawTimeout instanceof Number || rawTimeout instanceof String) {
                try {
                    parsed = Durations.parse(rawTimeout.toString());
                } catch (IllegalArgumentException e) {
                    parsed = null;
                }
            }
            if (parsed == null || parsed.isNegative() || parsed.isZero() || parsed.compareTo(MAX_REQUEST_TIMEOUT) > 0) {
                problems.add("requestTimeout: must be a positive duration up to 10m such as 10s or PT10S, not "
                        + describe(rawTimeout));
            } else {
                requestTimeout = parsed;
            }
        }

        if (!problems.isEmpty()) {
            throw ConnectorConfigException.of(connectorName, problems);
        }
        return new KubernetesSettings(kubeconfig, context, namespace, namespaces, maxReplicas, waitForRollout,
                requestTimeout);
    }

    private static Optional<Path> kubeconfig(Object raw, List<String> problems) {
        if (raw == null) {
            return Optional.empty();
        }
        if (!(raw instanceof String) || ((String) raw).isBlank()) {
            problems.add("kubeconfig: must be the path of a kubeconfig file, not " + describe(raw));
            return Optional.empty();
        }
        final Path path;
        try {
            path = Path.of(((String) raw).trim()).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            problems.add("kubeconfig: not a valid path: " + e.getMessage());
            return Optional.empty();
        }
        // The content holds credentials: it is read by fabric8 only, never echoed in a problem.
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            problems.add("kubeconfig: " + path + " does not exist or is not a readable file; point it at a"
                    + " kubeconfig, or leave it out to use the service account or ~/.kube/config");
            return Optional.empty();
        }
        return Optional.of(path);
    }

    private static Integer integer(Object raw) {
        if (raw instanceof Integer || raw instanceof Long || raw instanceof Short) {
            final long value = ((Number) raw).longValue();
            return value > Integer.MAX_VALUE || value < Integer.MIN_VALUE ? null : (int) value;
        }
        if (raw instanceof BigDecimal || raw instanceof Double || raw instanceof Float) {
            return null;
        }
        if (raw instanceof String) {
            try {
                return Integer.parseInt(((String) raw).trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    static String describe(Object value) {
        if (value == null) {
            return "empty";
        }
        if (value instanceof String) {
            return "the string " + KubernetesNames.quote((String) value);
        }
        if (value instanceof Map) {
            return "a map";
        }
        if (value instanceof List) {
            return "a list";
        }
        if (value instanceof Number || value instanceof Boolean) {
            return "the " + (value instanceof Number ? "number " : "boolean ") + value;
        }
        return "a " + value.getClass().getSimpleName();
    }
}
