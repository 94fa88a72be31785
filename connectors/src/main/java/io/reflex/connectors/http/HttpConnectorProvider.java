package io.reflex.connectors.http;

import io.reflex.connectors.spi.Connector;
import io.reflex.connectors.spi.ConnectorContext;
import io.reflex.connectors.spi.ConnectorProvider;
import java.util.Objects;

/** Registers the {@code http} connector; see {@link HttpSettings} for its settings. */
public final class HttpConnectorProvider implements ConnectorProvider {

    private final Secrets secrets;

    /** For {@link java.util.ServiceLoader}: secrets come from the process environment and files. */
    public HttpConnectorProvider() {
        this(Secrets.system());
    }

    /** With another source of {@code ${env:NAME}} values (tests, embedding). */
    public HttpConnectorProvider(Secrets secrets) {
        this.secrets = Objects.requireNonNull(secrets, "secrets");
    }

    @Override
    public String name() {
        return HttpConnector.NAME;
    }

    @Override
    public Connector create(ConnectorContext context) {
        return new HttpConnector(name(), HttpSettings.parse(name(), context.settings(), secrets), secrets,
                context.clock());
    }
}
