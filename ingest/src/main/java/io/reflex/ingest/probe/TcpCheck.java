package io.reflex.ingest.probe;

import io.vertx.core.Future;
import io.vertx.core.net.ConnectOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import java.util.concurrent.TimeUnit;

/**
 * One TCP connect to a probe's {@code host:port} with the Vert.x net client, closed at once:
 * healthy when the connection is established within the timeout. Nothing is sent. The future
 * never fails; a failure is described ({@code connection refused}, {@code no answer within 1000 ms}).
 */
public final class TcpCheck implements Check {

    private final NetClient client;
    private final ProbeConfig config;

    public TcpCheck(NetClient client, ProbeConfig config) {
        this.client = client;
        this.config = config;
    }

    @Override
    public Future<CheckResult> run() {
        long timeoutMs = config.timeout().toMillis();
        ConnectOptions options = new ConnectOptions()
                .setHost(config.host())
                .setPort(config.port())
                .setTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMs));
        Future<NetSocket> connected = client.connect(options);
        // Closed whenever it connects, even after the timeout below gave up on it.
        connected.onSuccess(NetSocket::close);
        return connected
                .map(socket -> CheckResult.up("connected"))
                // The connect timeout covers the handshake; this one also covers name resolution.
                .timeout(timeoutMs, TimeUnit.MILLISECONDS)
                .otherwise(error -> CheckResult.down(Failures.describe(error, timeoutMs)));
    }
}
