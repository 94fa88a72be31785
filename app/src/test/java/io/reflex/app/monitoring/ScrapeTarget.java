package io.reflex.app.monitoring;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A service that Prometheus scrapes, whose health the test switches: healthy, {@code /metrics}
 * answers 200 with a few samples; unhealthy, it answers 503, so Prometheus records
 * {@code up == 0} for it, as for a service that is down.
 */
public final class ScrapeTarget implements AutoCloseable {

    private static final byte[] METRICS = """
            # HELP checkout_orders_total Orders placed.
            # TYPE checkout_orders_total counter
            checkout_orders_total 42
            """.getBytes(StandardCharsets.UTF_8);

    private final HttpServer server;
    private final AtomicBoolean healthy = new AtomicBoolean(true);
    private final AtomicLong scrapes = new AtomicLong();

    public ScrapeTarget() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/metrics", exchange -> {
            scrapes.incrementAndGet();
            try (exchange) {
                if (healthy.get()) {
                    exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
                    exchange.sendResponseHeaders(200, METRICS.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(METRICS);
                    }
                } else {
                    exchange.sendResponseHeaders(503, -1);
                }
            }
        });
        server.start();
    }

    /** {@code 127.0.0.1:PORT}, as a Prometheus target. */
    public String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    public void healthy(boolean value) {
        healthy.set(value);
    }

    /** Scrapes answered so far. */
    public long scrapes() {
        return scrapes.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
