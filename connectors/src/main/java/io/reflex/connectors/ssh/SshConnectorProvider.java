package io.reflex.connectors.ssh;

import io.reflex.connectors.spi.Connector;
import io.reflex.connectors.spi.ConnectorContext;
import io.reflex.connectors.spi.ConnectorProvider;

/** Registers the {@code ssh} connector; see {@link SshSettings} for its settings. */
public final class SshConnectorProvider implements ConnectorProvider {

    @Override
    public String name() {
        return SshConnector.NAME;
    }

    @Override
    public Connector create(ConnectorContext context) {
        return new SshConnector(name(), SshSettings.parse(name(), context.settings()), context.dataDir(), context.clock());
    }
}
