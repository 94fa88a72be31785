package io.reflex.ingest.probe;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.reflex.model.Durations;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One built-in probe: one check of its {@code type} every {@code interval}; after
 * {@code failureThreshold} consecutive failures it fires {@code alertName}, after
 * {@code successThreshold} consecutive successes it resolves it. Null fields take their
 * defaults; {@link #problems} tells what is wrong.
 *
 * <pre>{@code
 * probes:
 *   - name: demo-shop                      # type: http is the default
 *     url: http://127.0.0.1:18081/health
 *     expectStatus: [200, 204]             # default: any 2xx
 *     bodyContains: '"status":"UP"'        # optional, in the first 64 KiB of the body
 *     labels: {service: demo-shop}
 *   - name: orders-db
 *     type: tcp
 *     host: 127.0.0.1
 *     port: 5432
 *     labels: {service: orders-db}
 *   - name: queue-depth
 *     type: command                        # run directly, never by a shell
 *     command: [/usr/local/bin/check-queue, --max, "1000"]
 *     timeout: 5s
 *     labels: {service: orders-worker}
 * }</pre>
 *
 * @param name             identifies the probe (logs, fingerprint, the {@code probe} label)
 * @param type             {@code http} (default), {@code tcp} or {@code command}
 * @param url              http: the http(s) URL to {@code GET}; redirects are not followed
 * @param expectStatus     http: the status codes that are healthy (default: any 2xx)
 * @param bodyContains     http: text the body must contain (in its first {@link HttpCheck#BODY_LIMIT} bytes)
 * @param bodyMatches      http: a regular expression ({@link Pattern}) that must match somewhere in that part of the body
 * @param host             tcp: host name or address to connect to
 * @param port             tcp: the port
 * @param command          command: program and arguments, run directly (no shell) with the environment of Reflex
 * @param expectExitCode   command: the healthy exit code (default 0)
 * @param interval         time between checks (default 1s)
 * @param timeout          how long one check may take (default 1s); a command still running then is killed
 * @param failureThreshold consecutive failures that fire the alert (default 2)
 * @param successThreshold consecutive successes that resolve it (default 1)
 * @param alertName        the alert's name (default {@code ServiceDown})
 * @param severity         the alert's severity (default {@code critical})
 * @param labels           labels of the alert; they place it, e.g. {@code service: demo-shop}
 */
public record ProbeConfig(
        String name,
        String type,
        String url,
        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<Integer> expectStatus,
        String bodyContains,
        String bodyMatches,
        String host,
        Integer port,
        // A single string is accepted only so that problems() can explain that it is not a command line.
        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> command,
        Integer expectExitCode,
        @JsonDeserialize(using = Durations.Deserializer.class) Duration interval,
        @JsonDeserialize(using = Durations.Deserializer.class) Duration timeout,
        Integer failureThreshold,
        Integer successThreshold,
        String alertName,
        String severity,
        Map<String, String> labels) {

    /** The kinds of check, by their YAML {@code type}. */
    public enum Type {
        HTTP, TCP, COMMAND;

        /** The YAML spelling. */
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** @return the type spelled {@code key}, or null if there is none */
        static Type parse(String key) {
            for (Type type : values()) {
                if (type.key().equals(key)) {
                    return type;
                }
            }
            return null;
        }
    }

    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
    public static final int DEFAULT_FAILURE_THRESHOLD = 2;
    public static final int DEFAULT_SUCCESS_THRESHOLD = 1;
    public static final String DEFAULT_ALERT_NAME = "ServiceDown";
    public static final String DEFAULT_SEVERITY = "critical";

    public ProbeConfig {
        type = type == null ? Type.HTTP.key() : type.trim().toLowerCase(Locale.ROOT);
        // Not List.copyOf: it refuses the null that an empty YAML list item gives, which problems() names.
        expectStatus = expectStatus == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(expectStatus));
        command = command == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(command));
        expectExitCode = expectExitCode == null ? 0 : expectExitCode;
        interval = interval == null ? DEFAULT_INTERVAL : interval;
        timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
        failureThreshold = failureThreshold == null ? DEFAULT_FAILURE_THRESHOLD : failureThreshold;
        successThreshold = successThreshold == null ? DEFAULT_SUCCESS_THRESHOLD : successThreshold;
        alertName = alertName == null ? DEFAULT_ALERT_NAME : alertName;
        severity = severity == null ? DEFAULT_SEVERITY : severity;
        labels = labels == null ? Map.of() : copyKeepingEmpty(labels);
    }

    /** An http probe that accepts any 2xx and does not look at the body. */
    public ProbeConfig(String name, String url, Duration interval, Duration timeout, Integer failureThreshold,
            Integer successThreshold, String alertName, String severity, Map<String, String> labels) {
        this(name, Type.HTTP.key(), url, null, null, null, null, null, null, null, interval, timeout, failureThreshold,
                successThreshold, alertName, severity, labels);
    }

    /** A YAML label without a value arrives as null; keep it (as "") so {@link #problems} can name it. */
    private static Map<String, String> copyKeepingEmpty(Map<String, String> labels) {
        Map<String, String> copy = new TreeMap<>();
        labels.forEach((key, value) -> copy.put(key, value == null ? "" : value));
        return Collections.unmodifiableMap(copy);
    }

    /** An http probe with every default: name, url and labels only. */
    public static ProbeConfig of(String name, String url, Map<String, String> labels) {
        return http(name, url, labels);
    }

    /** An http probe with every default. */
    public static ProbeConfig http(String name, String url, Map<String, String> labels) {
        return new ProbeConfig(name, url, null, null, null, null, null, null, labels);
    }

    /** A tcp probe with every default. */
    public static ProbeConfig tcp(String name, String host, int port, Map<String, String> labels) {
        return new ProbeConfig(name, Type.TCP.key(), null, null, null, null, host, port, null, null, null, null, null,
                null, null, null, labels);
    }

    /** A command probe with every default: healthy on exit code 0. */
    public static ProbeConfig command(String name, List<String> command, Map<String, String> labels) {
        return new ProbeConfig(name, Type.COMMAND.key(), null, null, null, null, null, null, command, null, null, null,
                null, null, null, null, labels);
    }

    /** The same probe with this timing. */
    public ProbeConfig withTiming(Duration newInterval, Duration newTimeout, int newFailureThreshold,
            int newSuccessThreshold) {
        return new ProbeConfig(name, type, url, expectStatus, bodyContains, bodyMatches, host, port, command,
                expectExitCode, newInterval, newTimeout, newFailureThreshold, newSuccessThreshold, alertName, severity,
                labels);
    }

    /** The same probe raising this alert. */
    public ProbeConfig withAlert(String newAlertName, String newSeverity) {
        return new ProbeConfig(name, type, url, expectStatus, bodyContains, bodyMatches, host, port, command,
                expectExitCode, interval, timeout, failureThreshold, successThreshold, newAlertName, newSeverity,
                labels);
    }

    /** The same http probe with these expectations on the answer (null: not checked). */
    public ProbeConfig withExpectations(List<Integer> newExpectStatus, String newBodyContains, String newBodyMatches) {
        return new ProbeConfig(name, type, url, newExpectStatus, newBodyContains, newBodyMatches, host, port, command,
                expectExitCode, interval, timeout, failureThreshold, successThreshold, alertName, severity, labels);
    }

    /** The same command probe, healthy on this exit code. */
    public ProbeConfig withExpectExitCode(int newExpectExitCode) {
        return new ProbeConfig(name, type, url, expectStatus, bodyContains, bodyMatches, host, port, command,
                newExpectExitCode, interval, timeout, failureThreshold, successThreshold, alertName, severity, labels);
    }

    /**
     * The kind of check.
     *
     * @throws IllegalStateException for a type that {@link #problems} reports
     */
    public Type kind() {
        Type kind = Type.parse(type);
        if (kind == null) {
            throw new IllegalStateException("probe " + name + ": unknown type \"" + type + "\"");
        }
        return kind;
    }

    /**
     * What the probe checks, as the alert summary starts: {@code GET http://…},
     * {@code TCP connect db:5432}, {@code run pg_isready -q}.
     */
    public String target() {
        return switch (kind()) {
            case HTTP -> "GET " + url;
            case TCP -> "TCP connect " + address();
            case COMMAND -> "run " + commandLine();
        };
    }

    /** The annotation that tells where to look besides the summary: {@code url}, {@code address} or {@code command}. */
    public Map<String, String> targetAnnotations() {
        Map<String, String> annotations = new LinkedHashMap<>();
        switch (kind()) {
            case HTTP -> annotations.put("url", url);
            case TCP -> annotations.put("address", address());
            case COMMAND -> annotations.put("command", commandLine());
        }
        return annotations;
    }

    private String address() {
        return (host != null && host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /** For people only: the command is never run from this string. */
    private String commandLine() {
        List<String> words = new ArrayList<>();
        for (String item : command) {
            String word = String.valueOf(item);
            words.add(word.isEmpty() || word.chars().anyMatch(c -> Character.isWhitespace(c) || c == '\'')
                    ? "'" + word.replace("'", "'\\''") + "'" : word);
        }
        return String.join(" ", words);
    }

    /** Every problem, each prefixed with {@code path} (e.g. {@code probes[0]}). */
    public List<String> problems(String path) {
        List<String> problems = new ArrayList<>();
        if (name == null || name.isBlank()) {
            problems.add(path + ".name: missing; name the probe, e.g. demo-shop");
        }
        Type kind = Type.parse(type);
        if (kind == null) {
            problems.add(path + ".type: \"" + type + "\" is not a probe type; use http, tcp or command");
        } else {
            switch (kind) {
                case HTTP -> httpProblems(path, problems);
                case TCP -> tcpProblems(path, problems);
                case COMMAND -> commandProblems(path, problems);
            }
            unusedFields(path, kind, problems);
        }
        if (interval.isNegative() || interval.isZero()) {
            problems.add(path + ".interval: must be positive, got " + interval);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            problems.add(path + ".timeout: must be positive, got " + timeout);
        }
        if (failureThreshold < 1) {
            problems.add(path + ".failureThreshold: must be at least 1, got " + failureThreshold);
        }
        if (successThreshold < 1) {
            problems.add(path + ".successThreshold: must be at least 1, got " + successThreshold);
        }
        if (alertName.isBlank()) {
            problems.add(path + ".alertName: must not be empty");
        }
        labels.forEach((key, value) -> {
            if (key.isBlank() || value.isBlank()) {
                problems.add(path + ".labels." + key + ": label names and values must not be empty");
            }
        });
        return problems;
    }

    private void httpProblems(String path, List<String> problems) {
        if (url == null || url.isBlank()) {
            problems.add(path + ".url: missing; e.g. http://127.0.0.1:8081/health");
        } else {
            try {
                URI uri = new URI(url);
                if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
                    problems.add(path + ".url: \"" + url + "\" is not an http(s) URL");
                } else if (uri.getHost() == null) {
                    problems.add(path + ".url: \"" + url + "\" has no host");
                }
            } catch (URISyntaxException e) {
                problems.add(path + ".url: \"" + url + "\" is not a URL: " + e.getReason());
            }
        }
        for (Integer status : expectStatus) {
            if (status == null || status < 100 || status > 599) {
                problems.add(path + ".expectStatus: " + status + " is not an HTTP status; use codes from 100 to 599");
            }
        }
        if (bodyContains != null && bodyContains.isEmpty()) {
            problems.add(path + ".bodyContains: empty; give the text the body must contain, or leave it out");
        }
        if (bodyMatches != null) {
            try {
                Pattern.compile(bodyMatches);
            } catch (PatternSyntaxException e) {
                problems.add(path + ".bodyMatches: \"" + bodyMatches + "\" is not a regular expression: "
                        + e.getDescription() + " near index " + e.getIndex());
            }
        }
    }

    private void tcpProblems(String path, List<String> problems) {
        if (host == null || host.isBlank()) {
            problems.add(path + ".host: missing; e.g. 127.0.0.1 or db.internal");
        }
        if (port == null) {
            problems.add(path + ".port: missing; e.g. 5432");
        } else if (port < 1 || port > 65535) {
            problems.add(path + ".port: must be between 1 and 65535, got " + port);
        }
    }

    private void commandProblems(String path, List<String> problems) {
        if (command.isEmpty()) {
            problems.add(path + ".command: missing; give the program and its arguments as a list, e.g."
                    + " [pg_isready, -h, 127.0.0.1] (it runs directly, not in a shell)");
            return;
        }
        for (int i = 0; i < command.size(); i++) {
            if (command.get(i) == null || (i == 0 && command.get(i).isBlank())) {
                problems.add(path + ".command[" + i + "]: empty; " + (i == 0 ? "name the program" : "remove it or quote it as ''"));
            }
        }
        String program = command.get(0);
        if (command.size() == 1 && program != null && program.strip().chars().anyMatch(Character::isWhitespace)) {
            problems.add(path + ".command: \"" + program + "\" looks like a command line, but no shell splits it;"
                    + " write the program and each argument as a list, e.g. " + List.of(program.strip().split("\\s+")));
        }
        if (expectExitCode < 0 || expectExitCode > 255) {
            problems.add(path + ".expectExitCode: must be between 0 and 255, got " + expectExitCode);
        }
    }

    /** A key of another type is a mistake (most often a forgotten {@code type}): say so rather than ignore it. */
    private void unusedFields(String path, Type kind, List<String> problems) {
        Map<String, Type> set = new LinkedHashMap<>();
        if (url != null) {
            set.put("url", Type.HTTP);
        }
        if (!expectStatus.isEmpty()) {
            set.put("expectStatus", Type.HTTP);
        }
        if (bodyContains != null) {
            set.put("bodyContains", Type.HTTP);
        }
        if (bodyMatches != null) {
            set.put("bodyMatches", Type.HTTP);
        }
        if (host != null) {
            set.put("host", Type.TCP);
        }
        if (port != null) {
            set.put("port", Type.TCP);
        }
        if (!command.isEmpty()) {
            set.put("command", Type.COMMAND);
        }
        if (expectExitCode != 0) {
            set.put("expectExitCode", Type.COMMAND);
        }
        set.forEach((field, owner) -> {
            if (owner != kind) {
                problems.add(path + "." + field + ": not used by " + kind.key() + " probes; remove it, or set type: "
                        + owner.key());
            }
        });
    }
}
