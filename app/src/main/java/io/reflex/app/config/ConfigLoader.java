package io.reflex.app.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.reflex.app.auth.ApiToken;
import io.reflex.app.auth.AuthConfig;
import io.reflex.console.ConsoleConfig;
import io.reflex.drill.api.DrillConfig;
import io.reflex.ingest.IngestConfig;
import io.reflex.model.Durations;
import io.reflex.remediator.RemediatorConfig;
import io.reflex.rules.RulesConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the {@link ReflexConfig}: built-in defaults, then the YAML file, then
 * {@code REFLEX_*} environment variables, then command-line flags. Every problem is collected
 * and reported at once in a {@link ConfigException}.
 *
 * <p>An environment variable names a key path in upper case with underscores:
 * {@code REFLEX_HTTP_PORT} is {@code http.port}, {@code REFLEX_DATA_DIR} is {@code dataDir},
 * {@code REFLEX_INGEST_MAX_BODY_BYTES} is {@code ingest.maxBodyBytes}. Under {@code kafka} the
 * rest of the name becomes a dotted client property: {@code REFLEX_KAFKA_BOOTSTRAP_SERVERS} is
 * {@code bootstrap.servers}.
 */
public final class ConfigLoader {
    private static final Logger log = LoggerFactory.getLogger(ConfigLoader.class);
    private static final String ENV_PREFIX = "REFLEX_";
    /** Read by the command-line clients ({@code reflex rules deploy}), not a setting of {@code reflex up}. */
    private static final Set<String> CLIENT_ENV = Set.of("REFLEX_TOKEN");

    private final ObjectMapper mapper;
    /** Adds the demo's managed service and probe to the tree before it becomes records. */
    private final Consumer<ObjectNode> demo;

    public ConfigLoader(Consumer<ObjectNode> demo) {
        this.demo = demo;
        this.mapper = YAMLMapper.builder()
                .addModule(new JavaTimeModule())
                .addModule(new SimpleModule("reflex-durations").addDeserializer(Duration.class, new Durations.Deserializer()))
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .build();
    }

    public ReflexConfig load(CliOverrides cli, Map<String, String> env) {
        List<String> problems = new ArrayList<>();
        ObjectNode tree = defaults();
        if (cli.configFile() != null) {
            mergeFile(tree, cli.configFile(), problems);
        }
        new TreeMap<>(env).forEach((name, value) -> {
            if (name.startsWith(ENV_PREFIX) && !CLIENT_ENV.contains(name)) {
                applyEnv(tree, name, value);
            }
        });
        applyCli(tree, cli);
        if (tree.path("demo").path("enabled").asBoolean(false)) {
            demo.accept(tree);
        }
        ReflexConfig config = build(tree, env, problems);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return config;
    }

    private ObjectNode defaults() {
        ObjectNode tree = JsonNodeFactory.instance.objectNode();
        tree.putObject("http").put("host", "127.0.0.1").put("port", 8080);
        tree.put("dataDir", "./data");
        tree.putObject("kafka");
        tree.putObject("broker").put("port", 0).put("controllerPort", 0);
        ArrayNode roles = tree.putArray("roles");
        for (Role role : Role.values()) {
            roles.add(role.id());
        }
        tree.putObject("demo").put("enabled", true).put("port", 0);
        tree.set("ingest", defaultsOf(IngestConfig.class));
        tree.set("rules", defaultsOf(RulesConfig.class));
        tree.set("remediator", defaultsOf(RemediatorConfig.class));
        tree.set("console", defaultsOf(ConsoleConfig.class));
        tree.set("drill", defaultsOf(DrillConfig.class));
        tree.putObject("connectors");
        tree.putObject("auth").putArray("tokens");
        return tree;
    }

    /** A role's defaults are what its record makes of an empty section. */
    private JsonNode defaultsOf(Class<?> type) {
        return mapper.valueToTree(mapper.convertValue(JsonNodeFactory.instance.objectNode(), type));
    }

