package io.reflex.connectors.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.reflex.connectors.spi.ConnectorConfigException;
import io.reflex.model.ActionType;
import io.reflex.model.Durations;
import io.reflex.model.Json;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The settings of the http connector:
 * <pre>
 * connectors:
 *   http:
 *     escalateTo: oncall                  # the endpoint escalate actions call (their target is the resource)
 *     endpoints:
 *       oncall:                           # notify with target channel:oncall calls this one
 *         url: https://pager.example.com/v1/events     # or ${env:ONCALL_URL}: never printed in full
 *         method: POST                    # POST (default), PUT or PATCH
 *         headers:
 *           Authorization: "Bearer ${env:ONCALL_TOKEN}"   # ${env:NAME} and ${file:/path} only
 *         body: '{"text": "${params.message}", "incident": "${incidentId}"}'   # JSON text or a YAML map
 *         timeout: 10s                    # default 10s; the action's deadline may cut it shorter
 *         expectedStatuses: [200, 202]    # default: any 2xx
 *         actions: [notify, escalate]     # default; run_script must be listed to trigger a runbook
 * </pre>
 * Body placeholders go inside JSON strings; their values are JSON-escaped, so alert text can
 * never change the body's structure. See {@link #PLACEHOLDERS}; {@code ${params.<key>}} is any
 * action param and {@code ${labels.<key>}} any label of the triggering alert (empty when absent).
 */
