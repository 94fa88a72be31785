package io.reflex.console;

import io.vertx.ext.web.Router;
import java.util.Map;

/**
 * The console role: an incident view materialised from the topics, served as JSON and as a
 * web page.
 */
public final class Console implements AutoCloseable {
    private final IncidentView view;
    private final ConsoleFeed feed;
    private final ConsoleRoutes routes;

    public Console(ConsoleConfig config, Map<String, Object> kafkaProps) {
        this.view = new IncidentView(config.maxIncidents());
        this.feed = new ConsoleFeed(Map.copyOf(kafkaProps), view);
        this.routes = new ConsoleRoutes(view);
    }

    /** Starts reading the topics from the beginning; the view fills in the background. */
    public void start() {
        feed.start();
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

    @Override
    public void close() {
        feed.close();
    }
}