    private void mergeFile(ObjectNode tree, Path file, List<String> problems) {
        if (!Files.isReadable(file)) {
            problems.add("config file " + file.toAbsolutePath() + " does not exist or cannot be read");
            return;
        }
        try {
            JsonNode fromFile = mapper.readTree(file.toFile());
            if (fromFile == null || fromFile.isMissingNode() || fromFile.isNull()) {
                return; // an empty file changes nothing
            }
            if (!fromFile.isObject()) {
                problems.add(file + ": the top level must be a mapping of settings, not " + fromFile.getNodeType());
                return;
            }
            fromFile.fieldNames().forEachRemaining(key -> {
                if (!tree.has(key)) {
                    problems.add(file + ": unknown setting '" + key + "'; known top-level settings are "
                            + fieldNames(tree));
                }
            });
            merge(tree, (ObjectNode) fromFile);
        } catch (IOException e) {
            problems.add(file + " is not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    /** Objects merge key by key; anything else (values, lists) replaces. */
    private static void merge(ObjectNode into, ObjectNode from) {
        from.fields().forEachRemaining(e -> {
            JsonNode existing = into.get(e.getKey());
            if (existing instanceof ObjectNode target && e.getValue() instanceof ObjectNode source
                    && !e.getKey().equals("kafka")) {
                merge(target, source);
            } else {
                into.set(e.getKey(), e.getValue());
            }
        });
    }

    private static void applyEnv(ObjectNode tree, String name, String value) {
        String[] words = name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).split("_");
        ObjectNode node = tree;
        int i = 0;
        while (i < words.length) {
            if (node == tree.get("kafka")) {
                node.put(String.join(".", List.of(words).subList(i, words.length)), value);
                return;
            }
            String key = null;
            int end = i;
            for (int j = i; j < words.length && key == null; j++) {
                key = fieldMatching(node, String.join("", List.of(words).subList(i, j + 1)));
                end = j + 1;
            }
            if (key == null) {
                log.warn("Environment variable {} names no Reflex setting and is ignored", name);
                return;
            }
            JsonNode child = node.get(key);
            if (end == words.length || !(child instanceof ObjectNode)) {
                if (end != words.length) {
                    log.warn("Environment variable {} goes below the setting '{}', which has no parts; ignored",
                            name, key);
                    return;
                }
                if (child instanceof ArrayNode) {
                    ArrayNode list = node.putArray(key);
                    for (String item : value.split(",")) {
                        list.add(item.trim());
                    }
                } else {
                    node.put(key, value);
                }
                return;
            }
            node = (ObjectNode) child;
            i = end;
        }
    }

    private static String fieldMatching(ObjectNode node, String joinedLowerWords) {
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String field = names.next();
            if (field.toLowerCase(Locale.ROOT).replaceAll("[-_.]", "").equals(joinedLowerWords)) {
                return field;
            }
        }
        return null;
    }

    private static void applyCli(ObjectNode tree, CliOverrides cli) {
        if (cli.port() != null) {
            ((ObjectNode) tree.get("http")).put("port", cli.port());
        }
        if (cli.dataDir() != null) {
            tree.put("dataDir", cli.dataDir().toString());
        }
        if (cli.kafka() != null) {
            ((ObjectNode) tree.get("kafka")).put("bootstrap.servers", cli.kafka());
        }
        if (cli.roles() != null) {
            ArrayNode roles = tree.putArray("roles");
            for (String role : cli.roles().split(",")) {
                roles.add(role.trim());
            }
        }
        if (cli.noDemo()) {
            ((ObjectNode) tree.get("demo")).put("enabled", false);
        }
    }

    private ReflexConfig build(JsonNode tree, Map<String, String> env, List<String> problems) {
        String host = tree.path("http").path("host").asText();
        int port = port(tree.path("http").path("port"), "http.port", problems);
        Path dataDir = Path.of(tree.path("dataDir").asText());
        Map<String, Object> kafka = new LinkedHashMap<>();
        flatten("", tree.path("kafka"), kafka);
        int brokerPort = port(tree.path("broker").path("port"), "broker.port", problems);
        int controllerPort = port(tree.path("broker").path("controllerPort"), "broker.controllerPort", problems);
        Set<Role> roles = EnumSet.noneOf(Role.class);
        tree.path("roles").forEach(r -> {
            try {
                roles.add(Role.parse(r.asText()));
            } catch (IllegalArgumentException e) {
                problems.add("roles: " + e.getMessage());
            }
        });
        if (roles.isEmpty() && problems.stream().noneMatch(p -> p.startsWith("roles"))) {
            problems.add("roles: name at least one role to run");
        }
        boolean demoEnabled = tree.path("demo").path("enabled").asBoolean(true);

        IngestConfig ingest = section(tree, "ingest", IngestConfig.class, problems);
        RulesConfig rules = section(tree, "rules", RulesConfig.class, problems);
        RemediatorConfig remediator = section(tree, "remediator", RemediatorConfig.class, problems);
        ConsoleConfig console = section(tree, "console", ConsoleConfig.class, problems);
        DrillConfig drill = section(tree, "drill", DrillConfig.class, problems);
        validate(ingest, ingest == null ? null : () -> ingest.validate().stream().map(p -> "ingest." + p).toList(),
                problems);
        validate(rules, rules == null ? null : rules::validate, problems);
        validate(remediator, remediator == null ? null : remediator::validate, problems);
        validate(console, console == null ? null : console::validate, problems);
        // The demo writes its drill files when Reflex starts: a schedule may name them before they exist.
        java.util.Set<String> writtenAtStart = demoEnabled ? io.reflex.app.demo.DemoDrill.FILES : java.util.Set.of();
        validate(drill, drill == null ? null : () -> drill.validate(dataDir, writtenAtStart), problems);

        Map<String, Map<String, Object>> connectors = new LinkedHashMap<>();
        tree.path("connectors").fields().forEachRemaining(e -> {
            if (!e.getValue().isObject()) {
                problems.add("connectors." + e.getKey() + " must be a mapping of that connector's settings");
            } else {
                connectors.put(e.getKey(), mapper.convertValue(e.getValue(), Map.class));
            }
        });
        AuthConfig auth = section(tree, "auth", AuthConfig.class, problems);
        List<ApiToken> apiTokens = auth == null ? List.of() : auth.resolve(env, problems);
        if (!problems.isEmpty()) {
            return null;
        }
        return new ReflexConfig(host, port, dataDir, kafka, brokerPort, controllerPort, roles, demoEnabled,
                ingest, rules, remediator, console, drill, connectors, apiTokens);
    }

    private <T> T section(JsonNode tree, String name, Class<T> type, List<String> problems) {
        try {
            return mapper.convertValue(tree.path(name), type);
        } catch (IllegalArgumentException e) {
            problems.add(name + describe(e.getCause() instanceof JsonMappingException m ? m : null, e));
            return null;
        }
    }

    /**
     * The key and what is wrong with it, never the value: a value may be a secret written in the
     * wrong shape (a token where a list was expected).
     */
    private static String describe(JsonMappingException mapping, IllegalArgumentException e) {
        if (mapping == null) {
            return ": " + firstLine(e.getMessage());
        }
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : mapping.getPath()) {
            path.append(ref.getFieldName() != null ? "." + ref.getFieldName() : "[" + ref.getIndex() + "]");
        }
        if (mapping instanceof UnrecognizedPropertyException unknown) {
            return path + ": unknown setting; known here: " + unknown.getKnownPropertyIds();
        }
        if (mapping instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
            return path + ": expected " + expected(mismatch.getTargetType());
        }
        return path + ": invalid value";
    }

