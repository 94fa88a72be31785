package io.reflex.app;

import io.reflex.drill.DrillDefinition;
import io.reflex.drill.DrillFile;
import io.reflex.drill.DrillFileException;
import io.reflex.drill.DrillReport;
import io.reflex.drill.DrillRunner;
import io.reflex.model.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.logging.log4j.core.config.Configurator;

/**
 * {@code reflex drill run FILE}: runs a live drill ({@link DrillRunner}) against a Reflex running on
 * this machine, and prints its report.
 */
final class DrillCommand {
    static final String HELP = """
            Usage: reflex drill run FILE [--url URL] [--data-dir DIR] [--kafka HOSTS] [--json]

            Runs a live drill: checks that the target is healthy (the drill's steadyState probe),
            injects a real fault (kill or stop a service the process connector runs), follows Reflex's
            Kafka topics for the incident it should cause, and reports how long Reflex took to
            detect (fault -> alert), decide (alert -> the expected rule fired), act (rule -> its action
            succeeded) and recover (fault -> the probe passes again), graded against the drill's SLO.
            When the target has not healed by the drill's timeout, the drill undoes its fault
            (undo: restart asks the running Reflex to restart the service) and says so.

            A drill file (YAML):
              name: kill-demo-shop
              steadyState:
                http: {url: http://127.0.0.1:8081/health, status: 200}   # or tcp: HOST:PORT, or command: [argv]
                interval: 1s
                timeout: 2s
              fault: {type: kill, connector: process, service: demo-shop, signal: KILL}   # or type: stop (TERM)
              expect: {rule: restart service on ServiceDown, action: restart_service, target: service:demo-shop}
              slo: 30s          # time to recover, from the fault
              timeout: 2m       # give up (and undo) after this (default 2m)
              undo: restart     # or none (default restart)
              mode: live        # dry-run: not yet
            Every problem of a file is reported at once, with its path (fault.signal: ...).
            The drill role of `reflex up` runs the same files from the console's Drills page and
            POST /api/drills (docs/drills.md); `reflex up` with the demo writes DATA_DIR/drills/kill-demo-shop.yaml.

            Options:
              --url URL       the running Reflex (default http://127.0.0.1:8080); the drill refuses to
                              inject a fault unless its /health answers 200
              --data-dir DIR  that Reflex's data dir (default ./data): the services' pid files are in
                              DIR/run, and the embedded broker's address in DIR/kafka/server.properties
              --kafka HOSTS   Reflex's Kafka (host:port,...) when it does not run the embedded broker
              --json          print only the report, as JSON (no progress lines on stdout)
              -h, --help      show this help

            Exit status: 0 when the drill passed, 1 when it failed (or could not inject its fault),
            2 for a usage or drill-file error, or when Reflex or its Kafka cannot be found.

            Example: reflex drill run drills/kill-demo-shop.yaml --data-dir ./data
            """;

    private static final String DEFAULT_URL = "http://127.0.0.1:8080";
    private static final String DRILL_LOGGER = "io.reflex.drill";

    private DrillCommand() {
    }

