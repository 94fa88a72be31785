package io.reflex.app.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;

/**
 * The sample service of the demo: a tiny shop front that Reflex runs as a real OS process,
 * watches with a probe and restarts when it dies. JDK only, so it starts in a blink.
 *
 * <p>Usage: {@code java -cp reflex-app.jar io.reflex.app.demo.DemoShop --port 18081}
 */
public final class DemoShop {
    private DemoShop() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        int port = 18081;
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals("--port")) {
                port = Integer.parseInt(args[i + 1]);
            }
        }
        long pid = ProcessHandle.current().pid();
        Instant started = Instant.now();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 50);
        server.createContext("/health", exchange -> answer(exchange, "text/plain", "ok pid=" + pid));
        server.createContext("/", exchange -> answer(exchange, "text/html",
                "<h1>demo-shop</h1><p>pid " + pid + ", up since " + started + "</p>"));
        server.start();
        System.out.println("demo-shop listening on http://127.0.0.1:" + port + "/ (pid " + pid + ")");
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop(0);
            stopped.countDown();
        }));
        stopped.await();
    }

    private static void answer(HttpExchange exchange, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
