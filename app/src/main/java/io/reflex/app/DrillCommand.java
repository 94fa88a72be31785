package io.reflex.app;

import io.reflex.drill.DrillContext;
import io.reflex.drill.DrillDefinition;
import io.reflex.drill.DrillFile;
import io.reflex.drill.DrillFileException;
import io.reflex.drill.DrillProblem;
import io.reflex.drill.DrillProgress;
import io.reflex.drill.DrillReport;
import io.reflex.drill.DrillRunner;
import io.reflex.drill.dr.DrDrill;
import io.reflex.drill.dr.DrDrillFile;
import io.reflex.drill.dr.DrDrillReport;
import io.reflex.drill.dr.DrDrillRunner;
import io.reflex.drill.gameday.GameDay;
import io.reflex.drill.gameday.GameDayFile;
import io.reflex.drill.gameday.GameDayReport;
import io.reflex.drill.gameday.GameDayRunner;
import io.reflex.drill.gameday.ReportHtml;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.config.Configurator;

/**
 * {@code reflex drill run|gameday|dr FILE}: runs a drill ({@link DrillRunner}), a GameDay of many
 * ({@link GameDayRunner}) or a DR drill ({@link DrDrillRunner}) against a Reflex running on this
 * machine, and prints its report.
 */
final class DrillCommand {
    static final String HELP = """
            Usage: reflex drill run FILE [--url URL] [--data-dir DIR] [--kafka HOSTS] [--json] [--html OUT]
                                         [--prometheus URL]
                   reflex drill gameday FILE [same options]
                   reflex drill dr FILE [--data-dir DIR] [--kafka HOSTS] [--json]

            run      one drill. Live: checks that the target is healthy (the drill's steadyState probe),
                     injects a real fault, follows Reflex's Kafka topics for the incident it should cause,
                     and reports how long Reflex took to detect (fault -> alert), decide (alert -> the
                     expected rule fired), act (rule -> its action succeeded) and recover (fault -> the
                     probe passes again), graded against the drill's SLO. When the target has not healed
                     by the drill's timeout, the drill undoes its fault (undo: restart) and says so.
                     Dry run (mode: dry-run): touches nothing; sends the alert the fault would raise,
                     tagged with the drill id, and reports what Reflex's rules and guardrails would do
                     (its actions are DRY_RUN, never executed). Recovery and the SLO are not graded.
            gameday  a GameDay: the drills its file lists, one after another, each as many times as it
                     says. A line per drill on stderr as it ends (drill 7/20 kill-demo-shop PASS 3.1s),
                     then the GameDay report: passed and failed, coverage (faults healed / faults
                     injected) and MTTR (time to recover, p50 p90 max, over the healed runs).
            dr       a disaster-recovery drill (kind: dr): sends alerts while it kills a role's process
                     (rules or remediator) and restarts it, then counts alerts lost and actions
                     duplicated, which must both be 0.

            A live drill (YAML):
              name: kill-demo-shop
              steadyState:
                http: {url: http://127.0.0.1:8081/health, status: 200}   # or tcp: HOST:PORT, command: [argv],
                interval: 1s                                               # prometheus: {query: 'up{job="shop"}'}
                timeout: 2s
              fault: {type: kill, connector: process, service: demo-shop, signal: KILL}   # or type: stop (TERM)
              expect: {rule: restart service on ServiceDown, action: restart_service, target: service:demo-shop}
              slo: 30s          # time to recover, from the fault
              timeout: 2m       # give up (and undo) after this (default 2m)
              undo: restart     # or none (default restart)
              abort: {onGuardrail: true, probe: {http: http://127.0.0.1:8082/health}}   # optional: stop and undo
            Faults through a connector of the running Reflex (it executes them through its guardrails;
            the undo is the inverse action); resource: is the incident the drill follows:
              fault: {type: ssh-stop, connector: web-hosts, host: web-1, service: nginx, resource: "service:nginx"}
              fault: {type: scale-to-zero, connector: k8s, namespace: shop, deployment: cart, resource: "deployment:cart"}
              fault: {type: cordon, connector: k8s, node: node-3, resource: "node:node-3"}
            A dry run (nothing is touched):
              name: dry-run-demo-shop
              mode: dry-run
              fault: {type: kill, service: demo-shop}
              alert: {name: ServiceDown, labels: {service: demo-shop}}
              expect: {rule: restart service on ServiceDown, action: restart_service, target: service:demo-shop}
              slo: 30s
            An alert storm (dry run only): the blast-radius guardrail must hold some of its actions:
              name: storm
              mode: dry-run
              fault: {type: alert-storm, alerts: 1000, over: 30s, alert: HostDown, resource: "host:storm-{i}",
                      labels: {zone: "zone-{i%10}"}}
              expect: {action: restart_service, guardrail: blastRadius}
              slo: 1m
            A GameDay (drill files relative to it):
              name: nightly
              drills:
                - kill-demo-shop.yaml
                - {file: dry-run-demo-shop.yaml, repeat: 4, pauseBetween: 3s, stopOnFailure: false}
            A DR drill (relative paths from its directory):
              name: kill-rules
              kind: dr
              traffic: {alerts: 600, over: 20s, alert: DrTest, resource: "service:dr-{i}"}
              kill: {role: rules, pidFile: run/rules.pid, signal: KILL, after: 6s,
                     restart: [./reflex, up, --roles, rules, --data-dir, data], restartAfter: 2s}
              timeout: 2m
            (restartBroker: {after: 12s} restarts the embedded broker: only a drill run inside the process
            hosting that broker can, so `reflex drill dr` refuses it; POST the file to /api/drills of
            that process, or run it from its console's Drills page. A DR drill needs kill,
            restartBroker or both.)
            Every problem of a file is reported at once, with its path (fault.signal: ...).
            The drill role of `reflex up` runs the same files from the console's Drills page and
            POST /api/drills (docs/drills.md); `reflex up` with the demo writes DATA_DIR/drills/
            kill-demo-shop.yaml, dry-run-demo-shop.yaml and gameday-demo.yaml.

            Options:
              --url URL         the running Reflex (default http://127.0.0.1:8080); run and gameday
                                refuse to start unless its /health answers 200
              --data-dir DIR    that Reflex's data dir (default ./data): the services' pid files are in
                                DIR/run, and the embedded broker's address in DIR/kafka/server.properties
              --kafka HOSTS     Reflex's Kafka (host:port,...) when it does not run the embedded broker
              --prometheus URL  the Prometheus that prometheus probes ask when the drill names no url
              --json            print only the report, as JSON (progress lines go to stderr)
              --html OUT        also write the report as an HTML page to OUT (run and gameday)
              -h, --help        show this help

            Exit status: 0 when the drill passed (every drill of a GameDay), 1 when it failed (or could
            not inject its fault), 2 for a usage or drill-file error, or when Reflex or its Kafka cannot
            be found.

            Examples:
              reflex drill run data/drills/kill-demo-shop.yaml
              reflex drill gameday data/drills/gameday-demo.yaml --html gameday.html
              reflex drill dr kill-rules.yaml --data-dir ./data
            """;

