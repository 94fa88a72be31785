package io.reflex.drill.dr;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflex.drill.DrillFileException;
import io.reflex.drill.DrillYaml;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads DR drill files (YAML) into {@link DrDrill}s. Like the live drill files, the whole file is
 * read before it complains, so one run names every problem with its path.
 *
 * <pre>
 * name: kill-rules
 * kind: dr
 * traffic: {alerts: 600, over: 20s, alert: DrTest, resource: "service:dr-{i}"}
 *   # execute: false (default) = rehearsal: the alerts carry the drill id, Reflex decides DRY_RUN actions and
 *   #   calls no connector. execute: true = the real path: the drill id is only the label drillId, the
 *   #   incidents are real incidents labelled with it and their actions really execute (use a harmless rule,
 *   #   e.g. a notify to a test webhook): only then does "0 actions duplicated" cover connectors.
 * kill:                          # optional when restartBroker is given; at least one of the two
 *   role: rules                 # rules | remediator
 *   pidFile: run/rules.pid      # relative to the drill file's directory
 *   signal: KILL                # KILL (a crash, the default) | TERM
 *   after: 6s                   # into the traffic
 *   restart: [java, -cp, ..., io.reflex.app.Main, up, --roles, rules]   # optional: what a supervisor would run
 *   restartAfter: 2s            # after the kill; default 0
 * restartBroker: {after: 12s}   # optional: restart the embedded Kafka broker
 * timeout: 2m                   # from the start of the traffic; default the traffic's length + 2m
 * </pre>
 */
public final class DrDrillFile {
    private static final Set<String> TOP = Set.of("name", "kind", "traffic", "kill", "restartBroker", "timeout",
            "description");
    private static final Pattern RESOURCE = Pattern.compile("[^:\\s]+:\\S+");
    /** More alerts than this in one drill is a load test, not a DR drill. */
    static final int MAX_ALERTS = 1_000_000;

    private DrDrillFile() {
    }

    /** Whether a drill file's text says {@code kind: dr}; the CLI picks the reader with it. */
    public static boolean isDr(String text) {
        JsonNode root = DrillYaml.tryRead(text);
        return root != null && root.isObject() && DrDrill.KIND.equalsIgnoreCase(root.path("kind").asText(""));
    }

    /**
     * Relative paths in the file ({@code kill.pidFile}) are resolved against the file's directory.
     *
     * @throws DrillFileException with every problem, or when the file cannot be read
     */
    public static DrDrill read(Path file) {
        String text = DrillYaml.readString(file);
        Path dir = file.toAbsolutePath().getParent();
        return parse(text, file.toString(), dir);
    }

    /**
     * @param source  what to call the text in messages (its file name)
     * @param baseDir what relative paths in the text are relative to
     * @throws DrillFileException with every problem found
     */
    public static DrDrill parse(String text, String source, Path baseDir) {
        JsonNode root = DrillYaml.root(text, source,
                "must be a YAML mapping with name, kind: dr, traffic, and kill and/or restartBroker");
        Reader reader = new Reader(baseDir);
        DrDrill drill = reader.drill(root);
        reader.yaml.throwIfProblems(source);
        return drill;
    }

    /** Collects problems while it reads; a part with a problem reads as null. */
    private static final class Reader {
        final DrillYaml yaml = new DrillYaml("DR drill");
        final Path baseDir;

        Reader(Path baseDir) {
            this.baseDir = baseDir;
        }

        DrDrill drill(JsonNode root) {
            yaml.unknownKeys(root, "", TOP);
            String name = yaml.drillName(root);
            String kind = yaml.text(root, "kind", "kind", true);
            if (kind != null && !kind.equalsIgnoreCase(DrDrill.KIND)) {
                yaml.problem("kind", "'" + kind + "' is not a DR drill; write kind: dr (live drills have no kind)");
            }
            DrDrill.Traffic traffic = traffic(root.get("traffic"));
            JsonNode killNode = root.get("kill");
            JsonNode brokerNode = root.get("restartBroker");
            boolean noKill = killNode == null || killNode.isNull();
            if (noKill && (brokerNode == null || brokerNode.isNull())) {
                yaml.problem("kill", "is missing, and so is restartBroker: a DR drill kills a role's process (kill),"
                        + " restarts the Kafka broker (restartBroker: {after: 12s}), or both; give at least one");
            }
            DrDrill.Kill kill = noKill ? null : kill(killNode);
            Optional<Duration> broker = broker(brokerNode);
            Duration timeout = null;
            if (root.get("timeout") != null && !root.get("timeout").isNull()) {
                timeout = yaml.duration(root.get("timeout"), "timeout", null, false);
            } else if (traffic != null) {
                timeout = traffic.over().plus(DrDrill.DEFAULT_CATCH_UP);
            }
            if (traffic != null && timeout != null && timeout.compareTo(traffic.over()) <= 0) {
                yaml.problem("timeout", "is " + timeout + ", not longer than the traffic (" + traffic.over()
                        + "): Reflex would have no time to catch up; raise it, e.g. to the traffic plus 2m");
            }
            if (timeout != null && kill != null) {
                Duration restartAt = kill.after().plus(kill.restartAfter());
                if (restartAt.compareTo(timeout) >= 0) {
                    yaml.problem("kill.after", "the kill (and restart) at " + restartAt + " is not before the timeout "
                            + timeout + "; kill earlier or raise timeout");
                }
            }
            if (timeout != null && broker != null && broker.isPresent() && broker.get().compareTo(timeout) >= 0) {
                yaml.problem("restartBroker.after", "is " + broker.get() + ", not before the timeout " + timeout);
            }
            if (!yaml.problems().isEmpty()) {
                return null;
            }
            return new DrDrill(name, traffic, noKill ? null : kill, broker, timeout);
        }

