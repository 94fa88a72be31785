package io.reflex.connectors.spi;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connectors configured for this process, created from the providers on the class path.
 * Only connectors with a settings section ({@code connectors.<name>:}) are created, so a
 * provider on the class path does nothing until someone configures it.
 */
public final class Connectors implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Connectors.class);

    private final Map<String, Connector> byName;

    private Connectors(Map<String, Connector> byName) {
        this.byName = Collections.unmodifiableMap(byName);
    }

    /**
     * Creates every provider found with {@link ServiceLoader} that has settings.
     *
     * @param settingsByConnector the map under {@code connectors:}; a key present with a null
     *                            value enables that connector with empty settings
     * @param dataDir             handed unchanged to every connector
     * @throws ConnectorConfigException naming every unknown connector and every invalid
     *                                  setting; connectors already created are closed first
     */
    public static Connectors load(Map<String, Map<String, Object>> settingsByConnector, Path dataDir, Clock clock) {
        final List<ConnectorProvider> providers = new ArrayList<>();
        ServiceLoader.load(ConnectorProvider.class, Connectors.class.getClassLoader()).forEach(providers::add);
        return create(providers, settingsByConnector, dataDir, clock);
    }

    /** As {@link #load}, from the given providers instead of the class path (tests, embedding). */
    public static Connectors create(Collection<? extends ConnectorProvider> providers,
                                    Map<String, Map<String, Object>> settingsByConnector, Path dataDir, Clock clock) {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(clock, "clock");
        final Map<String, Map<String, Object>> settings = settingsByConnector == null ? Map.of() : settingsByConnector;

        final Map<String, ConnectorProvider> providerByName = new TreeMap<>();
        final List<String> problems = new ArrayList<>();
        for (ConnectorProvider provider : providers) {
            final ConnectorProvider previous = providerByName.putIfAbsent(provider.name(), provider);
            if (previous != null) {
                problems.add("connectors." + provider.name() + ": two providers claim this name ("
                        + previous.getClass().getName() + " and " + provider.getClass().getName()
                        + "); remove one of them from the class path");
            }
        }
        for (String name : new TreeMap<>(settings).keySet()) {
            if (!providerByName.containsKey(name)) {
                problems.add("connectors." + name + ": unknown connector; available: "
                        + (providerByName.isEmpty() ? "(none)" : String.join(", ", providerByName.keySet()))
                        + ". Check the spelling, or put the module that provides it on the class path");
            }
        }
        if (!problems.isEmpty()) {
            // Before creating anything: a connector may start processes when created.
            throw new ConnectorConfigException(problems);
        }

        final Map<String, Connector> created = new LinkedHashMap<>();
        try {
            for (ConnectorProvider provider : providerByName.values()) {
                if (!settings.containsKey(provider.name())) {
                    continue;
                }
                try {
                    final Connector connector = provider.create(
                            new ConnectorContext(settings.get(provider.name()), dataDir, clock));
                    created.put(provider.name(), connector);
                    LOG.info("connector {} ready", provider.name());
                } catch (ConnectorConfigException e) {
                    problems.addAll(e.problems());
                }
            }
            if (!problems.isEmpty()) {
                throw new ConnectorConfigException(problems);
            }
        } catch (RuntimeException e) {
            closeAll(created.values(), e);
            throw e;
        }
        return new Connectors(created);
    }

    public Optional<Connector> get(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** The names of the connectors created, in name order. */
    public Set<String> names() {
        return byName.keySet();
    }

    /** Closes every connector, even when one of them fails to close. */
    @Override
    public void close() {
        final RuntimeException failure = closeAll(byName.values(), null);
        if (failure != null) {
            throw failure;
        }
    }

    private static RuntimeException closeAll(Collection<Connector> connectors, RuntimeException failure) {
        RuntimeException first = failure;
        for (Connector connector : connectors) {
            try {
                connector.close();
            } catch (Exception e) {
                LOG.warn("closing connector {} failed", connector.name(), e);
                if (first == null) {
                    first = new IllegalStateException("closing connector " + connector.name() + " failed: " + e, e);
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        return first == failure ? null : first;
    }
}
