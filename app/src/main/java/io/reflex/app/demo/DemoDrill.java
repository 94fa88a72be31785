package io.reflex.app.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo's drills, in the drill dir: {@code kill-demo-shop.yaml} kills demo-shop and expects the
 * demo rule to restart it within 30 s; {@code dry-run-demo-shop.yaml} rehearses the same with a
 * synthetic ServiceDown (nothing is touched); {@code gameday-demo.yaml} runs the first 16 times and
 * the second 4 times in a row. demo-shop gets a new port on each start (unless {@code demo.port} is
 * set), so each file {@code reflex up} wrote is rewritten (with the current health URL) while it
 * still starts with {@link #MARKER}; a file without the marker is someone's own and is left alone.
 */
public final class DemoDrill {
    public static final String FILE = "kill-demo-shop.yaml";
    public static final String DRY_RUN_FILE = "dry-run-demo-shop.yaml";
    public static final String GAMEDAY_FILE = "gameday-demo.yaml";
    /** Every file the demo writes into the drill dir at start. */
    public static final java.util.Set<String> FILES = java.util.Set.of(FILE, DRY_RUN_FILE, GAMEDAY_FILE);
    public static final String RULE = "restart service on ServiceDown";
    /** Runs of each drill in {@link #GAMEDAY_FILE}. */
    public static final int GAMEDAY_KILLS = 16;
    public static final int GAMEDAY_DRY_RUNS = 4;
    static final String MARKER = "# Written by `reflex up` for the demo.";
    private static final String KEEP = """
             Delete this line to keep your edits: while it is here each start
            # rewrites the file.
            """;
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

    /** The dry-run drill: a synthetic ServiceDown for demo-shop; the rehearsal must decide to restart it. */
    public static String dryRunText() {
        return MARKER + KEEP + """
                # Run it: ./reflex drill run data/drills/dry-run-demo-shop.yaml
                # Nothing real is touched: Reflex gets a synthetic ServiceDown tagged with the drill id, and
                # its rules and guardrails say what they would do (actions in DRY_RUN, never executed).
                name: dry-run-demo-shop
                description: rehearse ServiceDown on demo-shop; the demo rule would restart it
                mode: dry-run
                fault: {type: kill, connector: process, service: %s}
                alert: {name: ServiceDown, labels: {service: %s}}
                expect: {rule: "%s", action: restart_service, target: "service:%s"}
                slo: 30s
                timeout: 1m
                """.formatted(Demo.SERVICE, Demo.SERVICE, RULE, Demo.SERVICE);
    }

    /** The GameDay: the live kill {@value #GAMEDAY_KILLS} times, then the dry run {@value #GAMEDAY_DRY_RUNS} times. */
    public static String gameDayText() {
        return MARKER + KEEP + """
                # Run it: ./reflex drill gameday data/drills/gameday-demo.yaml --html gameday.html
                # 20 drills in a row (a few minutes): demo-shop is really killed 16 times, then the
                # dry run rehearses ServiceDown 4 times. The report has the coverage (faults healed /
                # faults injected) and the time to recover (MTTR p50, p90, max).
                name: demo
                description: kill demo-shop %d times, rehearse ServiceDown %d times
                drills:
                  - file: %s
                    repeat: %d
                    pauseBetween: 3s
                  - file: %s
                    repeat: %d
                    pauseBetween: 3s
                """.formatted(GAMEDAY_KILLS, GAMEDAY_DRY_RUNS, FILE, GAMEDAY_KILLS, DRY_RUN_FILE, GAMEDAY_DRY_RUNS);
    }

    /**
     * Writes the demo's three drill files into {@code drillDir}, each unless a file of its name
     * exists that does not start with the marker.
     *
     * @return what it did with {@code kill-demo-shop.yaml} (the other two follow the same rule)
     */
    public static Outcome write(Path drillDir, String healthUrl) {
        Outcome kill = write(drillDir, FILE, text(healthUrl));
        write(drillDir, DRY_RUN_FILE, dryRunText());
        write(drillDir, GAMEDAY_FILE, gameDayText());
        log.info("Demo drills in {} (demo-shop health {})", drillDir, healthUrl);
        return kill;
    }

    private static Outcome write(Path drillDir, String name, String text) {
        Path file = drillDir.resolve(name);
        try {
            Files.createDirectories(drillDir);
            if (Files.exists(file) && !Files.readString(file).startsWith(MARKER)) {
                log.info("Demo drill {} exists and is not the one `reflex up` writes: left as it is", file);
                return Outcome.KEPT;
            }
            Path tmp = drillDir.resolve(name + ".tmp");
            Files.writeString(tmp, text);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            return Outcome.WRITTEN;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the demo drill " + file + " (" + e.getMessage()
                    + "); set drill.dir to a directory Reflex may write, or start with --no-demo", e);
        }
    }
}
