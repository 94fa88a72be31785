package io.reflex.app;

import io.reflex.app.config.CliOverrides;
import io.reflex.app.config.ConfigException;
import io.reflex.app.config.ConfigLoader;
import io.reflex.app.config.ReflexConfig;
import io.reflex.app.demo.Demo;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.apache.logging.log4j.LogManager;

/** The {@code reflex} command. */
public final class Main {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;

    private static final String USAGE_TEXT = """
            Reflex: self-healing remediation. Alerts in, rules decide, connectors heal, all on one timeline.

            Usage: reflex <command> [options]

            Commands:
              up           run Reflex (embedded Kafka, every role and the demo unless told otherwise)
              send-alert   post a test alert to a running Reflex, as Alertmanager would
              rules        check rule packages before they ship: `reflex rules validate|test FILE...`
              drill        inject a real fault and grade how Reflex heals it: `reflex drill run FILE`,
                           many in a row: `reflex drill gameday FILE`, disaster recovery: `reflex drill dr FILE`
              help         show this help, or `reflex help <command>` for one command
              version      print the version

            Run `reflex up` and open the console URL it prints.
            """;

    private static final String UP_HELP = """
            Usage: reflex up [options]

            Runs Reflex until Ctrl-C. Without --kafka it starts an embedded single-node Kafka broker
            whose data (and so every incident and rule) lives under the data dir: a second
            `reflex up` on the same data dir carries on where the first stopped.

            Options:
              --config FILE     YAML configuration (see docs/configuration.md)
              --port N          HTTP port for hooks, API and console (default 8080; 0 = any free port)
              --data-dir DIR    where the embedded broker and the rules' state live (default ./data)
              --kafka HOSTS     use this Kafka cluster (host:port,...) instead of the embedded broker
              --roles LIST      run only these roles: ingest,rules,remediator,console,drill (default: all)
              --no-demo         do not start the demo-shop service and its probe
              -h, --help        show this help

            API tokens: every /api call needs `Authorization: Bearer TOKEN`. Configure named tokens
            with roles (viewer, operator, author, admin) under auth.tokens in the --config file; with
            none, Reflex makes an admin token on the first start in DATA_DIR/auth/admin.token
            (readable by you only, reused on later starts; delete it for a new one) and prints where
            it is. `reflex rules deploy` reads that file by itself; for curl:
              curl -H "Authorization: Bearer $(cat data/auth/admin.token)" localhost:8080/api/whoami
            /health, /metrics, /hooks/* and the console page need no token.

            Environment: REFLEX_<KEY_PATH> overrides a setting (REFLEX_HTTP_PORT=9090,
            REFLEX_DATA_DIR=/var/lib/reflex, REFLEX_KAFKA_BOOTSTRAP_SERVERS=kafka:9092); keys under
            kafka. are passed to the Kafka clients. Precedence: flags > environment > file > defaults.
            """;

