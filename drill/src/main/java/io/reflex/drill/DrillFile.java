package io.reflex.drill;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.reflex.model.ActionType;
import io.reflex.model.Durations;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads drill files (YAML, or JSON, which is YAML too) into {@link DrillDefinition}s. It reads
 * the whole file before it complains, so one run names every problem with its path.
 *
 * <pre>
 * name: kill-demo-shop
 * mode: live                      # live (dry-run: not yet)
 * steadyState:
 *   http: {url: http://127.0.0.1:8081/health, status: 200}   # or tcp: HOST:PORT, or command: [argv...]
 *   interval: 1s
 *   timeout: 2s
 * fault: {type: kill, connector: process, service: demo-shop, signal: KILL}   # type kill | stop
 * expect: {rule: restart service on ServiceDown, action: restart_service, target: service:demo-shop}
 * slo: 30s                        # time to recover, from the injection
 * timeout: 2m                     # give up (and undo) after this; default 2m
 * undo: restart                   # restart | none; default restart
 * </pre>
 */
public final class DrillFile {
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final Set<String> TOP = Set.of("name", "mode", "steadyState", "fault", "expect", "slo", "timeout",
            "undo", "description");
    private static final Set<String> LATER_FAULTS = Set.of("ssh-stop", "scale-to-zero", "cordon", "alert-storm");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private DrillFile() {
    }

    /** @throws DrillFileException with every problem, or when the file cannot be read */
    public static DrillDefinition read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException | RuntimeException e) {
            throw new DrillFileException(file.toString(), List.of(new DrillProblem("(file)",
                    "cannot be read: " + e.getMessage())));
        }
        return parse(text, file.toString());
    }

    /**
     * @param source what to call the text in messages (its file name)
     * @throws DrillFileException with every problem found
     */
    public static DrillDefinition parse(String text, String source) {
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
                    "must be a YAML mapping with name, steadyState, fault, expect and slo")));
        }
        Reader reader = new Reader();
        DrillDefinition drill = reader.drill(root);
        if (!reader.problems.isEmpty()) {
            throw new DrillFileException(source, reader.problems);
        }
        return drill;
    }

    /** Collects problems while it reads; a part with a problem reads as null. */
    private static final class Reader {
        final List<DrillProblem> problems = new ArrayList<>();

        DrillDefinition drill(JsonNode root) {
            unknownKeys(root, "", TOP);
            String name = text(root, "name", "name", true);
            if (name != null && !NAME.matcher(name).matches()) {
                problem("name", "'" + name + "' is not a drill name: use letters, digits, '.', '_' and '-'"
                        + " (it becomes part of the drill id)");
                name = null;
            }
            DrillMode mode = mode(root.get("mode"));
            SteadyState steady = steadyState(root.get("steadyState"));
            Fault fault = fault(root.get("fault"));
            Expectation expect = expect(root.get("expect"));
            Duration slo = duration(root.get("slo"), "slo", null);
            Duration timeout = duration(root.get("timeout"), "timeout", DrillDefinition.DEFAULT_TIMEOUT);
            if (slo != null && timeout != null && slo.compareTo(timeout) > 0) {
                problem("slo", "is " + slo + ", longer than the timeout " + timeout
                        + ": the drill would give up before it could fail the SLO; raise timeout or lower slo");
            }
            Undo undo = undo(root.get("undo"));
            if (!problems.isEmpty()) {
                return null;
            }
            return new DrillDefinition(name, steady, fault, expect, slo, timeout, undo, mode);
        }

        DrillMode mode(JsonNode node) {
            if (node == null || node.isNull()) {
                return DrillMode.LIVE;
            }
            String mode = node.asText().trim().toLowerCase(Locale.ROOT);
            return switch (mode) {
                case "live" -> DrillMode.LIVE;
                case "dry-run", "dry_run", "dryrun" -> {
                    problem("mode", "dry-run drills are not yet supported; use mode: live");
                    yield null;
                }
                default -> {
                    problem("mode", "'" + node.asText() + "' is not a mode; use live");
                    yield null;
                }
            };
        }

        SteadyState steadyState(JsonNode node) {
            String path = "steadyState";
            if (!object(node, path, true)) {
                return null;
            }
            unknownKeys(node, path + ".", Set.of("http", "tcp", "command", "interval", "timeout"));
            List<String> kinds = new ArrayList<>();
            for (String kind : List.of("http", "tcp", "command")) {
                if (node.has(kind)) {
                    kinds.add(kind);
                }
            }
            SteadyState.Probe probe = null;
            if (kinds.isEmpty()) {
                problem(path, "needs a probe: http (a URL), tcp (HOST:PORT) or command (a list: the argv)");
            } else if (kinds.size() > 1) {
                problem(path, "has " + String.join(" and ", kinds) + "; give exactly one probe");
            } else {
                probe = switch (kinds.get(0)) {
                    case "http" -> http(node.get("http"), path + ".http");
                    case "tcp" -> tcp(node.get("tcp"), path + ".tcp");
                    default -> command(node.get("command"), path + ".command");
                };
            }
            Duration interval = duration(node.get("interval"), path + ".interval", SteadyState.DEFAULT_INTERVAL);
            Duration timeout = duration(node.get("timeout"), path + ".timeout", SteadyState.DEFAULT_TIMEOUT);
            return probe == null || interval == null || timeout == null ? null
                    : new SteadyState(probe, interval, timeout);
        }

        SteadyState.Probe http(JsonNode node, String path) {
            String url;
            int status = 200;
            if (node != null && node.isTextual()) {
                url = node.asText().trim();
            } else if (object(node, path, true)) {
                unknownKeys(node, path + ".", Set.of("url", "status"));
                url = text(node, "url", path + ".url", true);
                JsonNode s = node.get("status");
                if (s != null) {
                    if (s.canConvertToInt() && s.asInt() >= 100 && s.asInt() <= 599) {
                        status = s.asInt();
                    } else {
                        problem(path + ".status", "'" + s.asText() + "' is not an HTTP status (100 to 599)");
                        return null;
                    }
                }
            } else {
                return null;
            }
            if (url == null) {
                return null;
            }
            try {
                URI uri = URI.create(url);
                if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                    throw new IllegalArgumentException("not http(s)");
                }
            } catch (IllegalArgumentException e) {
                problem(path + (node.isTextual() ? "" : ".url"), "'" + url
                        + "' is not an http(s) URL, e.g. http://127.0.0.1:8081/health");
                return null;
            }
            return new SteadyState.Http(url, status);
        }

        SteadyState.Probe tcp(JsonNode node, String path) {
            String text = node == null ? null : node.asText().trim();
            int colon = text == null ? -1 : text.lastIndexOf(':');
            if (colon > 0) {
                try {
                    int port = Integer.parseInt(text.substring(colon + 1));
                    if (port > 0 && port <= 65535) {
                        return new SteadyState.Tcp(text.substring(0, colon), port);
                    }
                } catch (NumberFormatException e) {
                    // reported below
                }
            }
            problem(path, "'" + text + "' is not HOST:PORT, e.g. 127.0.0.1:5432");
            return null;
        }

        SteadyState.Probe command(JsonNode node, String path) {
            if (node == null || !node.isArray() || node.isEmpty()) {
                problem(path, "must be a non-empty list: the program and its arguments (no shell), e.g. [pg_isready, -q]");
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
            return new SteadyState.Command(argv);
        }

        Fault fault(JsonNode node) {
            String path = "fault";
            if (!object(node, path, true)) {
                return null;
            }
            String type = text(node, "type", path + ".type", true);
            if (type == null) {
                return null;
            }
            type = type.toLowerCase(Locale.ROOT);
            if (LATER_FAULTS.contains(type)) {
                problem(path + ".type", "'" + type + "' faults are not yet supported; this version injects kill and stop"
                        + " (of a process connector's service)");
                return null;
            }
            if (!type.equals("kill") && !type.equals("stop")) {
                problem(path + ".type", "'" + type + "' is not a fault type; use kill or stop");
                return null;
            }
            unknownKeys(node, path + ".", Set.of("type", "connector", "service", "signal"));
            String connector = text(node, "connector", path + ".connector", false);
            if (connector == null) {
                connector = "process";
            }
            String service = text(node, "service", path + ".service", true);
            Fault.Signal signal = type.equals("kill") ? Fault.Signal.KILL : Fault.Signal.TERM;
            String signalText = text(node, "signal", path + ".signal", false);
            if (signalText != null) {
                try {
                    signal = Fault.Signal.parse(signalText);
                } catch (IllegalArgumentException e) {
                    problem(path + ".signal", "'" + signalText + "' is not a signal; use KILL or TERM");
                    return null;
                }
            }
            return service == null ? null : new Fault.ProcessSignal(type, connector, service, signal);
        }

        Expectation expect(JsonNode node) {
            String path = "expect";
            if (!object(node, path, true)) {
                return null;
            }
            unknownKeys(node, path + ".", Set.of("rule", "action", "target"));
            String rule = text(node, "rule", path + ".rule", false);
            String actionText = text(node, "action", path + ".action", false);
            String target = text(node, "target", path + ".target", false);
            ActionType action = null;
            boolean bad = false;
            if (actionText != null) {
                try {
                    action = ActionType.fromWireName(actionText.trim());
                } catch (IllegalArgumentException e) {
                    problem(path + ".action", e.getMessage());
                    bad = true;
                }
            }
            if (target != null && !target.matches("[^:\\s]+:\\S+")) {
                problem(path + ".target", "'" + target + "' is not a target key KIND:NAME, e.g. service:demo-shop");
                bad = true;
            }
            if (target != null && actionText == null) {
                problem(path + ".target", "names the action's target; give the action too (e.g. action: restart_service)");
                bad = true;
            }
            if (rule == null && actionText == null && !bad) {
                problem(path, "needs a rule (its name) and/or an action (its type, e.g. restart_service)");
                bad = true;
            }
            return bad ? null : new Expectation(rule, action, target);
        }

        Undo undo(JsonNode node) {
            if (node == null || node.isNull()) {
                return Undo.RESTART;
            }
            return switch (node.asText().trim().toLowerCase(Locale.ROOT)) {
                case "restart" -> Undo.RESTART;
                case "none" -> Undo.NONE;
                default -> {
                    problem("undo", "'" + node.asText() + "' is not an undo; use restart (the service, through its"
                            + " connector) or none");
                    yield null;
                }
            };
        }

        Duration duration(JsonNode node, String path, Duration fallback) {
            if (node == null || node.isNull()) {
                if (fallback == null) {
                    problem(path, "is missing; write a duration such as 30s");
                }
                return fallback;
            }
            try {
                Duration d = Durations.parse(node.asText());
                if (d.isZero() || d.isNegative()) {
                    problem(path, "must be longer than 0");
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

        boolean object(JsonNode node, String path, boolean required) {
            if (node == null || node.isNull()) {
                if (required) {
                    problem(path, "is missing");
                }
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
                    problem(prefix + name, "is not a drill setting here; expected one of " + known.stream().sorted().toList());
                }
            }
        }

        void problem(String path, String message) {
            problems.add(new DrillProblem(path, message));
        }
    }
}