    private static final String DEFAULT_URL = "http://127.0.0.1:8080";
    private static final String DRILL_LOGGER = "io.reflex.drill";
    private static final Set<String> LIVE_OPTIONS = Set.of("--url", "--data-dir", "--kafka", "--html", "--prometheus");
    private static final Set<String> DR_OPTIONS = Set.of("--data-dir", "--kafka");

    private DrillCommand() {
    }

    static int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.isEmpty()) {
            err.println("reflex drill: say what to do, e.g. `reflex drill run FILE`.");
            err.print(HELP);
            return Main.USAGE;
        }
        List<String> rest = args.subList(1, args.size());
        switch (args.get(0)) {
            case "-h", "--help", "help" -> {
                out.print(HELP);
                return Main.OK;
            }
            case "run" -> {
                return runDrill(rest, out, err);
            }
            case "gameday" -> {
                return runGameDay(rest, out, err);
            }
            case "dr" -> {
                return runDr(rest, out, err);
            }
            default -> {
                err.println("reflex drill: unknown subcommand '" + args.get(0)
                        + "'; use `reflex drill run FILE`, `reflex drill gameday FILE` or `reflex drill dr FILE`.");
                err.println("Run `reflex drill --help` for what they do.");
                return Main.USAGE;
            }
        }
    }

    /** The command line of one subcommand. */
    private static final class Options {
        final String command;
        String url = DEFAULT_URL;
        Path dataDir = Path.of("./data");
        String kafka;
        boolean json;
        Path html;
        URI prometheus;
        Path file;

        Options(String command) {
            this.command = command;
        }

        /** Null when the options are fine, else the exit status (help shown, or a usage error printed). */
        Integer parse(List<String> args, Set<String> valued, PrintStream out, PrintStream err) {
            List<String> files = new ArrayList<>();
            for (int i = 0; i < args.size(); i++) {
                String arg = args.get(i);
                if (arg.equals("-h") || arg.equals("--help")) {
                    out.print(HELP);
                    return Main.OK;
                }
                if (arg.equals("--json")) {
                    json = true;
                } else if (valued.contains(arg)) {
                    if (i + 1 >= args.size()) {
                        return usage(err, arg + " needs a value");
                    }
                    String value = args.get(++i);
                    switch (arg) {
                        case "--url" -> url = value;
                        case "--data-dir" -> dataDir = Path.of(value);
                        case "--kafka" -> kafka = value;
                        case "--html" -> html = Path.of(value);
                        default -> {
                            prometheus = httpUri(value);
                            if (prometheus == null) {
                                return usage(err, "--prometheus '" + value + "' is not an http(s) URL, e.g."
                                        + " http://127.0.0.1:9090");
                            }
                        }
                    }
                } else if (arg.startsWith("-")) {
                    return usage(err, "unknown option '" + arg + "'");
                } else {
                    files.add(arg);
                }
            }
            if (files.size() != 1) {
                return usage(err, "name exactly one " + (command.equals("gameday") ? "GameDay" : "drill")
                        + " file" + (files.isEmpty() ? "" : ", not " + files.size()));
            }
            file = Path.of(files.get(0));
            if (!Files.isRegularFile(file)) {
                err.println("reflex drill " + command + ": there is no file " + file + " (from "
                        + Path.of("").toAbsolutePath() + "); give the path of a drill YAML file"
                        + switch (command) {
                            case "gameday" -> " listing drills (`reflex up` with the demo writes"
                                    + " data/drills/gameday-demo.yaml)";
                            case "dr" -> " with kind: dr (see `reflex drill --help`)";
                            default -> " (`reflex up` with the demo writes some to data/drills/)";
                        });
                return Main.USAGE;
            }
            if (html != null && html.toAbsolutePath().getParent() != null
                    && !Files.isDirectory(html.toAbsolutePath().getParent())) {
                return usage(err, "--html " + html + ": the directory " + html.toAbsolutePath().getParent()
                        + " does not exist; create it or write the page elsewhere");
            }
            return null;
        }

        int usage(PrintStream err, String message) {
            err.println("reflex drill " + command + ": " + message + "; see `reflex drill --help`.");
            return Main.USAGE;
        }

        /** The Kafka to follow Reflex through; null after printing what is missing. */
        String kafka(PrintStream err) {
            if (kafka != null) {
                return kafka;
            }
            try {
                return embeddedBroker(dataDir);
            } catch (IllegalStateException e) {
                err.println("reflex drill " + command + ": " + e.getMessage());
                return null;
            }
        }
    }

    private static URI httpUri(String text) {
        try {
            URI uri = URI.create(text);
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null
                    ? uri : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    // ------------------------------------------------------------------ run

    /**
     * What {@code run} and {@code gameday} check before anything happens: the options, the file's
     * kind and contents, Kafka, and that Reflex answers. {@code exit} is set when one failed (it
     * was printed), else the rest is.
     */
    private record Ready<T>(Integer exit, Options options, T file, String kafka) {
        static <T> Ready<T> failed(int exit) {
            return new Ready<>(exit, null, null, null);
        }
    }

    private static <T> Ready<T> prepare(String command, List<String> args, Function<Path, T> reader,
            String nothingDone, PrintStream out, PrintStream err) {
        Options options = new Options(command);
        Integer exit = options.parse(args, LIVE_OPTIONS, out, err);
        if (exit != null) {
            return Ready.failed(exit);
        }
        String other = otherKind(options.file, command);
        if (other != null) {
            err.println("reflex drill " + command + ": " + other);
            return Ready.failed(Main.USAGE);
        }
        T file;
        try {
            file = reader.apply(options.file);
        } catch (DrillFileException e) {
            err.println(e.getMessage());
            return Ready.failed(Main.USAGE);
        }
        String kafka = options.kafka(err);
        if (kafka == null) {
            return Ready.failed(Main.USAGE);
        }
        String unhealthy = health(options.url);
        if (unhealthy != null) {
            err.println("reflex drill " + command + ": " + unhealthy + "; " + nothingDone + ".");
            return Ready.failed(Main.USAGE);
        }
        return new Ready<>(null, options, file, kafka);
    }

    private static int runDrill(List<String> args, PrintStream out, PrintStream err) {
        Ready<DrillDefinition> ready = prepare("run", args, DrillFile::read, "no fault injected", out, err);
        if (ready.exit() != null) {
            return ready.exit();
        }
        Options options = ready.options();
        DrillDefinition drill = ready.file();
        String kafka = ready.kafka();
        DrillRunner runner = DrillRunner.connectedTo(new DrillContext(Map.of("bootstrap.servers", kafka),
                options.dataDir, options.prometheus), Clock.systemUTC());
        List<DrillProblem> problems = runner.problems(drill);
        if (!problems.isEmpty()) {
            err.println(new DrillFileException(options.file.toString(), problems).getMessage());
            return Main.USAGE;
        }
        // The log goes to stdout: with --json its lines would break the JSON a script reads, so
        // they are quiet and the progress lines go to stderr instead.
        DrillProgress progress = options.json ? (id, message) -> err.println(id + ": " + message) : DrillProgress.NONE;
        DrillReport report;
        try {
            report = quietWhen(options.json, () -> runner.run(drill, runner.idFor(drill), progress));
        } catch (RuntimeException e) {
            err.println("reflex drill run: cannot follow Reflex through Kafka at " + kafka + ": " + e.getMessage()
                    + " (--kafka, --data-dir)");
            return Main.USAGE;
        }
        print(out, options.json, report, report.readable());
        if (options.html != null && !writeHtml(options, ReportHtml.drill(report), err)) {
            return Main.FAILED;
        }
        return report.passed() ? Main.OK : Main.FAILED;
    }

    // ------------------------------------------------------------------ gameday

    private static int runGameDay(List<String> args, PrintStream out, PrintStream err) {
        Ready<GameDay> ready = prepare("gameday", args, GameDayFile::read, "no drill run", out, err);
        if (ready.exit() != null) {
            return ready.exit();
        }
        Options options = ready.options();
        GameDay gameDay = ready.file();
        String kafka = ready.kafka();
        Clock clock = Clock.systemUTC();
        DrillRunner runner = DrillRunner.connectedTo(new DrillContext(Map.of("bootstrap.servers", kafka),
                options.dataDir, options.prometheus), clock);
        List<DrillProblem> problems = new ArrayList<>();
        for (int i = 0; i < gameDay.entries().size(); i++) {
            GameDay.Entry entry = gameDay.entries().get(i);
            for (DrillProblem p : runner.problems(entry.drill())) {
                problems.add(new DrillProblem("drills[" + i + "] (" + entry.file().getFileName() + "): " + p.path(),
                        p.message()));
            }
        }
        if (!problems.isEmpty()) {
            err.println(new DrillFileException(options.file.toString(), problems).getMessage());
            return Main.USAGE;
        }
        DrillProgress steps = options.json ? (id, message) -> err.println(id + ": " + message) : DrillProgress.NONE;
        GameDayRunner gameDays = new GameDayRunner(drill -> runner.run(drill, runner.idFor(drill), steps), clock,
                GameDayRunner.SLEEP, new ProgressLines(gameDay.runs(), clock, err));
        GameDayReport report = quietWhen(options.json, () -> gameDays.run(gameDay));
        print(out, options.json, report, report.readable());
        if (options.html != null && !writeHtml(options, ReportHtml.gameDay(report), err)) {
            return Main.FAILED;
        }
        boolean allPassed = report.stopped() == null && report.totals().failed() == 0
                && report.totals().drillsRun() == report.planned();
        return allPassed ? Main.OK : Main.FAILED;
    }

    /** A line on stderr as each drill of a GameDay ends: {@code drill 7/20 kill-demo-shop PASS 3.1s}. */
    private static final class ProgressLines implements GameDayRunner.Listener {
        private final int total;
        private final Clock clock;
        private final PrintStream err;
        private int n;
        private Instant started;

        ProgressLines(int total, Clock clock, PrintStream err) {
            this.total = total;
            this.clock = clock;
            this.err = err;
        }

        @Override
        public void drillStarted(DrillDefinition drill) {
            started = clock.instant();
        }

        @Override
        public void drillFinished(DrillDefinition drill, DrillReport report) {
            n++;
            long ms = started == null ? 0 : Duration.between(started, clock.instant()).toMillis();
            err.println("drill " + n + "/" + total + " " + drill.name() + " " + (report.passed() ? "PASS" : "FAIL")
                    + " " + human(ms) + (report.passed() ? "" : ": " + report.reason()));
            err.flush();
        }
    }

    /** {@code 850ms}, {@code 4.2s}, {@code 2m05s}. */
    static String human(long ms) {
        if (ms < 1000) {
            return ms + "ms";
        }
        if (ms < 60_000) {
            return String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
        }
        return String.format(Locale.ROOT, "%dm%02ds", ms / 60_000, (ms % 60_000) / 1000);
    }

    // ------------------------------------------------------------------ dr

    private static int runDr(List<String> args, PrintStream out, PrintStream err) {
        Options options = new Options("dr");
        Integer exit = options.parse(args, DR_OPTIONS, out, err);
        if (exit != null) {
            return exit;
        }
        String other = otherKind(options.file, "dr");
        if (other != null) {
            err.println("reflex drill dr: " + other);
            return Main.USAGE;
        }
        DrDrill drill;
        try {
            drill = DrDrillFile.read(options.file);
        } catch (DrillFileException e) {
            err.println(e.getMessage());
            return Main.USAGE;
        }
        if (drill.restartBrokerAfter().isPresent()) {
            err.println("reflex drill dr: " + options.file + " asks for a broker restart (restartBroker), and the"
                    + " broker restart needs the drill to run inside the process hosting the embedded broker;"
                    + " `reflex drill dr` runs in a process of its own. Remove restartBroker to run the rest of the"
                    + " drill from here, or restart the broker yourself while it runs.");
            return Main.USAGE;
        }
        String kafka = options.kafka(err);
        if (kafka == null) {
            return Main.USAGE;
        }
        DrDrillRunner runner = new DrDrillRunner(Map.of("bootstrap.servers", kafka), null, Clock.systemUTC());
        DrDrillReport report;
        try {
            report = quietWhen(options.json, () -> runner.run(drill));
        } catch (RuntimeException e) {
            err.println("reflex drill dr: the drill stopped: " + e.getMessage() + " (is Reflex's Kafka at " + kafka
                    + "? --kafka, --data-dir)");
            return Main.USAGE;
        }
        print(out, options.json, report, report.readable());
        return report.passed() ? Main.OK : Main.FAILED;
    }

    // ------------------------------------------------------------------ shared

    /**
     * Null when {@code file} is of the kind {@code command} runs, else what to run it with: the three
     * kinds share the .yaml suffix and the drill dir, so a file given to the wrong command is common.
     */
    static String otherKind(Path file, String command) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException | RuntimeException e) {
            return null; // the reader says why
        }
        boolean dr = DrDrillFile.isDr(text);
        boolean gameDay = !dr && GameDayFile.isGameDay(file);
        if (!command.equals("dr") && dr) {
            return file + " is a DR drill (kind: dr); run it with `reflex drill dr " + file + "`";
        }
        if (!command.equals("gameday") && gameDay) {
            return file + " is a GameDay (it lists drills); run it with `reflex drill gameday " + file + "`";
        }
        if (!command.equals("run") && !dr && !gameDay && isDrill(text, file)) {
            return file + " is a " + (command.equals("dr") ? "live or dry-run drill (no kind: dr)" : "single drill")
                    + "; run it with `reflex drill run " + file + "`";
        }
        return null;
    }

    private static boolean isDrill(String text, Path file) {
        try {
            DrillFile.parse(text, file.toString());
            return true;
        } catch (DrillFileException e) {
            return false;
        }
    }

    /** Runs {@code work} with the drill log quiet (WARN) when {@code quiet}: it goes to stdout. */
    private static <T> T quietWhen(boolean quiet, Supplier<T> work) {
        if (!quiet) {
            return work.get();
        }
        Level level = LogManager.getLogger(DRILL_LOGGER).getLevel();
        Configurator.setLevel(DRILL_LOGGER, Level.WARN);
        try {
            return work.get();
        } finally {
            Configurator.setLevel(DRILL_LOGGER, level);
        }
    }

    private static void print(PrintStream out, boolean json, Object report, String readable) {
        if (json) {
            try {
                out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(report));
            } catch (IOException e) {
                throw new IllegalStateException("a drill report is plain JSON", e);
            }
        } else {
            out.print(readable);
        }
        out.flush();
    }

    private static boolean writeHtml(Options options, String page, PrintStream err) {
        try {
            Files.writeString(options.html, page);
            err.println("reflex drill " + options.command + ": the report's page is " + options.html.toAbsolutePath());
            return true;
        } catch (IOException e) {
            err.println("reflex drill " + options.command + ": cannot write the HTML report to " + options.html + " ("
                    + e.getMessage() + "); the report above is complete, rerun with --html to a writable path");
            return false;
        }
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