    private Main() {
    }

    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        if (code != OK || args.length == 0 || !args[0].equals("up")) {
            LogManager.shutdown();
            System.exit(code);
        }
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            out.print(USAGE_TEXT);
            return USAGE;
        }
        List<String> rest = List.of(args).subList(1, args.length);
        return switch (args[0]) {
            case "up" -> up(rest, out, err);
            case "send-alert" -> SendAlert.run(rest, out, err);
            case "rules" -> RulesCommand.run(rest, out, err);
            case "drill" -> DrillCommand.run(rest, out, err);
            case "version", "--version" -> {
                out.println("reflex " + version());
                yield OK;
            }
            case "help", "-h", "--help" -> {
                if (!rest.isEmpty() && rest.get(0).equals("up")) {
                    out.print(UP_HELP);
                } else if (!rest.isEmpty() && rest.get(0).equals("send-alert")) {
                    out.print(SendAlert.HELP);
                } else if (!rest.isEmpty() && rest.get(0).equals("rules")) {
                    out.print(RulesCommand.HELP);
                } else if (!rest.isEmpty() && rest.get(0).equals("drill")) {
                    out.print(DrillCommand.HELP);
                } else {
                    out.print(USAGE_TEXT);
                }
                yield OK;
            }
            default -> {
                err.println("reflex: unknown command '" + args[0] + "'.");
                err.print(USAGE_TEXT);
                yield USAGE;
            }
        };
    }

    private static int up(List<String> args, PrintStream out, PrintStream err) {
        CliOverrides cli;
        try {
            cli = parseUp(args);
        } catch (IllegalArgumentException e) {
            err.println("reflex up: " + e.getMessage());
            err.println("Run `reflex up --help` for the options.");
            return USAGE;
        }
        if (cli == null) {
            out.print(UP_HELP);
            return OK;
        }
        ReflexConfig config;
        try {
            config = new ConfigLoader(new Demo()).load(cli, System.getenv());
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return USAGE;
        }
        Reflex reflex;
        try {
            reflex = new Reflex(config, Clock.systemUTC()).start();
        } catch (RuntimeException e) {
            err.println("Reflex could not start: " + e.getMessage());
            org.slf4j.LoggerFactory.getLogger(Main.class).debug("start failure", e);
            return FAILED;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.println("Stopping Reflex…");
            reflex.close();
            out.println("Reflex stopped.");
            LogManager.shutdown();
            stopped.countDown();
        }, "reflex-shutdown"));
        out.println();
        out.println("Reflex is up.");
        out.println("  console   " + reflex.url());
        out.println("  webhook   POST " + reflex.url() + "hooks/alertmanager");
        out.println("  health    " + reflex.url() + "health");
        out.println(reflex.adminTokenFile()
                .map(file -> "  api token " + file.toAbsolutePath().normalize()
                        + " (admin; send as Authorization: Bearer; auth.tokens configures named tokens)")
                .orElse("  api       tokens from auth.tokens: " + config.apiTokens().stream()
                        .map(t -> t.name() + " (" + t.role().id() + ")").collect(java.util.stream.Collectors.joining(", "))));
        out.println("  kafka     " + reflex.bootstrapServers() + (config.embeddedKafka()
                ? " (embedded; data in " + config.dataDir().resolve("kafka") + ")" : ""));
        if (config.demo()) {
            out.println("  demo      demo-shop is managed by Reflex and watched by a probe; kill it"
                    + " (pid in " + config.dataDir().resolve("run/demo-shop.pid") + ") and watch the console");
            Path drill = config.drillDir().resolve(io.reflex.app.demo.DemoDrill.FILE);
            out.println("  drill     " + relative(drill) + " kills demo-shop and grades the healing (a real fault):");
            out.println("            ./reflex drill run " + relative(drill)
                    + (config.dataDir().normalize().equals(Path.of("data")) ? "" : " --data-dir " + config.dataDir())
                    + (reflex.httpPort() == 8080 ? "" : " --url " + reflex.url())
                    + (config.runs(io.reflex.app.config.Role.DRILL) ? ", or the console's Drills page" : ""));
            Path gameDay = config.drillDir().resolve(io.reflex.app.demo.DemoDrill.GAMEDAY_FILE);
            out.println("  gameday   " + relative(gameDay) + " runs 20 drills in a row (a few minutes) and reports"
                    + " coverage and MTTR:");
            out.println("            ./reflex drill gameday " + relative(gameDay)
                    + (config.dataDir().normalize().equals(Path.of("data")) ? "" : " --data-dir " + config.dataDir())
                    + (reflex.httpPort() == 8080 ? "" : " --url " + reflex.url()) + " --html gameday.html");
        }
        out.println("Ctrl-C stops everything.");
        out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return OK;
    }

    /** Null when help was asked for. */
    static CliOverrides parseUp(List<String> args) {
        Path configFile = null;
        Integer port = null;
        Path dataDir = null;
        String kafka = null;
        String roles = null;
        boolean noDemo = false;
        List<String> unknown = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            switch (name) {
                case "-h", "--help" -> {
                    return null;
                }
                case "--no-demo" -> noDemo = true;
                case "--config", "--port", "--data-dir", "--kafka", "--roles" -> {
                    String text;
                    if (arg.contains("=")) {
                        text = arg.substring(arg.indexOf('=') + 1);
                    } else if (i + 1 < args.size()) {
                        text = args.get(++i);
                    } else {
                        throw new IllegalArgumentException(name + " needs a value");
                    }
                    switch (name) {
                        case "--config" -> configFile = Path.of(text);
                        case "--port" -> port = parsePort(text);
                        case "--data-dir" -> dataDir = Path.of(text);
                        case "--kafka" -> kafka = text;
                        default -> roles = text;
                    }
                }
                default -> unknown.add(arg);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown option" + (unknown.size() > 1 ? "s " : " ") + unknown);
        }
        return new CliOverrides(configFile, port, dataDir, kafka, roles, noDemo);
    }

    private static int parsePort(String text) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("--port must be a number from 0 to 65535, got '" + text + "'");
    }

    /** The path relative to the working directory when it is under it (as people type it), else absolute. */
    static String relative(Path path) {
        Path here = Path.of("").toAbsolutePath();
        Path absolute = path.toAbsolutePath().normalize();
        return absolute.startsWith(here) ? here.relativize(absolute).toString() : absolute.toString();
    }

    static String version() {
        String version = Main.class.getPackage().getImplementationVersion();
        return version == null ? "development build" : version;
    }
}
