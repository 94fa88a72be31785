package io.reflex.drill.dr;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.reflex.drill.DrillFileException;
import io.reflex.drill.DrillProblem;
import io.reflex.model.Durations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
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
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final Set<String> TOP = Set.of("name", "kind", "traffic", "kill", "restartBroker", "timeout",
            "description");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Pattern RESOURCE = Pattern.compile("[^:\\s]+:\\S+");
    /** More alerts than this in one drill is a load test, not a DR drill. */
    static final int MAX_ALERTS = 1_000_000;

    private DrDrillFile() {
    }

    /** Whether a drill file's text says {@code kind: dr}; the CLI picks the reader with it. */
    public static boolean isDr(String text) {
        try {
            JsonNode root = YAML.readTree(text);
            return root != null && root.isObject() && DrDrill.KIND.equalsIgnoreCase(root.path("kind").asText(""));
        } catch (JsonProcessingException e) {
            return false;
        }
    }

    /**
     * Relative paths in the file ({@code kill.pidFile}) are resolved against the file's directory.
     *
     * @throws DrillFileException with every problem, or when the file cannot be read
     */
    public static DrDrill read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException | RuntimeException e) {
            throw new DrillFileException(file.toString(), List.of(new DrillProblem("(file)",
                    "cannot be read: " + e.getMessage())));
        }
        Path dir = file.toAbsolutePath().getParent();
        return parse(text, file.toString(), dir);
    }

    /**
     * @param source  what to call the text in messages (its file name)
     * @param baseDir what relative paths in the text are relative to
     * @throws DrillFileException with every problem found
     */
    public static DrDrill parse(String text, String source, Path baseDir) {
        JsonNode root;
        try {
            root = YAML.readTree(text);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr();
            throw new DrillFileException(source, List.of(new DrillProblem("(file)", "is not YAML" + where + ": "
                    + e.getOriginalMessage())));
        }
        if (root == null || !root.isObject()) {
            throw new DrillFileException(source, List.of(new DrillProblem("(file)",
                    "must be a YAML mapping with name, kind: dr, traffic, and kill and/or restartBroker")));
        }
        Reader reader = new Reader(baseDir);
        DrDrill drill = reader.drill(root);
        if (!reader.problems.isEmpty()) {
            throw new DrillFileException(source, reader.problems);
        }
        return drill;
    }

    /** Collects problems while it reads; a part with a problem reads as null. */
    private static final class Reader {
        final List<DrillProblem> problems = new ArrayList<>();
        final Path baseDir;

        Reader(Path baseDir) {
            this.baseDir = baseDir;
        }

        DrDrill drill(JsonNode root) {
            unknownKeys(root, "", TOP);
            String name = text(root, "name", "name", true);
            if (name != null && !NAME.matcher(name).matches()) {
                problem("name", "'" + name + "' is not a drill name: use letters, digits, '.', '_' and '-'"
                        + " (it becomes part of the drill id)");
                name = null;
            }
            String kind = text(root, "kind", "kind", true);
            if (kind != null && !kind.equalsIgnoreCase(DrDrill.KIND)) {
                problem("kind", "'" + kind + "' is not a DR drill; write kind: dr (live drills have no kind)");
            }
            DrDrill.Traffic traffic = traffic(root.get("traffic"));
            JsonNode killNode = root.get("kill");
            JsonNode brokerNode = root.get("restartBroker");
            boolean noKill = killNode == null || killNode.isNull();
            if (noKill && (brokerNode == null || brokerNode.isNull())) {
                problem("kill", "is missing, and so is restartBroker: a DR drill kills a role's process (kill),"
                        + " restarts the Kafka broker (restartBroker: {after: 12s}), or both; give at least one");
            }
            DrDrill.Kill kill = noKill ? null : kill(killNode);
            Optional<Duration> broker = broker(brokerNode);
            Duration timeout = null;
            if (root.get("timeout") != null && !root.get("timeout").isNull()) {
                timeout = duration(root.get("timeout"), "timeout", null, false);
            } else if (traffic != null) {
                timeout = traffic.over().plus(DrDrill.DEFAULT_CATCH_UP);
            }
            if (traffic != null && timeout != null && timeout.compareTo(traffic.over()) <= 0) {
                problem("timeout", "is " + timeout + ", not longer than the traffic (" + traffic.over()
                        + "): Reflex would have no time to catch up; raise it, e.g. to the traffic plus 2m");
            }
            if (timeout != null && kill != null) {
                Duration restartAt = kill.after().plus(kill.restartAfter());
                if (restartAt.compareTo(timeout) >= 0) {
                    problem("kill.after", "the kill (and restart) at " + restartAt + " is not before the timeout "
                            + timeout + "; kill earlier or raise timeout");
                }
            }
            if (timeout != null && broker != null && broker.isPresent() && broker.get().compareTo(timeout) >= 0) {
                problem("restartBroker.after", "is " + broker.get() + ", not before the timeout " + timeout);
            }
            if (!problems.isEmpty()) {
                return null;
            }
            return new DrDrill(name, traffic, noKill ? null : kill, broker, timeout);
        }

        DrDrill.Traffic traffic(JsonNode node) {
            String path = "traffic";
            if (!object(node, path)) {
                return null;
            }
            unknownKeys(node, path + ".", Set.of("alerts", "over", "alert", "resource", "execute"));
            boolean execute = false;
            JsonNode ex = node.get("execute");
            if (ex != null && !ex.isNull()) {
                if (ex.isBoolean()) {
                    execute = ex.asBoolean();
                } else {
                    problem(path + ".execute", "'" + ex.asText() + "' is not true or false (false, the default,"
                            + " rehearses; true takes the real path and executes the actions)");
                }
            }
            Integer alerts = null;
            JsonNode n = node.get("alerts");
            if (n == null || n.isNull()) {
                problem(path + ".alerts", "is missing; write how many alerts to send, e.g. 600");
            } else if (!n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() < 1 || n.asInt() > MAX_ALERTS) {
                problem(path + ".alerts", "'" + n.asText() + "' is not a number of alerts from 1 to " + MAX_ALERTS);
            } else {
                alerts = n.asInt();
            }
            Duration over = duration(node.get("over"), path + ".over", null, false);
            String alert = text(node, "alert", path + ".alert", false);
            if (alert == null) {
                alert = DrDrill.Traffic.DEFAULT_ALERT;
            }
            String resource = text(node, "resource", path + ".resource", false);
            if (resource == null) {
                resource = DrDrill.Traffic.DEFAULT_RESOURCE;
            }
            boolean badResource = false;
            if (!RESOURCE.matcher(resource).matches()) {
                problem(path + ".resource", "'" + resource + "' is not a resource key KIND:NAME, e.g. service:dr-{i}");
                badResource = true;
            } else if (!resource.contains("{i}")) {
                // One resource for every alert: they would all join one incident, and a lost alert could hide
                // behind its neighbours' actions.
                problem(path + ".resource", "'" + resource + "' has no {i}: each alert needs a resource of its own,"
                        + " e.g. service:dr-{i}");
                badResource = true;
            }
            return alerts == null || over == null || badResource ? null
                    : new DrDrill.Traffic(alerts, over, alert, resource, execute);
        }

        DrDrill.Kill kill(JsonNode node) {
            String path = "kill";
            if (!object(node, path)) {
                return null;
            }
            unknownKeys(node, path + ".", Set.of("role", "pidFile", "signal", "after", "restart", "restartAfter"));
            boolean bad = false;
            DrDrill.Role role = null;
            String roleText = text(node, "role", path + ".role", true);
            if (roleText != null) {
                try {
                    role = DrDrill.Role.valueOf(roleText.toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    problem(path + ".role", "'" + roleText + "' is not a role a DR drill kills; use rules or remediator");
                }
            }
            Path pidFile = null;
            String pidText = text(node, "pidFile", path + ".pidFile", true);
            if (pidText != null) {
                try {
                    Path p = Path.of(pidText);
                    pidFile = p.isAbsolute() || baseDir == null ? p : baseDir.resolve(p);
                } catch (InvalidPathException e) {
                    problem(path + ".pidFile", "'" + pidText + "' is not a path: " + e.getReason());
                }
            }
            DrDrill.Signal signal = DrDrill.Signal.KILL;
            String signalText = text(node, "signal", path + ".signal", false);
            if (signalText != null) {
                String s = signalText.toUpperCase(Locale.ROOT);
                s = s.startsWith("SIG") ? s.substring(3) : s;
                try {
                    signal = DrDrill.Signal.valueOf(s);
                } catch (IllegalArgumentException e) {
                    problem(path + ".signal", "'" + signalText + "' is not a signal; use KILL or TERM");
                    bad = true;
                }
            }
            Duration after = duration(node.get("after"), path + ".after", null, false);
            List<String> restart = List.of();
            JsonNode r = node.get("restart");
            if (r != null && !r.isNull()) {
                restart = argv(r, path + ".restart");
                bad |= restart == null;
            }
            Duration restartAfter = duration(node.get("restartAfter"), path + ".restartAfter", Duration.ZERO, true);
            if (node.has("restartAfter") && restart != null && restart.isEmpty()) {
                problem(path + ".restartAfter", "is set but there is no restart command; give kill.restart"
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
            if (!object(node, path)) {
                return null;
            }
            unknownKeys(node, path + ".", Set.of("after"));
            Duration after = duration(node.get("after"), path + ".after", null, false);
            return after == null ? null : Optional.of(after);
        }

        List<String> argv(JsonNode node, String path) {
            if (!node.isArray() || node.isEmpty()) {
                problem(path, "must be a non-empty list: the program and its arguments (no shell),"
                        + " e.g. [systemctl, start, reflex-rules]");
                return null;
            }
            List<String> argv = new ArrayList<>();
            for (int i = 0; i < node.size(); i++) {
                JsonNode arg = node.get(i);
                if (!arg.isValueNode() || arg.isNull()) {
                    problem(path + "[" + i + "]", "must be a string");
                    return null;
                }
                argv.add(arg.asText());
            }
            return argv;
        }

        /** @param zeroOk whether 0 is a valid value (a delay), rather than a length that must be positive */
        Duration duration(JsonNode node, String path, Duration fallback, boolean zeroOk) {
            if (node == null || node.isNull()) {
                if (fallback == null) {
                    problem(path, "is missing; write a duration such as 30s");
                }
                return fallback;
            }
            try {
                Duration d = Durations.parse(node.asText());
                if (d.isNegative() || d.isZero() && !zeroOk) {
                    problem(path, zeroOk ? "must not be negative" : "must be longer than 0");
                    return null;
                }
                return d;
            } catch (IllegalArgumentException e) {
                problem(path, e.getMessage());
                return null;
            }
        }

        String text(JsonNode parent, String field, String path, boolean required) {
            JsonNode node = parent.get(field);
            if (node == null || node.isNull() || node.isTextual() && node.asText().isBlank()) {
                if (required) {
                    problem(path, "is missing");
                }
                return null;
            }
            if (!node.isValueNode()) {
                problem(path, "must be a single value, not " + (node.isArray() ? "a list" : "a mapping"));
                return null;
            }
            return node.asText().trim();
        }

        boolean object(JsonNode node, String path) {
            if (node == null || node.isNull()) {
                problem(path, "is missing");
                return false;
            }
            if (!node.isObject()) {
                problem(path, "must be a mapping");
                return false;
            }
            return true;
        }

        void unknownKeys(JsonNode node, String prefix, Set<String> known) {
            for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!known.contains(name)) {
                    problem(prefix + name, "is not a DR drill setting here; expected one of "
                            + known.stream().sorted().toList());
                }
            }
        }

        void problem(String path, String message) {
            problems.add(new DrillProblem(path, message));
        }
    }
}
