package io.reflex.connectors.process;

import io.reflex.connectors.spi.Connector;
import io.reflex.connectors.spi.ConnectorContext;
import io.reflex.connectors.spi.ConnectorProvider;

/** Registers the {@code process} connector; see {@link ProcessSettings} for its settings. */
public final class ProcessConnectorProvider implements ConnectorProvider {

    @Override
    public String name() {
        return ProcessConnector.NAME;
    }

    @Override
    public Connector create(ConnectorContext context) {
        final ProcessSettings settings = ProcessSettings.parse(name(), context.settings());
        final ProcessConnector connector = new ProcessConnector(name(), settings, context.dataDir(), context.clock());
        if (settings.autostart()) {
            try {
                connector.startAll();
            } catch (RuntimeException e) {
                connector.close();
                throw e;
            }
        }
        return connector;
    }
}
