package io.reflex.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reflex.model.Incident;
import io.reflex.model.IncidentStatus;
import io.reflex.model.Resource;
import io.reflex.model.TimelineEntry;
import io.reflex.model.TimelineKind;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code /api/stream} over real sockets: pings, and a client that stops reading is dropped. */
class EventStreamIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

    private final IncidentView view = new IncidentView(ConsoleConfig.withMaxIncidents(100), Clock.fixed(T0, ZoneOffset.UTC));
    private Vertx vertx;
    private HttpServer server;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        Router router = Router.router(vertx);
        EventStream stream = new EventStream(view, Duration.ofMillis(100));
        router.get("/api/stream").handler(stream::handle);
        server = vertx.createHttpServer().requestHandler(router).listen(0)
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private Socket open(int receiveBuffer) throws IOException {
        Socket socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer); // before connecting, so the window stays small
        }
        socket.connect(new InetSocketAddress("127.0.0.1", server.actualPort()), 10_000);
        OutputStream out = socket.getOutputStream();
        out.write(("GET /api/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return socket;
    }

    @Test
    void anIdleStreamGetsPingsAndEventsInSseFormat() throws Exception {
        try (Socket socket = open(0)) {
            List<String> lines = new CopyOnWriteArrayList<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    lines.add("<closed>");
                }
            });
            reader.setDaemon(true);
            reader.start();
            await().atMost(WAIT).until(() -> lines.contains(": ping") && view.listenerCount() == 1);
            assertThat(lines).contains("content-type: text/event-stream; charset=utf-8", "transfer-encoding: chunked");
            view.incident(new Incident("inc-1", IncidentStatus.OPEN, "ServiceDown on service:a", Resource.of("service", "a"),
                    "ServiceDown", T0, null, List.of(), List.of()));
            await().atMost(WAIT).until(() -> lines.contains("event: incident"));
            int at = lines.indexOf("event: incident");
            await().atMost(WAIT).until(() -> lines.size() > at + 1);
            assertThat(lines.get(at + 1)).startsWith("data: {\"id\":\"inc-1\"").contains("\"alert\":\"ServiceDown\"");
        }
        await().atMost(WAIT).until(() -> view.listenerCount() == 0);
    }

    @Test
    void aClientThatStopsReadingIsDroppedInsteadOfBufferedForWithoutBound() throws Exception {
        try (Socket socket = open(4096)) {
            await().atMost(WAIT).until(() -> view.listenerCount() == 1);
            String big = "x".repeat(16 * 1024);
            // Never read: the socket buffers fill, then the connection's write queue, and the server gives up.
            for (int i = 0; i < 20_000 && view.listenerCount() > 0; i++) {
                view.timeline(new TimelineEntry("inc-1", T0.plusMillis(i), TimelineKind.ACTION_RESULT, big, Map.of()));
            }
            await().atMost(WAIT).until(() -> view.listenerCount() == 0);
            assertThat(socket.isClosed()).as("the client itself never closed").isFalse();
        }
    }
}