public record HttpSettings(Map<String, Endpoint> endpoints, Optional<String> escalateTo) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    /** The action fields a body may use, besides {@code params.<key>} and secret references. */
    public static final Set<String> PLACEHOLDERS = Collections.unmodifiableSet(new LinkedHashSet<>(List.of(
            "actionId", "incidentId", "type", "mode", "target", "target.kind", "target.name", "target.connector",
            "rule", "rule.version", "createdAt", "deadline", "resourceKey")));
    /** The action types this connector carries out. */
    public static final Set<ActionType> SUPPORTED = Collections.unmodifiableSet(new LinkedHashSet<>(List.of(
            ActionType.NOTIFY, ActionType.ESCALATE, ActionType.RUN_SCRIPT)));

    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    /** Headers java.net.http sets itself and refuses to take from us. */
    private static final Set<String> RESTRICTED_HEADERS = Set.of("connection", "content-length", "expect", "host",
            "upgrade");
    private static final Set<String> METHODS = Set.of("POST", "PUT", "PATCH");
    private static final Set<String> TOP_KEYS = Set.of("endpoints", "escalateTo");
    private static final Set<String> ENDPOINT_KEYS = Set.of("url", "method", "headers", "body", "timeout",
            "expectedStatuses", "actions");
    private static final String DEFAULT_BODY = "{\"incidentId\": \"${incidentId}\", \"actionId\": \"${actionId}\","
            + " \"type\": \"${type}\", \"target\": \"${target}\", \"message\": \"${params.message}\","
            + " \"reason\": \"${params.reason}\"}";

    public HttpSettings {
        endpoints = Collections.unmodifiableMap(new TreeMap<>(endpoints));
        java.util.Objects.requireNonNull(escalateTo, "escalateTo");
    }

    /**
     * Reads and checks the map under {@code connectors.http}; secret references must resolve now,
     * so a missing variable or file is found at start, not at the first incident.
     *
     * @throws ConnectorConfigException listing every problem, each with its key; never a secret's value
     */
    public static HttpSettings parse(String connectorName, Map<String, ?> settings, Secrets secrets) {
        final List<String> problems = new ArrayList<>();
        final Map<String, ?> top = settings == null ? Map.of() : settings;
        for (String key : new TreeMap<>(top).keySet()) {
            if (!TOP_KEYS.contains(key)) {
                problems.add(key + ": unknown key; expected one of " + new TreeSet<>(TOP_KEYS));
            }
        }
        final Map<String, Endpoint> endpoints = new LinkedHashMap<>();
        final Object rawEndpoints = top.get("endpoints");
        if (!(rawEndpoints instanceof Map) || ((Map<?, ?>) rawEndpoints).isEmpty()) {
            problems.add("endpoints: must be a map from endpoint name to its settings (url, headers, body...), not "
                    + describe(rawEndpoints) + "; without endpoints this connector can call nothing");
        } else {
            for (Map.Entry<?, ?> entry : ((Map<?, ?>) rawEndpoints).entrySet()) {
                final String name = String.valueOf(entry.getKey());
                final Endpoint endpoint = parseEndpoint(name, entry.getValue(), secrets, problems);
                if (endpoint != null) {
                    endpoints.put(name, endpoint);
                }
            }
        }

        Optional<String> escalateTo = Optional.empty();
        final Object rawEscalateTo = top.get("escalateTo");
        if (rawEscalateTo != null) {
            if (!(rawEscalateTo instanceof String) || !(rawEndpoints instanceof Map)
                    || !((Map<?, ?>) rawEndpoints).containsKey(rawEscalateTo)) {
                problems.add("escalateTo: must name one of the endpoints ("
                        + (rawEndpoints instanceof Map ? new TreeSet<>(stringKeys((Map<?, ?>) rawEndpoints)) : "none")
                        + "), not " + quote(rawEscalateTo));
            } else {
                escalateTo = Optional.of((String) rawEscalateTo);
                final Endpoint target = endpoints.get(rawEscalateTo);
                if (target != null && !target.actions().contains(ActionType.ESCALATE)) {
                    problems.add("escalateTo: endpoint " + rawEscalateTo + " does not allow escalate; add it to"
                            + " endpoints." + rawEscalateTo + ".actions");
                }
            }
        }
        if (!problems.isEmpty()) {
            throw ConnectorConfigException.of(connectorName, problems);
        }
        return new HttpSettings(endpoints, escalateTo);
    }

    private static Endpoint parseEndpoint(String name, Object raw, Secrets secrets, List<String> problems) {
        final int before = problems.size();
        final String at = "endpoints." + name;
        if (!NAME.matcher(name).matches()) {
            problems.add(at + ": endpoint name is not allowed: a name starts with a letter or digit, has at most 63"
                    + " characters, and uses only letters, digits, '_', '.' and '-'");
        }
        if (!(raw instanceof Map)) {
            problems.add(at + ": must be a map with at least 'url', not " + describe(raw));
            return null;
        }
        final Map<?, ?> map = (Map<?, ?>) raw;
        for (Object key : new TreeSet<>(stringKeys(map))) {
            if (!ENDPOINT_KEYS.contains(String.valueOf(key))) {
                problems.add(at + "." + key + ": unknown key; expected one of " + new TreeSet<>(ENDPOINT_KEYS));
            }
        }
        final URI url = parseUrl(map.get("url"), at + ".url", secrets, problems);

        String method = "POST";
        final Object rawMethod = map.get("method");
        if (rawMethod != null) {
            if (rawMethod instanceof String && METHODS.contains(((String) rawMethod).trim().toUpperCase(Locale.ROOT))) {
                method = ((String) rawMethod).trim().toUpperCase(Locale.ROOT);
            } else {
                problems.add(at + ".method: must be one of " + new TreeSet<>(METHODS) + ", not " + quote(rawMethod));
            }
        }

        final Map<String, Template> headers = new LinkedHashMap<>();
        final Object rawHeaders = map.get("headers");
        if (rawHeaders != null && !(rawHeaders instanceof Map)) {
            problems.add(at + ".headers: must be a map of header name to value, not " + describe(rawHeaders));
        } else if (rawHeaders != null) {
            for (Map.Entry<?, ?> header : ((Map<?, ?>) rawHeaders).entrySet()) {
                final String key = String.valueOf(header.getKey());
                final Template value = parseHeader(key, header.getValue(), at + ".headers." + key, secrets, problems);
                if (value != null) {
                    headers.put(key, value);
                }
            }
        }

        final JsonNode body = parseBody(map.containsKey("body") ? map.get("body") : DEFAULT_BODY, at + ".body",
                secrets, problems);
        final Duration timeout = parseTimeout(map.get("timeout"), at + ".timeout", problems);
        final Set<Integer> statuses = parseStatuses(map.get("expectedStatuses"), at + ".expectedStatuses", problems);
        final Set<ActionType> actions = parseActions(map.get("actions"), at + ".actions", problems);

        if (problems.size() > before) {
            return null;
        }
        return new Endpoint(name, url, method, headers, body, timeout, statuses, actions);
    }

    /** The value is never echoed in a problem: the URL itself may be the secret. */
    private static URI parseUrl(Object raw, String at, Secrets secrets, List<String> problems) {
        final String example = "an http(s) URL like https://hooks.example.com/notify, or ${env:NAME} holding one";
        if (!(raw instanceof String) || ((String) raw).isBlank()) {
            problems.add(at + ": " + (raw == null ? "missing" : "not a string") + "; must be " + example);
            return null;
        }
        final String text;
        try {
            final Template template = Template.parse(((String) raw).trim());
            for (String expression : template.expressions()) {
                if (!Secrets.isReference(expression)) {
                    problems.add(at + ": only ${env:NAME} and ${file:/path} may appear in a URL, not ${" + expression
                            + "}: alert data never chooses where Reflex sends requests");
                    return null;
                }
            }
            text = template.render(secrets::resolve);
        } catch (IllegalArgumentException e) {
            problems.add(at + ": " + e.getMessage());
            return null;
        }
        try {
            final URI uri = new URI(text);
            final String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                problems.add(at + ": scheme must be http or https; must be " + example);
            } else if (uri.getHost() == null) {
                problems.add(at + ": has no host; must be " + example);
            } else if (uri.getRawUserInfo() != null) {
                problems.add(at + ": must not carry credentials (user:password@); put them in a header such as"
                        + " Authorization: \"Basic ${env:NAME}\"");
            } else {
                return uri;
            }
        } catch (URISyntaxException e) {
            problems.add(at + ": not a valid URL (at character " + e.getIndex() + "); must be " + example);
        }
        return null;
    }

    private static Template parseHeader(String name, Object raw, String at, Secrets secrets, List<String> problems) {
        if (!HEADER_NAME.matcher(name).matches()) {
            problems.add(at + ": not a valid header name");
            return null;
        }
        if (RESTRICTED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
            problems.add(at + ": is set by the HTTP client itself and cannot be configured");
            return null;
        }
        if (!(raw instanceof String || raw instanceof Number || raw instanceof Boolean)) {
            problems.add(at + ": must be a string, not " + describe(raw));
            return null;
        }
        final Template template;
        try {
            template = Template.parse(String.valueOf(raw));
        } catch (IllegalArgumentException e) {
            problems.add(at + ": " + e.getMessage());
            return null;
        }
        boolean ok = true;
        for (String expression : template.expressions()) {
            if (!Secrets.isReference(expression)) {
                problems.add(at + ": only ${env:NAME} and ${file:/path} may appear in a header, not ${" + expression
                        + "}");
                ok = false;
            }
        }
        if (template.literals().stream().anyMatch(l -> l.indexOf('\r') >= 0 || l.indexOf('\n') >= 0)) {
            problems.add(at + ": must not contain a line break");
            ok = false;
        }
        if (!ok) {
            return null;
        }
        try {
            final String value = template.render(secrets::resolve);
            if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
                problems.add(at + ": a referenced secret holds a line break");
                return null;
            }
        } catch (Secrets.SecretException e) {
            problems.add(at + ": " + e.getMessage());
            return null;
        }
        return template;
    }

    private static JsonNode parseBody(Object raw, String at, Secrets secrets, List<String> problems) {
        final String example = "write JSON with placeholders inside strings, e.g. '{\"text\": \"${params.message}\"}'";
        final JsonNode body;
        if (raw instanceof String) {
            try {
                body = Json.MAPPER.readTree((String) raw);
            } catch (JsonProcessingException e) {
                problems.add(at + ": not valid JSON (line " + e.getLocation().getLineNr() + ", column "
                        + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage() + "); " + example);
                return null;
            }
            if (body == null || body.isMissingNode()) {
                problems.add(at + ": is empty; " + example);
                return null;
            }
        } else if (raw instanceof Map || raw instanceof List) {
            body = Json.MAPPER.valueToTree(raw);
        } else {
            problems.add(at + ": must be JSON text or a map, not " + describe(raw) + "; " + example);
            return null;
        }
        final int before = problems.size();
        checkPlaceholders(body, at, secrets, problems);
        return problems.size() > before ? null : body;
    }

    private static void checkPlaceholders(JsonNode node, String at, Secrets secrets, List<String> problems) {
        if (node.isTextual()) {
            final Template template;
            try {
                template = Template.parse(node.textValue());
            } catch (IllegalArgumentException e) {
                problems.add(at + ": " + e.getMessage());
                return;
            }
            for (String expression : template.expressions()) {
                if (Secrets.isReference(expression)) {
                    try {
                        secrets.resolve(expression);
                    } catch (Secrets.SecretException e) {
                        problems.add(at + ": ${" + expression + "}: " + e.getMessage());
                    }
                } else if (!PLACEHOLDERS.contains(expression) && !isKeyed(expression, "params.")
                        && !isKeyed(expression, "labels.")) {
                    problems.add(at + ": unknown placeholder ${" + expression + "}; known: " + String.join(", ",
                            PLACEHOLDERS) + ", params.<key>, labels.<key>, env:NAME, file:/path");
                }
            }
        } else if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
                final Map.Entry<String, JsonNode> field = fields.next();
                if (field.getKey().contains("${")) {
                    problems.add(at + "." + field.getKey() + ": placeholders go in values, not in field names");
                }
                checkPlaceholders(field.getValue(), at + "." + field.getKey(), secrets, problems);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                checkPlaceholders(node.get(i), at + "[" + i + "]", secrets, problems);
            }
        }
    }

    private static boolean isKeyed(String expression, String prefix) {
        return expression.startsWith(prefix) && expression.length() > prefix.length();
    }

    private static Duration parseTimeout(Object raw, String at, List<String> problems) {
        if (raw == null) {
            return DEFAULT_TIMEOUT;
        }
        Duration duration = null;
        if (raw instanceof Number || raw instanceof String) {
            try {
                duration = Durations.parse(raw.toString());
            } catch (IllegalArgumentException e) {
                duration = null;
            }
        }
        if (duration == null || duration.isNegative() || duration.isZero()) {
            problems.add(at + ": must be a positive duration such as 10s, 500ms or PT10S, not " + describe(raw));
            return DEFAULT_TIMEOUT;
        }
        return duration;
    }

    private static Set<Integer> parseStatuses(Object raw, String at, List<String> problems) {
        if (raw == null) {
            return Set.of();
        }
        if (!(raw instanceof List) || ((List<?>) raw).isEmpty()) {
            problems.add(at + ": must be a non-empty list of HTTP statuses such as [200, 202], not " + describe(raw));
            return Set.of();
        }
        final Set<Integer> statuses = new TreeSet<>();
        for (Object status : (List<?>) raw) {
            Integer value = null;
            if (status instanceof Number || status instanceof String) {
                try {
                    value = Integer.valueOf(status.toString().trim());
                } catch (NumberFormatException e) {
                    value = null;
                }
            }
            if (value == null || value < 100 || value > 599) {
                problems.add(at + ": " + quote(status) + " is not an HTTP status (100-599)");
            } else {
                statuses.add(value);
            }
        }
        return statuses;
    }

    private static Set<ActionType> parseActions(Object raw, String at, List<String> problems) {
        if (raw == null) {
            return Set.of(ActionType.NOTIFY, ActionType.ESCALATE);
        }
        final String known = SUPPORTED.stream().map(ActionType::wireName).toList().toString();
        if (!(raw instanceof List) || ((List<?>) raw).isEmpty()) {
            problems.add(at + ": must be a non-empty list of action types from " + known + ", not " + describe(raw));
            return Set.of();
        }
        final Set<ActionType> actions = new LinkedHashSet<>();
        for (Object action : (List<?>) raw) {
            final ActionType type = SUPPORTED.stream().filter(t -> t.wireName().equals(String.valueOf(action)))
                    .findFirst().orElse(null);
            if (type == null) {
                problems.add(at + ": " + quote(action) + " is not an action type this connector carries out; use"
                        + " one of " + known);
            } else {
                actions.add(type);
            }
        }
        return actions;
    }

    private static Set<String> stringKeys(Map<?, ?> map) {
        final Set<String> keys = new LinkedHashSet<>();
        map.keySet().forEach(k -> keys.add(String.valueOf(k)));
        return keys;
    }

    /** For values that are no secret (a method, a status, an endpoint name): quoted, control characters escaped, cut short. */
    static String quote(Object value) {
        if (!(value instanceof String)) {
            return describe(value);
        }
        final String text = (String) value;
        final StringBuilder out = new StringBuilder("'");
        for (int i = 0; i < Math.min(text.length(), 64); i++) {
            final char c = text.charAt(i);
            out.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c));
        }
        return out.append(text.length() > 64 ? "...'" : "'").toString();
    }

    /** Strings are never echoed here: a misplaced secret must not end up in the start-up error. */
    private static String describe(Object value) {
        if (value == null) {
            return "empty";
        }
        if (value instanceof String) {
            return "a string";
        }
        if (value instanceof Map) {
            return "a map";
        }
        if (value instanceof List) {
            return "a list";
        }
        if (value instanceof Number || value instanceof Boolean) {
            return value.toString();
        }
        return "a " + value.getClass().getSimpleName();
    }
}
