package io.reflex.remediator.rollout;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * A member of the rollout integration test, run in its own JVM by the process connector:
 * {@code RolloutTestService PORT STARTS_FILE [unready-after-restart]}. Each start appends its
 * pid to STARTS_FILE. {@code GET /alive} always answers 200 (what the process connector waits
 * for); {@code GET /ready} (the rollout's gate) answers 200, or 503 when started with
 * {@code unready-after-restart} and STARTS_FILE shows an earlier start: a patch that leaves
 * the service running but not ready.
 */
public final class RolloutTestService {

    private RolloutTestService() {
    }

    public static void main(String[] args) throws IOException {
        final int port = Integer.parseInt(args[0]);
        final Path starts = Path.of(args[1]);
        final boolean unreadyAfterRestart = List.of(args).subList(2, args.length).contains("unready-after-restart");

        final boolean restarted = Files.exists(starts) && !Files.readString(starts).isBlank();
        Files.writeString(starts, ProcessHandle.current().pid() + "\n", StandardCharsets.US_ASCII,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        final int ready = unreadyAfterRestart && restarted ? 503 : 200;

        final HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext("/alive", exchange -> answer(exchange, 200));
        server.createContext("/ready", exchange -> answer(exchange, ready));
        server.start();
        System.out.println("listening on 127.0.0.1:" + port + ", /ready answers " + ready);
    }

    private static void answer(com.sun.net.httpserver.HttpExchange exchange, int status) throws IOException {
        final byte[] body = ("status " + status + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
