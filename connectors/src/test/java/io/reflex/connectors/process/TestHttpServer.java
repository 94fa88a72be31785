package io.reflex.connectors.process;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.ProcessBuilder.Redirect;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The managed service of the integration tests, run in its own JVM by the process connector:
 * {@code TestHttpServer PORT STATUS [ignore-term] [spawn-child]}. {@code GET /health}
 * answers STATUS. {@code ignore-term} makes SIGTERM hang in a shutdown hook, so only SIGKILL
 * ends it; {@code spawn-child} starts a {@code sleep} child, a descendant the connector must
 * also stop.
 */
public final class TestHttpServer {

    private TestHttpServer() {
    }

    public static void main(String[] args) throws IOException {
        final int port = Integer.parseInt(args[0]);
        final int status = Integer.parseInt(args[1]);
        final List<String> flags = List.of(args).subList(2, args.length);

        System.out.println("greeting " + System.getenv("TEST_GREETING") + ", workdir " + System.getProperty("user.dir"));
        if (flags.contains("ignore-term")) {
            final CountDownLatch never = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                System.out.println("SIGTERM received; not stopping");
                try {
                    never.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        if (flags.contains("spawn-child")) {
            final Process child = new ProcessBuilder("sleep", "300").redirectOutput(Redirect.DISCARD)
                    .redirectError(Redirect.DISCARD).start();
            System.out.println("spawned child " + child.pid());
        }
        final HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext("/health", exchange -> {
            final byte[] body = ("status " + status + "\n").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        System.out.println("listening on 127.0.0.1:" + port + ", /health answers " + status);
    }
}
