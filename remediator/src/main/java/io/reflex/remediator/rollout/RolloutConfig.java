package io.reflex.remediator.rollout;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.reflex.model.ActionType;
import io.reflex.model.Durations;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * YAML section {@code remediator.rollouts}: the groups a {@code rotate_patch} action may roll a
 * patch out to, and how. {@link #validate(String)} lists every problem, each with its key path.
 *
 * <pre>
 * remediator:
 *   rollouts:
 *     groups:
 *       web:
 *         members:                       # patched in this order, batchSize at a time
 *           - {name: web-1, vars: {port: "8081"}}
 *           - {name: web-2, vars: {port: "8082"}}
 *         batchSize: 2                   # default 1
 *         step:                          # run on every member of a batch, one after another
 *           connector: process
 *           type: restart_service        # any action type the connector carries out
 *           kind: service
 *           target: "{member}"           # default "{member}"
 *           params: {patch: "{patch}"}   # templates: {member}, {patch} and the member's vars
 *         gate:                          # exactly one of http, tcp, command
 *           http: "http://127.0.0.1:{port}/ready"
 *           # tcp: "{member}.internal:5432"
 *           # command: [/usr/local/bin/check-patch, "{member}", "{patch}"]
 *         gateTimeout: 60s               # default 60s: how long a member may take to get healthy
 *         gateInterval: 1s               # default 1s: between two checks
 *         pauseBetweenBatches: 0s        # default 0s
 * </pre>
 *
 * Every value put into a template (member names, vars, the action's {@code patch}) must match
 * {@link SafeValues#VALID}: templates never reach a shell, and a value cannot add a path, an
 * option or a URL part.
 */
public record RolloutConfig(Map<String, Group> groups) {

    public static final int DEFAULT_BATCH_SIZE = 1;
    public static final Duration DEFAULT_GATE_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_GATE_INTERVAL = Duration.ofSeconds(1);

    public RolloutConfig {
        // YAML may hold "web:" with nothing after it; keep the null for validate() to name.
        groups = groups == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(groups));
    }

    public static RolloutConfig none() {
        return new RolloutConfig(null);
    }

    public Optional<Group> group(String name) {
        return Optional.ofNullable(groups.get(name));
    }

    /** Every problem, each with its key path under {@code path} (e.g. {@code remediator.rollouts}). */
    public List<String> validate(String path) {
        final List<String> problems = new ArrayList<>();
        groups.forEach((name, group) -> {
            final String at = path + ".groups." + name;
            if (!SafeValues.isValid(name)) {
                problems.add(at + ": " + SafeValues.whyInvalid("group name", name));
            }
            if (group == null) {
                problems.add(at + " is empty; give it members, step and gate");
            } else {
                problems.addAll(group.validate(at));
            }
        });
        return problems;
    }

    /**
     * One group and how a patch is rolled out to it.
     *
     * @param members             in rollout order; split into batches of {@code batchSize}
     * @param gateTimeout         how long each member of a batch may take to pass its gate
     * @param gateInterval        the wait between two checks of a gate
     * @param pauseBetweenBatches the wait after a healthy batch before the next one starts
     */
    public record Group(
            List<Member> members,
            Integer batchSize,
            Step step,
            Gate gate,
            @JsonDeserialize(using = Durations.Deserializer.class) Duration gateTimeout,
            @JsonDeserialize(using = Durations.Deserializer.class) Duration gateInterval,
            @JsonDeserialize(using = Durations.Deserializer.class) Duration pauseBetweenBatches) {

        public Group {
            members = members == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(members));
            batchSize = batchSize == null ? DEFAULT_BATCH_SIZE : batchSize;
            gateTimeout = gateTimeout == null ? DEFAULT_GATE_TIMEOUT : gateTimeout;
            gateInterval = gateInterval == null ? DEFAULT_GATE_INTERVAL : gateInterval;
            pauseBetweenBatches = pauseBetweenBatches == null ? Duration.ZERO : pauseBetweenBatches;
        }

        /** The members split into batches, in config order. */
        public List<List<Member>> batches() {
            final List<List<Member>> batches = new ArrayList<>();
            for (int from = 0; from < members.size(); from += batchSize) {
                batches.add(members.subList(from, Math.min(members.size(), from + batchSize)));
            }
            return batches;
        }

        List<String> validate(String at) {
            final List<String> problems = new ArrayList<>();
            if (members.isEmpty()) {
                problems.add(at + ".members: must list at least one member, e.g. [{name: web-1}]");
            }
            final Set<String> seen = new HashSet<>();
            for (int i = 0; i < members.size(); i++) {
                final Member member = members.get(i);
                final String memberAt = at + ".members[" + i + "]";
                if (member == null) {
                    problems.add(memberAt + " is empty; give it a name");
                    continue;
                }
                problems.addAll(member.validate(memberAt));
                if (member.name() != null && !seen.add(member.name())) {
                    problems.add(memberAt + ".name: '" + member.name() + "' is listed twice; a member is patched once");
                }
            }
            if (batchSize < 1) {
                problems.add(at + ".batchSize: must be at least 1, got " + batchSize);
            }
            positive(problems, at + ".gateTimeout", gateTimeout);
            positive(problems, at + ".gateInterval", gateInterval);
            if (pauseBetweenBatches.isNegative()) {
                problems.add(at + ".pauseBetweenBatches: must not be negative, got " + pauseBetweenBatches);
            }
            if (step == null) {
                problems.add(at + ".step: missing; e.g. {connector: process, type: restart_service, kind: service}");
            } else {
                problems.addAll(step.validate(at + ".step"));
            }
            if (gate == null) {
                problems.add(at + ".gate: missing; give one of http, tcp or command, e.g. {http: \"http://{member}:8080/health\"}");
            } else {
                problems.addAll(gate.validate(at + ".gate"));
            }
            problems.addAll(validatePlaceholders(at));
            return problems;
        }

        /**
         * Every placeholder must be {member}, {patch} or a var that every member has; and with
         * sample values the gate must make a usable URL or address.
         */
        private List<String> validatePlaceholders(String at) {
            final List<String> problems = new ArrayList<>();
            final Map<String, Set<String>> used = new LinkedHashMap<>();
            if (step != null) {
                if (step.target() != null) {
                    used.put(at + ".step.target", Template.placeholders(step.target()));
                }
                step.params().forEach((key, value) -> {
                    if (value != null) {
                        used.put(at + ".step.params." + key, Template.placeholders(value));
                    }
                });
            }
            if (gate != null) {
                gate.templates().forEach((key, value) -> used.put(at + ".gate." + key, Template.placeholders(value)));
            }
            final Set<String> anyVar = new TreeSet<>();
            members.stream().filter(m -> m != null).forEach(m -> anyVar.addAll(m.vars().keySet()));
            final Set<String> needed = new LinkedHashSet<>();
            used.forEach((key, names) -> {
                for (String name : names) {
                    if (name.equals(Template.MEMBER) || name.equals(Template.PATCH)) {
                        continue;
                    }
                    if (!anyVar.contains(name)) {
                        problems.add(key + ": unknown placeholder {" + name + "}; known: {member}, {patch}"
                                + (anyVar.isEmpty() ? " (no member has vars)" : " and the members' vars " + Template.known(anyVar)));
                    } else {
                        needed.add(name);
                    }
                }
            });
            for (int i = 0; i < members.size(); i++) {
                final Member member = members.get(i);
                if (member == null) {
                    continue;
                }
                for (String name : needed) {
                    if (!member.vars().containsKey(name)) {
                        problems.add(at + ".members[" + i + "].vars: has no '" + name + "', which the templates use as {"
                                + name + "}");
                    }
                }
            }
            if (problems.isEmpty() && gate != null && gate.validate("").isEmpty()) {
                // Filled with each member's values, the gate must be a usable URL or address.
                for (int i = 0; i < members.size(); i++) {
                    final Member member = members.get(i);
                    if (member == null || !member.validate("").isEmpty()) {
                        continue;
                    }
                    try {
                        gate.resolve(member.values("patch-1"));
                    } catch (IllegalArgumentException e) {
                        problems.add(at + ".gate: for members[" + i + "] (" + member.name() + "): " + e.getMessage());
                    }
                }
            }
            return problems;
        }
    }

    /** A member of a group; its vars fill the templates' placeholders beside {member} and {patch}. */
    public record Member(String name, Map<String, String> vars) {
        public Member {
            vars = vars == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(vars));
        }

        public Member(String name) {
            this(name, null);
        }

        /** The placeholder values for this member and patch. */
        Map<String, String> values(String patch) {
            final Map<String, String> values = new LinkedHashMap<>(vars);
            values.put(Template.MEMBER, name);
            values.put(Template.PATCH, patch);
            return values;
        }

        List<String> validate(String at) {
            final List<String> problems = new ArrayList<>();
            if (!SafeValues.isValid(name)) {
                problems.add(at + ".name: " + SafeValues.whyInvalid("member name", name));
            }
            vars.forEach((key, value) -> {
                if (key == null || !SafeValues.VAR_NAME.matcher(key).matches()) {
                    problems.add(at + ".vars." + key + ": a var name starts with a letter and uses only letters,"
                            + " digits and '_'");
                } else if (key.equals(Template.MEMBER) || key.equals(Template.PATCH)) {
                    problems.add(at + ".vars." + key + ": reserved; {" + key + "} is filled in by the rollout");
                }
                if (!SafeValues.isValid(value)) {
                    problems.add(at + ".vars." + key + ": " + SafeValues.whyInvalid("value", value));
                }
            });
            return problems;
        }
    }

    /**
     * What is done to each member: an action of {@code type} on target {@code kind:target}
     * through {@code connector}.
     *
     * @param type   an action type's wire name ({@code restart_service}, {@code run_playbook}, ...)
     * @param target the target name template; default {@code {member}}
     * @param params templates of the child action's params
     */
    public record Step(String connector, String type, String kind, String target, Map<String, String> params) {
        public Step {
            target = target == null ? "{" + Template.MEMBER + "}" : target;
            params = params == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(params));
        }

        /** The action type; call only on a valid step. */
        public ActionType actionType() {
            return ActionType.fromWireName(type);
        }

        List<String> validate(String at) {
            final List<String> problems = new ArrayList<>();
            if (connector == null || connector.isBlank()) {
                problems.add(at + ".connector: missing; name a configured connector (process, ssh, ansible, ...)");
            }
            if (type == null || type.isBlank()) {
                problems.add(at + ".type: missing; " + knownTypes());
            } else if (Arrays.stream(ActionType.values()).noneMatch(t -> t.wireName().equals(type))) {
                problems.add(at + ".type: unknown action type '" + type + "'; " + knownTypes());
            } else if (ActionType.fromWireName(type) == ActionType.ROTATE_PATCH) {
                problems.add(at + ".type: a rollout step cannot itself be rotate_patch");
            }
            if (!SafeValues.isValid(kind)) {
                problems.add(at + ".kind: " + SafeValues.whyInvalid("target kind", kind)
                        + "; e.g. service or host");
            }
            if (target.isBlank()) {
                problems.add(at + ".target: must not be empty; default {member}");
            }
            params.forEach((key, value) -> {
                if (key == null || key.isBlank()) {
                    problems.add(at + ".params: has an empty key");
                } else if (value == null) {
                    problems.add(at + ".params." + key + ": is empty; give a value or a template such as {patch}");
                }
            });
            return problems;
        }

        private static String knownTypes() {
            return "known: " + Arrays.stream(ActionType.values()).filter(t -> t != ActionType.ROTATE_PATCH)
                    .map(ActionType::wireName).collect(Collectors.joining(", "));
        }
    }

    /**
     * How a member is checked after its step: exactly one of
     *
     * @param http    a URL template; healthy when a GET answers 2xx
     * @param tcp     a {@code host:port} template; healthy when a connection is accepted
     * @param command an argv template; healthy when the program exits 0 (no shell)
     */
    public record Gate(String http, String tcp, List<String> command) {
        public Gate {
            command = command == null ? null : Collections.unmodifiableList(new ArrayList<>(command));
        }

        public static Gate http(String url) {
            return new Gate(url, null, null);
        }

        public static Gate tcp(String hostPort) {
            return new Gate(null, hostPort, null);
        }

        public static Gate command(List<String> argv) {
            return new Gate(null, null, argv);
        }

        /** The templates by key ({@code http}, {@code tcp}, {@code command[0]}). */
        Map<String, String> templates() {
            final Map<String, String> templates = new LinkedHashMap<>();
            if (http != null) {
                templates.put("http", http);
            }
            if (tcp != null) {
                templates.put("tcp", tcp);
            }
            if (command != null) {
                for (int i = 0; i < command.size(); i++) {
                    if (command.get(i) != null) {
                        templates.put("command[" + i + "]", command.get(i));
                    }
                }
            }
            return templates;
        }

        List<String> validate(String at) {
            final List<String> problems = new ArrayList<>();
            final int given = (http != null ? 1 : 0) + (tcp != null ? 1 : 0) + (command != null ? 1 : 0);
            if (given != 1) {
                problems.add(at + ": give exactly one of http, tcp or command, not " + given);
            }
            if (command != null) {
                if (command.isEmpty()) {
                    problems.add(at + ".command: is empty; give at least the program, e.g. [/usr/local/bin/check, \"{member}\"]");
                }
                for (int i = 0; i < command.size(); i++) {
                    final String arg = command.get(i);
                    if (arg == null || (i == 0 && arg.isBlank())) {
                        problems.add(at + ".command[" + i + "]: must be a non-empty string");
                    }
                }
            }
            return problems;
        }

        /**
         * The gate of one member.
         *
         * @throws IllegalArgumentException saying what is wrong with the filled-in template
         */
        HealthGate resolve(Map<String, String> values) {
            if (http != null) {
                final String url = Template.fill(http, values);
                final URI uri;
                try {
                    uri = new URI(url);
                } catch (URISyntaxException e) {
                    throw new IllegalArgumentException("'" + url + "' is not a URL: " + e.getMessage(), e);
                }
                final String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
                if (!scheme.equals("http") && !scheme.equals("https")) {
                    throw new IllegalArgumentException("'" + url + "' must be an http or https URL");
                }
                if (uri.getHost() == null) {
                    throw new IllegalArgumentException("'" + url + "' has no host");
                }
                if (uri.getRawUserInfo() != null) {
                    throw new IllegalArgumentException("'" + url + "' must not carry credentials; gates are anonymous GETs");
                }
                return new HealthGate.Http(uri);
            }
            if (tcp != null) {
                final String address = Template.fill(tcp, values);
                final int colon = address.lastIndexOf(':');
                if (colon <= 0 || colon == address.length() - 1) {
                    throw new IllegalArgumentException("'" + address + "' must be host:port");
                }
                final int port;
                try {
                    port = Integer.parseInt(address.substring(colon + 1));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("'" + address + "': the port must be a number", e);
                }
                if (port < 1 || port > 65535) {
                    throw new IllegalArgumentException("'" + address + "': the port must be 1..65535");
                }
                return new HealthGate.Tcp(address.substring(0, colon), port);
            }
            if (command != null) {
                return new HealthGate.Command(Template.fill(command, values));
            }
            throw new IllegalArgumentException("no gate configured");
        }
    }

    private static void positive(List<String> problems, String key, Duration value) {
        if (value.isNegative() || value.isZero()) {
            problems.add(key + ": must be a positive duration such as 500ms, 2s or 1m, got " + value);
        }
    }
}