    private static String expected(Class<?> type) {
        if (java.util.Collection.class.isAssignableFrom(type)) {
            return "a list";
        }
        if (java.util.Map.class.isAssignableFrom(type) || type.isRecord()) {
            return "a mapping";
        }
        if (type == Duration.class) {
            return "a duration such as 500ms, 2s, 5m or PT30S";
        }
        if (Number.class.isAssignableFrom(type) || type.isPrimitive()) {
            return "a number";
        }
        return "a " + type.getSimpleName().toLowerCase(Locale.ROOT);
    }

    private static void validate(Object section, Supplier<List<String>> validator, List<String> problems) {
        if (section != null) {
            problems.addAll(validator.get());
        }
    }

    private static int port(JsonNode node, String key, List<String> problems) {
        String text = node.asText().trim();
        if (!(node.isIntegralNumber() || node.isTextual()) || !text.matches("-?\\d{1,9}")) {
            problems.add(key + " must be a port number, got '" + text + "'");
            return 0;
        }
        int port = Integer.parseInt(text);
        if (port < 0 || port > 65535) {
            problems.add(key + " must be between 0 and 65535, got " + port);
        }
        return port;
    }

    /** YAML may nest ({@code bootstrap: {servers: x}}) or dot ({@code bootstrap.servers: x}) client keys. */
    private static void flatten(String prefix, JsonNode node, Map<String, Object> out) {
        node.fields().forEachRemaining(e -> {
            String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            if (e.getValue().isObject()) {
                flatten(key, e.getValue(), out);
            } else {
                out.put(key, e.getValue().asText());
            }
        });
    }

    private static String fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return String.join(", ", names);
    }

    private static String firstLine(String message) {
        String line = message == null ? "invalid" : message.lines().findFirst().orElse(message);
        // Jackson appends "(through reference chain: …)"; the path in it is what users need, the rest is noise.
        return line.replaceAll(" \\(for Object starting at.*", "").replaceAll("\\s+at \\[Source.*", "");
    }
}
