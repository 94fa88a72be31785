package io.reflex.app.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo's drill: {@code kill-demo-shop.yaml} in the drill dir, which kills demo-shop and expects
 * the demo rule to restart it within 30 s. demo-shop gets a new port on each start (unless
 * {@code demo.port} is set), so the file {@code reflex up} wrote is rewritten with the current
 * health URL while it still starts with {@link #MARKER}; a file without the marker is someone's own
 * and is left alone.
 */
public final class DemoDrill {
    public static final String FILE = "kill-demo-shop.yaml";
    public static final String RULE = "restart service on ServiceDown";
    static final String MARKER = "# Written by `reflex up` for the demo.";
    private static final Logger log = LoggerFactory.getLogger(DemoDrill.class);

    private DemoDrill() {
    }

    /** What {@link #write} did. */
    public enum Outcome { WRITTEN, KEPT }

    /** The drill file's text for demo-shop answering on {@code healthUrl}. */
    public static String text(String healthUrl) {
        return MARKER + """
                 Delete this line to keep your edits: while it is here each start
                # rewrites the file with demo-shop's current health URL.
                # Run it: ./reflex drill run data/drills/kill-demo-shop.yaml   (or the console's Drills page)
                # It injects a real fault: demo-shop is killed (SIGKILL) and Reflex must restart it.
                name: kill-demo-shop
                description: kill demo-shop and expect the demo rule to restart it within 30s
                mode: live
                steadyState:
                  http: {url: "%s", status: 200}
                  interval: 500ms
                  timeout: 2s
                fault: {type: kill, connector: process, service: %s, signal: KILL}
                expect: {rule: "%s", action: restart_service, target: "service:%s"}
                slo: 30s
                timeout: 2m
                undo: restart
                """.formatted(healthUrl, Demo.SERVICE, RULE, Demo.SERVICE);
    }

    /**
     * Writes {@code <drillDir>/kill-demo-shop.yaml} unless a file of that name exists that does not
     * start with the marker.
     */
    public static Outcome write(Path drillDir, String healthUrl) {
        Path file = drillDir.resolve(FILE);
        try {
            Files.createDirectories(drillDir);
            if (Files.exists(file) && !Files.readString(file).startsWith(MARKER)) {
                log.info("Demo drill {} exists and is not the one `reflex up` writes: left as it is", file);
                return Outcome.KEPT;
            }
            Path tmp = drillDir.resolve(FILE + ".tmp");
            Files.writeString(tmp, text(healthUrl));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            log.info("Demo drill written to {} (demo-shop health {})", file, healthUrl);
            return Outcome.WRITTEN;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the demo drill " + file + " (" + e.getMessage()
                    + "); set drill.dir to a directory Reflex may write, or start with --no-demo", e);
        }
    }
}
