package io.reflex.connectors.ssh;

import io.reflex.connectors.spi.ConnectorConfigException;
import io.reflex.model.ActionType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The settings of the ssh connector:
 * <pre>
 * connectors:
 *   ssh:
 *     connectTimeout: 10s                 # optional, default 10s
 *     hosts:
 *       web-1:
 *         address: 10.0.0.11
 *         port: 22                        # optional
 *         user: reflex
 *         identityFile: /etc/reflex/ssh/id_ed25519
 *         knownHostsFile: /etc/reflex/ssh/known_hosts
 *     services:                           # service name -> the host it runs on
 *       shop: web-1
 *     commands:                           # argument lists; placeholders {service} and {host}
 *       restart_service: [sudo, -n, systemctl, restart, "{service}.service"]
 *       stop_service: [sudo, -n, systemctl, stop, "{service}.service"]
 *       start_service: [sudo, -n, systemctl, start, "{service}.service"]
 *     state: [/usr/local/libexec/reflex-started-at, "{service}"]   # optional, for reconcile
 *     scripts:                            # run_script: placeholders from the action's params
 *       clear-cache: [/usr/local/bin/clear-cache, --older-than, "{age}"]
 * </pre>
 *
 * @param ssh            the OpenSSH client program
 * @param connectTimeout ssh's ConnectTimeout
 * @param services       service name to host name
 * @param commands       for restart_service, stop_service and start_service
 * @param state          prints the service's start time in epoch seconds (0 or nothing when it is not running)
 * @param scripts        script name to its command
 */
public record SshSettings(String ssh, Duration connectTimeout, Map<String, RemoteHost> hosts,
                          Map<String, String> services, Map<ActionType, CommandTemplate> commands,
                          Optional<CommandTemplate> state, Map<String, CommandTemplate> scripts) {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** The action types a service command can be configured for. */
    public static final Set<ActionType> SERVICE_TYPES =
            Set.of(ActionType.RESTART_SERVICE, ActionType.STOP_SERVICE, ActionType.START_SERVICE);
    /** Placeholders of service commands and of the state command. */
    public static final Set<String> SERVICE_PLACEHOLDERS = Set.of("service", "host");
    /** The action parameter that names the script of a run_script action. */
    public static final String SCRIPT_PARAM = "script";

    private static final Set<String> TOP_KEYS =
            Set.of("ssh", "connectTimeout", "hosts", "services", "commands", "state", "scripts");

    public SshSettings {
        hosts = Collections.unmodifiableMap(new LinkedHashMap<>(hosts));
        services = Collections.unmodifiableMap(new TreeMap<>(services));
        commands = Collections.unmodifiableMap(commands.isEmpty() ? new EnumMap<>(ActionType.class) : new EnumMap<>(commands));
        scripts = Collections.unmodifiableMap(new TreeMap<>(scripts));
    }

    /**
     * Reads and checks the map under {@code connectors.<name>}.
     *
     * @throws ConnectorConfigException listing every problem, each with its key
     */
    public static SshSettings parse(String connectorName, Map<String, ?> settings) {
        final List<String> problems = new ArrayList<>();
        final Map<String, Object> top = settings == null ? Map.of() : new LinkedHashMap<>(settings);
        ConfigValues.unknownKeys(top, TOP_KEYS, "", problems);

        final String ssh = ConfigValues.string(top.get("ssh"), "ssh", "ssh", problems);
        final Duration connectTimeout = ConfigValues.duration(top.get("connectTimeout"), "connectTimeout",
                DEFAULT_CONNECT_TIMEOUT, problems);
        final Map<String, RemoteHost> hosts = RemoteHost.parseAll(top.get("hosts"), problems);

        final Map<String, String> services = new LinkedHashMap<>();
        final Map<String, Object> rawServices = ConfigValues.map(top.get("services"), "services",
                "a map from service name to the host it runs on", problems);
        if (rawServices != null) {
            rawServices.forEach((service, host) -> {
                if (!SafeValues.isName(service) || !SafeValues.isValue(service)) {
                    problems.add("services." + service + ": " + SafeValues.whyNotValue("service name", service));
                } else if (!(host instanceof String)) {
                    problems.add("services." + service + ": must be the name of a host under hosts, not "
                            + ConfigValues.describe(host));
                } else {
                    services.put(service, (String) host);
                }
            });
        }
        if (problems.stream().noneMatch(p -> p.startsWith("hosts"))) {
            problems.addAll(RemoteHost.unknownHosts(hosts, services, "services"));
        }

        final Map<ActionType, CommandTemplate> commands = new EnumMap<>(ActionType.class);
        final Map<String, Object> rawCommands = ConfigValues.map(top.get("commands"), "commands",
                "a map from action type (restart_service, stop_service, start_service) to an argument list", problems);
        if (rawCommands != null) {
            rawCommands.forEach((type, raw) -> {
                final ActionType actionType = serviceType(type);
                if (actionType == null) {
                    problems.add("commands." + type + ": not a service action type; expected one of "
                            + SERVICE_TYPES.stream().map(ActionType::wireName).sorted().toList()
                            + " (run_script commands go under scripts)");
                    return;
                }
                final CommandTemplate template = CommandTemplate.parse(raw, "commands." + type,
                        SERVICE_PLACEHOLDERS, problems);
                if (template != null) {
                    commands.put(actionType, template);
                }
            });
        }

        Optional<CommandTemplate> state = Optional.empty();
        if (top.get("state") != null) {
            state = Optional.ofNullable(CommandTemplate.parse(top.get("state"), "state", SERVICE_PLACEHOLDERS, problems));
        }

        final Map<String, CommandTemplate> scripts = new LinkedHashMap<>();
        final Map<String, Object> rawScripts = ConfigValues.map(top.get("scripts"), "scripts",
                "a map from script name to an argument list", problems);
        if (rawScripts != null) {
            rawScripts.forEach((script, raw) -> {
                if (!SafeValues.isName(script)) {
                    problems.add("scripts." + script + ": " + SafeValues.whyNotName("script name", script));
                    return;
                }
                final CommandTemplate template = CommandTemplate.parse(raw, "scripts." + script, null, problems);
                if (template != null && template.placeholders().contains(SCRIPT_PARAM)) {
                    problems.add("scripts." + script + ": {" + SCRIPT_PARAM + "} is the parameter that names the"
                            + " script; it cannot be a placeholder");
                } else if (template != null) {
                    scripts.put(script, template);
                }
            });
        }

        if (!services.isEmpty() && top.get("commands") == null) {
            problems.add("commands: missing; services are configured but no command says how to restart, stop or"
                    + " start them, e.g. restart_service: [sudo, -n, systemctl, restart, \"{service}.service\"]");
        }
        if (hosts.isEmpty() && problems.stream().noneMatch(p -> p.startsWith("hosts"))) {
            problems.add("hosts: missing; configure at least one host the connector may act on");
        }
        if (!problems.isEmpty()) {
            throw ConnectorConfigException.of(connectorName, problems);
        }
        return new SshSettings(ssh, connectTimeout, hosts, services, commands, state, scripts);
    }

    private static ActionType serviceType(String wireName) {
        for (ActionType type : SERVICE_TYPES) {
            if (type.wireName().equals(wireName)) {
                return type;
            }
        }
        return null;
    }
}
