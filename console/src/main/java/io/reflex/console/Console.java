package io.reflex.console;

import io.vertx.ext.web.Router;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * The console role: an incident view materialised from the topics, served as JSON, as a live
 * stream of server-sent events and as a web page, plus the Kafka status (connectivity, topic
 * rates, consumer lag of the other roles).
 */
public final class Console implements AutoCloseable {
    private final IncidentView view;
    private final ConsoleFeed feed;
    private final KafkaStatus status;
    private final ConsoleRoutes routes;

    /**
     * @param groups the roles whose consumer lag {@code GET /api/status} shows, with their consumer
     *               groups (rules: its Kafka Streams application id; remediator: its group id)
     */
    public Console(ConsoleConfig config, Map<String, Object> kafkaProps, List<ConsumerGroupRole> groups, Clock clock) {
        this.view = new IncidentView(config, clock);
        this.feed = new ConsoleFeed(Map.copyOf(kafkaProps), view);
        this.status = new KafkaStatus(kafkaProps, groups, clock);
        this.routes = new ConsoleRoutes(view, new EventStream(view, EventStream.PING_EVERY), status,
                new StaticFiles(Console.class.getClassLoader()));
    }

    /** Starts reading the topics from the beginning (the view fills in the background) and sampling Kafka. */
    public void start() {
        feed.start();
        status.start();
    }

    public void mount(Router router) {
        routes.mount(router);
    }

    /** Ready once the view holds everything the topics held at start. */
    public boolean ready() {
        return feed.running() && feed.caughtUp();
    }

    public boolean running() {
        return feed.running();
    }

    /** For tests in this package: the materialised view. */
    IncidentView view() {
        return view;
    }

    @Override
    public void close() {
        status.close();
        feed.close();
    }
}