    static int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.isEmpty()) {
            err.println("reflex drill: say what to do, e.g. `reflex drill run FILE`.");
            err.print(HELP);
            return Main.USAGE;
        }
        switch (args.get(0)) {
            case "-h", "--help", "help" -> {
                out.print(HELP);
                return Main.OK;
            }
            case "run" -> {
                return runDrill(args.subList(1, args.size()), out, err);
            }
            default -> {
                err.println("reflex drill: unknown subcommand '" + args.get(0) + "'; this version has `reflex drill run FILE`.");
                err.println("Run `reflex drill --help` for what it can do.");
                return Main.USAGE;
            }
        }
    }

    private static int runDrill(List<String> args, PrintStream out, PrintStream err) {
        String url = DEFAULT_URL;
        Path dataDir = Path.of("./data");
        String kafka = null;
        boolean json = false;
        List<String> files = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            switch (arg) {
                case "-h", "--help" -> {
                    out.print(HELP);
                    return Main.OK;
                }
                case "--json" -> json = true;
                case "--url", "--data-dir", "--kafka" -> {
                    if (i + 1 >= args.size()) {
                        err.println("reflex drill run: " + arg + " needs a value; see `reflex drill --help`.");
                        return Main.USAGE;
                    }
                    String value = args.get(++i);
                    switch (arg) {
                        case "--url" -> url = value;
                        case "--data-dir" -> dataDir = Path.of(value);
                        default -> kafka = value;
                    }
                }
                default -> {
                    if (arg.startsWith("-")) {
                        err.println("reflex drill run: unknown option '" + arg + "'; see `reflex drill --help`.");
                        return Main.USAGE;
                    }
                    files.add(arg);
                }
            }
        }
        if (files.size() != 1) {
            err.println("reflex drill run: name exactly one drill file; see `reflex drill --help`.");
            return Main.USAGE;
        }
        DrillDefinition drill;
        try {
            drill = DrillFile.read(Path.of(files.get(0)));
        } catch (DrillFileException e) {
            err.println(e.getMessage());
            return Main.USAGE;
        }
        if (kafka == null) {
            try {
                kafka = embeddedBroker(dataDir);
            } catch (IllegalStateException e) {
                err.println("reflex drill run: " + e.getMessage());
                return Main.USAGE;
            }
        }
        String unhealthy = health(url);
        if (unhealthy != null) {
            err.println("reflex drill run: " + unhealthy + "; no fault injected.");
            return Main.USAGE;
        }
        DrillReport report;
        // The log goes to stdout: with --json the progress lines would break the JSON a script reads.
        org.apache.logging.log4j.Level level = org.apache.logging.log4j.LogManager.getLogger(DRILL_LOGGER).getLevel();
        if (json) {
            Configurator.setLevel(DRILL_LOGGER, org.apache.logging.log4j.Level.WARN);
        }
        try {
            report = DrillRunner.connectedTo(Map.of("bootstrap.servers", kafka), dataDir, Clock.systemUTC()).run(drill);
        } catch (RuntimeException e) {
            err.println("reflex drill run: cannot follow Reflex through Kafka at " + kafka + ": " + e.getMessage()
                    + " (--kafka, --data-dir)");
            return Main.USAGE;
        } finally {
            if (json) {
                Configurator.setLevel(DRILL_LOGGER, level);
            }
        }
        if (json) {
            try {
                out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(report));
            } catch (IOException e) {
                throw new IllegalStateException("a drill report is plain JSON", e);
            }
        } else {
            out.print(report.readable());
        }
        out.flush();
        return report.passed() ? Main.OK : Main.FAILED;
    }

    /**
     * The address of the broker {@code reflex up} embeds, from the configuration it wrote for its
     * last start (EmbeddedKafka writes {@code kafka/server.properties} under the data dir).
     */
    static String embeddedBroker(Path dataDir) {
        Path file = dataDir.resolve("kafka").resolve("server.properties");
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            props.load(in);
        } catch (IOException e) {
            throw new IllegalStateException("no embedded Kafka broker recorded in " + file + " (" + e.getMessage()
                    + "); give the data dir of a running `reflex up` (--data-dir) or its Kafka (--kafka HOST:PORT)");
        }
        String listeners = props.getProperty("advertised.listeners", "");
        for (String listener : listeners.split(",")) {
            if (listener.startsWith("PLAINTEXT://")) {
                return listener.substring("PLAINTEXT://".length());
            }
        }
        throw new IllegalStateException(file + " names no PLAINTEXT listener; give Reflex's Kafka with --kafka HOST:PORT");
    }

    /** Null when Reflex's /health answers 200, else what is wrong. */
    private static String health(String url) {
        try {
            HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create(url.replaceAll("/+$", "") + "/health")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return answer.statusCode() == 200 ? null
                    : "Reflex at " + url + " is not healthy (/health answered " + answer.statusCode() + ": "
                    + answer.body() + ")";
        } catch (IOException | IllegalArgumentException e) {
            return "nothing answers at " + url + " (" + e.getClass().getSimpleName() + "); is `reflex up` running there? (--url)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