        DrDrill.Traffic traffic(JsonNode node) {
            String path = "traffic";
            if (!yaml.object(node, path, true)) {
                return null;
            }
            yaml.unknownKeys(node, path + ".", Set.of("alerts", "over", "alert", "resource", "execute"));
            boolean execute = false;
            JsonNode ex = node.get("execute");
            if (ex != null && !ex.isNull()) {
                if (ex.isBoolean()) {
                    execute = ex.asBoolean();
                } else {
                    yaml.problem(path + ".execute", "'" + ex.asText() + "' is not true or false (false, the default,"
                            + " rehearses; true takes the real path and executes the actions)");
                }
            }
            Integer alerts = null;
            JsonNode n = node.get("alerts");
            if (n == null || n.isNull()) {
                yaml.problem(path + ".alerts", "is missing; write how many alerts to send, e.g. 600");
            } else if (!n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() < 1 || n.asInt() > MAX_ALERTS) {
                yaml.problem(path + ".alerts",
                        "'" + n.asText() + "' is not a number of alerts from 1 to " + MAX_ALERTS);
            } else {
                alerts = n.asInt();
            }
            Duration over = yaml.duration(node.get("over"), path + ".over", null, false);
            String alert = yaml.text(node, "alert", path + ".alert", false);
            if (alert == null) {
                alert = DrDrill.Traffic.DEFAULT_ALERT;
            }
            String resource = yaml.text(node, "resource", path + ".resource", false);
            if (resource == null) {
                resource = DrDrill.Traffic.DEFAULT_RESOURCE;
            }
            boolean badResource = false;
            if (!RESOURCE.matcher(resource).matches()) {
                yaml.problem(path + ".resource",
                        "'" + resource + "' is not a resource key KIND:NAME, e.g. service:dr-{i}");
                badResource = true;
            } else if (!resource.contains("{i}")) {
                // One resource for every alert: they would all join one incident, and a lost alert could hide
                // behind its neighbours' actions.
                yaml.problem(path + ".resource",
                        "'" + resource + "' has no {i}: each alert needs a resource of its own,"
                        + " e.g. service:dr-{i}");
                badResource = true;
            }
            return alerts == null || over == null || badResource ? null
                    : new DrDrill.Traffic(alerts, over, alert, resource, execute);
        }

        DrDrill.Kill kill(JsonNode node) {
            String path = "kill";
            if (!yaml.object(node, path, true)) {
                return null;
            }
            yaml.unknownKeys(node, path + ".", Set.of("role", "pidFile", "signal", "after", "restart", "restartAfter"));
            boolean bad = false;
            DrDrill.Role role = null;
            String roleText = yaml.text(node, "role", path + ".role", true);
            if (roleText != null) {
                try {
                    role = DrDrill.Role.valueOf(roleText.toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    yaml.problem(path + ".role",
                            "'" + roleText + "' is not a role a DR drill kills; use rules or remediator");
                }
            }
            Path pidFile = null;
            String pidText = yaml.text(node, "pidFile", path + ".pidFile", true);
            if (pidText != null) {
                try {
                    Path p = Path.of(pidText);
                    pidFile = p.isAbsolute() || baseDir == null ? p : baseDir.resolve(p);
                } catch (InvalidPathException e) {
                    yaml.problem(path + ".pidFile", "'" + pidText + "' is not a path: " + e.getReason());
                }
            }
            DrDrill.Signal signal = DrDrill.Signal.KILL;
            String signalText = yaml.text(node, "signal", path + ".signal", false);
            if (signalText != null) {
                String s = signalText.toUpperCase(Locale.ROOT);
                s = s.startsWith("SIG") ? s.substring(3) : s;
                try {
                    signal = DrDrill.Signal.valueOf(s);
                } catch (IllegalArgumentException e) {
                    yaml.problem(path + ".signal", "'" + signalText + "' is not a signal; use KILL or TERM");
                    bad = true;
                }
            }
            Duration after = yaml.duration(node.get("after"), path + ".after", null, false);
            List<String> restart = List.of();
            JsonNode r = node.get("restart");
            if (r != null && !r.isNull()) {
                restart = yaml.argv(r, path + ".restart", "[systemctl, start, reflex-rules]");
                bad |= restart == null;
            }
            Duration restartAfter = yaml.duration(node.get("restartAfter"), path + ".restartAfter", Duration.ZERO,
                    true);
            if (node.has("restartAfter") && restart != null && restart.isEmpty()) {
                yaml.problem(path + ".restartAfter", "is set but there is no restart command; give kill.restart"
                        + " (the argv a supervisor would run) or leave restartAfter out");
                bad = true;
            }
            return bad || role == null || pidFile == null || after == null || restartAfter == null ? null
                    : new DrDrill.Kill(role, pidFile, signal, after, restart, restartAfter);
        }

        Optional<Duration> broker(JsonNode node) {
            if (node == null || node.isNull()) {
                return Optional.empty();
            }
            String path = "restartBroker";
            if (!yaml.object(node, path, true)) {
                return null;
            }
            yaml.unknownKeys(node, path + ".", Set.of("after"));
            Duration after = yaml.duration(node.get("after"), path + ".after", null, false);
            return after == null ? null : Optional.of(after);
        }
    }
}
