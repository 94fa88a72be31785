package io.reflex.connectors.ansible;

import io.reflex.connectors.spi.Connector;
import io.reflex.connectors.spi.ConnectorContext;
import io.reflex.connectors.spi.ConnectorProvider;

/** Registers the {@code ansible} connector; see {@link AnsibleSettings} for its settings. */
public final class AnsibleConnectorProvider implements ConnectorProvider {

    @Override
    public String name() {
        return AnsibleConnector.NAME;
    }

    @Override
    public Connector create(ConnectorContext context) {
        return new AnsibleConnector(name(), AnsibleSettings.parse(name(), context.settings()), context.dataDir(),
                context.clock());
    }
}
