package io.reflex.drill;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflex.model.ActionType;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads drill files (YAML, or JSON, which is YAML too) into {@link DrillDefinition}s. It reads
 * the whole file before it complains, so one run names every problem with its path.
 *
 * <pre>
 * name: kill-demo-shop
 * mode: live                      # live | dry-run; default live
 * steadyState:                    # required in live mode
 *   http: {url: http://127.0.0.1:8081/health, status: 200}
 *   # or tcp: HOST:PORT, command: [argv...], prometheus: {query: 'up{job="shop"}', url: http://127.0.0.1:9090}
 *   interval: 1s
 *   timeout: 2s
 * fault: {type: kill, connector: process, service: demo-shop, signal: KILL}
 *   # kill | stop (process connector), ssh-stop {connector, host, service},
 *   # scale-to-zero {connector, namespace, deployment}, cordon {connector, node}
 *   # (these three take resource: KIND:NAME, the incident to follow), or in dry-run only
 *   # alert-storm {alerts: 200, over: 1m, alert: HostDown, resource: 'host:storm-{i}',
 *   #              labels: {zone: 'zone-{i%10}'}, severity: critical}
 * alert: {name: ServiceDown, labels: {service: demo-shop}, severity: critical}   # dry-run, not storms
 * expect: {rule: restart service on ServiceDown, action: restart_service, target: service:demo-shop}
 *   # dry-run may add guardrail: blastRadius (it must hold or refuse one of the drill's actions)
 * abort: {onGuardrail: true, probe: {http: http://127.0.0.1:8082/health}}   # live; optional
 * slo: 30s                        # time to recover, from the injection (not graded in dry-run)
 * timeout: 2m                     # give up (and undo) after this; default 2m
 * undo: restart                   # restart | none; default restart (the inverse action for connector faults)
 * </pre>
 */
public final class DrillFile {
    private static final Set<String> TOP = Set.of("name", "mode", "steadyState", "fault", "expect", "slo", "timeout",
            "undo", "description", "alert", "abort");
    private static final List<String> FAULT_TYPES = List.of("kill", "stop", "ssh-stop", "scale-to-zero", "cordon",
            "alert-storm");
    private static final Pattern KEY = Pattern.compile("[^:\\s]+:\\S+");

    private DrillFile() {
    }

    /** @throws DrillFileException with every problem, or when the file cannot be read */
    public static DrillDefinition read(Path file) {
        return parse(DrillYaml.readString(file), file.toString());
    }

    /**
     * @param source what to call the text in messages (its file name)
     * @throws DrillFileException with every problem found
     */
    public static DrillDefinition parse(String text, String source) {
        JsonNode root = DrillYaml.root(text, source,
                "must be a YAML mapping with name, steadyState, fault, expect and slo");
        Reader reader = new Reader();
        DrillDefinition drill = reader.drill(root);
        reader.yaml.throwIfProblems(source);
        return drill;
    }

    /** Collects problems while it reads; a part with a problem reads as null. */
    private static final class Reader {
        final DrillYaml yaml = new DrillYaml("drill");

        DrillDefinition drill(JsonNode root) {
            yaml.unknownKeys(root, "", TOP);
            String name = yaml.drillName(root);
            DrillMode mode = mode(root.get("mode"));
            boolean dryRun = mode == DrillMode.DRY_RUN;
            SteadyState steady = root.has("steadyState") || !dryRun
                    ? probeSection(root.get("steadyState"), "steadyState") : null;
            Fault fault = fault(root.get("fault"));
            // By the written type, so that a storm with a problem is still judged as a storm.
            boolean storm = "alert-storm".equalsIgnoreCase(root.path("fault").path("type").asText().trim());
            if (storm && mode == DrillMode.LIVE) {
                yaml.problem("mode",
                        "an alert-storm fault is synthetic and runs only in dry-run mode; write mode: dry-run");
            }
            SyntheticAlert alert = null;
            if (root.has("alert")) {
                if (storm) {
                    yaml.problem("alert",
                            "an alert storm names its own alerts (fault.alert, fault.resource, fault.labels);"
                            + " remove this section");
                } else if (mode == DrillMode.LIVE) {
                    yaml.problem("alert",
                            "only a dry run sends an alert (a live drill's alert comes from a real probe or"
                            + " monitor); remove this section or write mode: dry-run");
                } else {
                    alert = alert(root.get("alert"));
                }
            } else if (dryRun && !storm) {
                yaml.problem("alert",
                        "is missing: a dry run sends the alert the fault would raise instead of injecting it;"
                        + " write e.g. alert: {name: ServiceDown, labels: {service: demo-shop}, severity: critical}");
            }
            Expectation expect = expect(root.get("expect"));
            if (expect != null && expect.guardrail() != null && mode == DrillMode.LIVE) {
                yaml.problem("expect.guardrail",
                        "is graded in dry-run drills only (a live drill aborts on a guardrail with"
                        + " abort: {onGuardrail: true}); remove it or write mode: dry-run");
            }
            Abort abort = abort(root.get("abort"));
            Duration slo = yaml.duration(root.get("slo"), "slo", null);
            Duration timeout = yaml.duration(root.get("timeout"), "timeout", DrillDefinition.DEFAULT_TIMEOUT);
            if (slo != null && timeout != null && slo.compareTo(timeout) > 0) {
                yaml.problem("slo", "is " + slo + ", longer than the timeout " + timeout
                        + ": the drill would give up before it could fail the SLO; raise timeout or lower slo");
            }
            Undo undo = undo(root.get("undo"));
            if (!yaml.problems().isEmpty()) {
                return null;
            }
            return new DrillDefinition(name, steady, fault, expect, slo, timeout, undo, mode, alert, abort);
        }

        DrillMode mode(JsonNode node) {
            if (node == null || node.isNull()) {
                return DrillMode.LIVE;
            }
            String mode = node.asText().trim().toLowerCase(Locale.ROOT);
            return switch (mode) {
                case "live" -> DrillMode.LIVE;
                case "dry-run", "dry_run", "dryrun" -> DrillMode.DRY_RUN;
                default -> {
                    yaml.problem("mode", "'" + node.asText() + "' is not a mode; use live or dry-run");
                    yield null;
                }
            };
        }

        /** A probe with its interval and timeout: the steady state, or the abort probe. */
        SteadyState probeSection(JsonNode node, String path) {
            if (!yaml.object(node, path, true)) {
                return null;
            }
            yaml.unknownKeys(node, path + ".", Set.of("http", "tcp", "command", "prometheus", "interval", "timeout"));
            List<String> kinds = new ArrayList<>();
            for (String kind : List.of("http", "tcp", "command", "prometheus")) {
                if (node.has(kind)) {
                    kinds.add(kind);
                }
            }
            SteadyState.Probe probe = null;
            if (kinds.isEmpty()) {
                yaml.problem(path,
                        "needs a probe: http (a URL), tcp (HOST:PORT), command (a list: the argv) or prometheus"
                        + " ({query: PROMQL, url: http://HOST:9090})");
            } else if (kinds.size() > 1) {
                yaml.problem(path, "has " + String.join(" and ", kinds) + "; give exactly one probe");
            } else {
                probe = switch (kinds.get(0)) {
                    case "http" -> http(node.get("http"), path + ".http");
                    case "tcp" -> tcp(node.get("tcp"), path + ".tcp");
                    case "prometheus" -> prometheus(node.get("prometheus"), path + ".prometheus");
                    default -> command(node.get("command"), path + ".command");
                };
            }
            Duration interval = yaml.duration(node.get("interval"), path + ".interval", SteadyState.DEFAULT_INTERVAL);
            Duration timeout = yaml.duration(node.get("timeout"), path + ".timeout", SteadyState.DEFAULT_TIMEOUT);
            return probe == null || interval == null || timeout == null ? null
                    : new SteadyState(probe, interval, timeout);
        }

        SteadyState.Probe http(JsonNode node, String path) {
            String url;
            int status = 200;
            if (node != null && node.isTextual()) {
                url = node.asText().trim();
            } else if (yaml.object(node, path, true)) {
                yaml.unknownKeys(node, path + ".", Set.of("url", "status"));
                url = yaml.text(node, "url", path + ".url", true);
                JsonNode s = node.get("status");
                if (s != null) {
                    if (s.canConvertToInt() && s.asInt() >= 100 && s.asInt() <= 599) {
                        status = s.asInt();
                    } else {
                        yaml.problem(path + ".status", "'" + s.asText() + "' is not an HTTP status (100 to 599)");
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
                yaml.problem(path + (node.isTextual() ? "" : ".url"), "'" + url
                        + "' is not an http(s) URL, e.g. http://127.0.0.1:8081/health");
                return null;
            }
            return new SteadyState.Http(url, status);
        }

        SteadyState.Probe prometheus(JsonNode node, String path) {
            if (!yaml.object(node, path, true)) {
                return null;
            }
            yaml.unknownKeys(node, path + ".", Set.of("query", "url"));
            String query = yaml.text(node, "query", path + ".query", true);
            String url = yaml.text(node, "url", path + ".url", false);
            URI uri = null;
            if (url != null) {
                uri = httpUrl(url);
                if (uri == null) {
                    yaml.problem(path + ".url", "'" + url + "' is not an http(s) URL, e.g. http://127.0.0.1:9090");
                    return null;
                }
            }
            return query == null ? null : new SteadyState.Prometheus(query, uri);
        }

        static URI httpUrl(String url) {
            try {
                URI uri = URI.create(url);
                return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null
                        ? uri : null;
            } catch (IllegalArgumentException e) {
                return null;
            }
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
            yaml.problem(path, "'" + text + "' is not HOST:PORT, e.g. 127.0.0.1:5432");
            return null;
        }

        SteadyState.Probe command(JsonNode node, String path) {
            List<String> argv = yaml.argv(node, path, "[pg_isready, -q]");
            return argv == null ? null : new SteadyState.Command(argv);
        }

        Fault fault(JsonNode node) {
            String path = "fault";
            if (!yaml.object(node, path, true)) {
                return null;
            }
            String type = yaml.text(node, "type", path + ".type", true);
            if (type == null) {
                return null;
            }
            type = type.toLowerCase(Locale.ROOT);
            int before = yaml.problems().size();
            Fault fault = switch (type) {
                case "kill", "stop" -> processSignal(node, path, type);
                case "ssh-stop" -> {
                    yaml.unknownKeys(node, path + ".", Set.of("type", "connector", "host", "service", "resource"));
                    String connector = yaml.text(node, "connector", path + ".connector", true);
                    String host = yaml.text(node, "host", path + ".host", true);
                    String service = yaml.text(node, "service", path + ".service", true);
                    String resource = resource(node, path);
                    yield connector == null || host == null || service == null ? null
                            : new Fault.SshStop(connector, host, service, resource);
                }
                case "scale-to-zero" -> {
                    yaml.unknownKeys(node, path + ".",
                            Set.of("type", "connector", "namespace", "deployment", "resource"));
                    String connector = yaml.text(node, "connector", path + ".connector", true);
                    String namespace = yaml.text(node, "namespace", path + ".namespace", true);
                    String deployment = yaml.text(node, "deployment", path + ".deployment", true);
                    String resource = resource(node, path);
                    yield connector == null || namespace == null || deployment == null ? null
                            : new Fault.ScaleToZero(connector, namespace, deployment, resource);
                }
                case "cordon" -> {
                    yaml.unknownKeys(node, path + ".", Set.of("type", "connector", "node", "resource"));
                    String connector = yaml.text(node, "connector", path + ".connector", true);
                    String nodeName = yaml.text(node, "node", path + ".node", true);
                    String resource = resource(node, path);
                    yield connector == null || nodeName == null ? null
                            : new Fault.Cordon(connector, nodeName, resource);
                }
                case "alert-storm" -> storm(node, path);
                default -> {
                    yaml.problem(path + ".type", "'" + type + "' is not a fault type; use one of " + FAULT_TYPES);
                    yield null;
                }
            };
            return yaml.problems().size() > before ? null : fault;
        }

        String resource(JsonNode node, String path) {
            String resource = yaml.text(node, "resource", path + ".resource", false);
            if (resource != null && !KEY.matcher(resource).matches()) {
                yaml.problem(path + ".resource",
                        "'" + resource + "' is not a resource key KIND:NAME, e.g. service:demo-shop"
                        + " (the resource whose incident the drill follows)");
                return null;
            }
            return resource;
        }

        Fault processSignal(JsonNode node, String path, String type) {
            yaml.unknownKeys(node, path + ".", Set.of("type", "connector", "service", "signal"));
            String connector = yaml.text(node, "connector", path + ".connector", false);
            if (connector == null) {
                connector = "process";
            }
            String service = yaml.text(node, "service", path + ".service", true);
            Fault.Signal signal = type.equals("kill") ? Fault.Signal.KILL : Fault.Signal.TERM;
            String signalText = yaml.text(node, "signal", path + ".signal", false);
            if (signalText != null) {
                try {
                    signal = Fault.Signal.parse(signalText);
                } catch (IllegalArgumentException e) {
                    yaml.problem(path + ".signal", "'" + signalText + "' is not a signal; use KILL or TERM");
                    return null;
                }
            }
            return service == null ? null : new Fault.ProcessSignal(type, connector, service, signal);
        }

        Fault storm(JsonNode node, String path) {
            yaml.unknownKeys(node, path + ".",
                    Set.of("type", "alerts", "over", "alert", "resource", "labels", "severity"));
            JsonNode count = node.get("alerts");
            Integer alerts = null;
            if (count == null || count.isNull()) {
                yaml.problem(path + ".alerts", "is missing; write how many alerts to send, e.g. alerts: 200");
            } else if (!count.canConvertToInt() || !count.isIntegralNumber() && !count.asText().matches("\\d+")
                    || count.asInt() < 1 || count.asInt() > 100_000) {
                yaml.problem(path + ".alerts", "'" + count.asText() + "' is not a number of alerts from 1 to 100000");
            } else {
                alerts = count.asInt();
            }
            Duration over = yaml.duration(node.get("over"), path + ".over", null);
            String alert = yaml.text(node, "alert", path + ".alert", true);
            String resource = yaml.text(node, "resource", path + ".resource", true);
            boolean bad = false;
            if (resource != null) {
                String bad1 = Fault.AlertStorm.badPlaceholder(resource);
                if (bad1 != null) {
                    yaml.problem(path + ".resource", "has " + bad1 + "; use {i} (the alert's number) or {i%N}");
                    bad = true;
                } else if (!KEY.matcher(resource).matches()) {
                    yaml.problem(path + ".resource", "'" + resource + "' is not a resource key template KIND:NAME,"
                            + " e.g. host:storm-{i}");
                    bad = true;
                } else if (alerts != null && alerts > 1 && !resource.contains("{i")) {
                    yaml.problem(path + ".resource", "'" + resource + "' names one resource for all " + alerts
                            + " alerts; put {i} in it (e.g. host:storm-{i}) so each alert has its own");
                    bad = true;
                }
            }
            Map<String, String> labels = labels(node.get("labels"), path + ".labels");
            if (labels != null) {
                for (Map.Entry<String, String> label : labels.entrySet()) {
                    String bad2 = Fault.AlertStorm.badPlaceholder(label.getValue());
                    if (bad2 != null) {
                        yaml.problem(path + ".labels." + label.getKey(), "has " + bad2 + "; use {i} or {i%N}");
                        bad = true;
                    }
                }
            }
            String severity = yaml.text(node, "severity", path + ".severity", false);
            if (alerts == null || over == null || alert == null || resource == null || labels == null || bad) {
                return null;
            }
            return new Fault.AlertStorm(alerts, over, alert, resource, labels,
                    severity == null ? SyntheticAlert.DEFAULT_SEVERITY : severity);
        }

        /** A mapping of label names to values; empty when absent, null when wrong. */
        Map<String, String> labels(JsonNode node, String path) {
            Map<String, String> labels = new LinkedHashMap<>();
            if (node == null || node.isNull()) {
                return labels;
            }
            if (!node.isObject()) {
                yaml.problem(path, "must be a mapping of label names to values, e.g. {zone: zone-1}");
                return null;
            }
            boolean ok = true;
            for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                if (!field.getValue().isValueNode() || field.getValue().isNull()) {
                    yaml.problem(path + "." + field.getKey(), "must be a single value");
                    ok = false;
                } else {
                    labels.put(field.getKey(), field.getValue().asText());
                }
            }
            return ok ? labels : null;
        }

        SyntheticAlert alert(JsonNode node) {
            String path = "alert";
            if (!yaml.object(node, path, true)) {
                return null;
            }
            yaml.unknownKeys(node, path + ".", Set.of("name", "labels", "severity"));
            String name = yaml.text(node, "name", path + ".name", true);
            Map<String, String> labels = labels(node.get("labels"), path + ".labels");
            String severity = yaml.text(node, "severity", path + ".severity", false);
            return name == null || labels == null ? null : new SyntheticAlert(name, labels, severity);
        }

        Abort abort(JsonNode node) {
            String path = "abort";
            if (node == null || node.isNull()) {
                return Abort.NONE;
            }
            if (!yaml.object(node, path, true)) {
                return null;
            }
            yaml.unknownKeys(node, path + ".", Set.of("onGuardrail", "probe"));
            boolean onGuardrail = false;
            JsonNode flag = node.get("onGuardrail");
            if (flag != null && !flag.isNull()) {
                if (flag.isBoolean() || flag.asText().equals("true") || flag.asText().equals("false")) {
                    onGuardrail = flag.asBoolean() || flag.asText().equals("true");
                } else {
                    yaml.problem(path + ".onGuardrail", "'" + flag.asText() + "' is not true or false");
                    return null;
                }
            }
            SteadyState probe = node.has("probe") ? probeSection(node.get("probe"), path + ".probe") : null;
            if (node.has("probe") && probe == null) {
                return null;
            }
            if (!onGuardrail && probe == null) {
                yaml.problem(path,
                        "names no condition; write onGuardrail: true and/or probe: {http: URL} (or remove abort)");
                return null;
            }
            return new Abort(onGuardrail, probe);
        }

        Expectation expect(JsonNode node) {
            String path = "expect";
            if (!yaml.object(node, path, true)) {
                return null;
            }
            yaml.unknownKeys(node, path + ".", Set.of("rule", "action", "target", "guardrail"));
            String rule = yaml.text(node, "rule", path + ".rule", false);
            String guardrail = yaml.text(node, "guardrail", path + ".guardrail", false);
            String actionText = yaml.text(node, "action", path + ".action", false);
            String target = yaml.text(node, "target", path + ".target", false);
            ActionType action = null;
            boolean bad = false;
            if (actionText != null) {
                try {
                    action = ActionType.fromWireName(actionText.trim());
                } catch (IllegalArgumentException e) {
                    yaml.problem(path + ".action", e.getMessage());
                    bad = true;
                }
            }
            if (target != null && !target.matches("[^:\\s]+:\\S+")) {
                yaml.problem(path + ".target",
                        "'" + target + "' is not a target key KIND:NAME, e.g. service:demo-shop");
                bad = true;
            }
            if (target != null && actionText == null) {
                yaml.problem(path + ".target",
                        "names the action's target; give the action too (e.g. action: restart_service)");
                bad = true;
            }
            if (rule == null && actionText == null && !bad) {
                yaml.problem(path, "needs a rule (its name) and/or an action (its type, e.g. restart_service)");
                bad = true;
            }
            return bad ? null : new Expectation(rule, action, target, guardrail);
        }

        Undo undo(JsonNode node) {
            if (node == null || node.isNull()) {
                return Undo.RESTART;
            }
            return switch (node.asText().trim().toLowerCase(Locale.ROOT)) {
                case "restart" -> Undo.RESTART;
                case "none" -> Undo.NONE;
                default -> {
                    yaml.problem("undo", "'" + node.asText() + "' is not an undo; use restart (the service, through its"
                            + " connector) or none");
                    yield null;
                }
            };
        }
    }
}
