package io.reflex.connectors.kubernetes;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.reflex.connectors.spi.Connector;
import io.reflex.connectors.spi.ConnectorConfigException;
import io.reflex.connectors.spi.ConnectorContext;
import io.reflex.connectors.spi.ConnectorProvider;
import java.util.List;

/**
 * Registers the {@code kubernetes} connector; see {@link KubernetesSettings} for its settings.
 * Creating it makes no request: a cluster that is down at start-up fails actions (retriable),
 * not the start of Reflex.
 */
public final class KubernetesConnectorProvider implements ConnectorProvider {

    @Override
    public String name() {
        return KubernetesConnector.NAME;
    }

    @Override
    public Connector create(ConnectorContext context) {
        final KubernetesSettings settings = KubernetesSettings.parse(name(), context.settings());
        final KubernetesClient client = new KubernetesClientBuilder().withConfig(clientConfig(name(), settings)).build();
        return new KubernetesConnector(name(), settings, client, context.clock());
    }

    /**
     * The fabric8 configuration: the kubeconfig file when one is set, otherwise fabric8's own
     * discovery (in-cluster service account, {@code $KUBECONFIG}, {@code ~/.kube/config}).
     * Never logged: it holds tokens and keys.
     */
    static Config clientConfig(String connectorName, KubernetesSettings settings) {
        final String context = settings.context().orElse(null);
        final Config config;
        try {
            config = settings.kubeconfig().isPresent()
                    ? Config.fromKubeconfig(context, settings.kubeconfig().get().toFile())
                    : Config.autoConfigure(context);
        } catch (KubernetesClientException | IllegalArgumentException e) {
            // The message names the file, never its content.
            throw ConnectorConfigException.of(connectorName, List.of((settings.kubeconfig().isPresent()
                    ? "kubeconfig: " + settings.kubeconfig().get() : "kubeconfig: (auto-configuration)")
                    + " could not be loaded: " + e.getMessage()));
        }
        if (context != null && !context.equals(config.getCurrentContext() == null ? null
                : config.getCurrentContext().getName())) {
            throw ConnectorConfigException.of(connectorName, List.of("context: " + KubernetesNames.quote(context)
                    + " is not a context of " + settings.kubeconfig().map(Object::toString).orElse("the kubeconfig")
                    + "; pick one listed by `kubectl config get-contexts`"));
        }
        applyLimits(config, settings);
        return config;
    }

    /** The request timeout, and no retries inside the client. */
    static Config applyLimits(Config config, KubernetesSettings settings) {
        final int timeoutMillis = (int) Math.min(Integer.MAX_VALUE, settings.requestTimeout().toMillis());
        config.setRequestTimeout(timeoutMillis);
        config.setConnectionTimeout(timeoutMillis);
        // The remediator retries retriable failures with its own backoff and deadline; retries
        // inside the client would hide them (a 503 then a success reads as a success) and
        // overrun the deadline.
        config.setRequestRetryBackoffLimit(0);
        return config;
    }
}
