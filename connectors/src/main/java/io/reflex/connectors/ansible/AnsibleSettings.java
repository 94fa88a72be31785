package io.reflex.connectors.ansible;

import io.reflex.connectors.spi.ConnectorConfigException;
import io.reflex.connectors.ssh.ConfigValues;
import io.reflex.connectors.ssh.RemoteHost;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The settings of the ansible connector:
 * <pre>
 * connectors:
 *   ansible:
 *     ansiblePlaybook: /usr/bin/ansible-playbook   # optional, default ansible-playbook on the PATH
 *     playbookDir: /etc/reflex/playbooks           # playbooks are chosen by name: &lt;name&gt;.yml here
 *     connectTimeout: 10s                          # optional, ANSIBLE_TIMEOUT
 *     hosts:                                       # as for the ssh connector
 *       web-1:
 *         address: 10.0.0.11
 *         port: 22
 *         user: reflex
 *         identityFile: /etc/reflex/ssh/id_ed25519
 *         knownHostsFile: /etc/reflex/ssh/known_hosts
 * </pre>
 */
public record AnsibleSettings(String ansiblePlaybook, Path playbookDir, Duration connectTimeout,
                              Map<String, RemoteHost> hosts) {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Set<String> TOP_KEYS = Set.of("ansiblePlaybook", "playbookDir", "connectTimeout", "hosts");

    public AnsibleSettings {
        hosts = Collections.unmodifiableMap(new LinkedHashMap<>(hosts));
    }

    /**
     * Reads and checks the map under {@code connectors.<name>}.
     *
     * @throws ConnectorConfigException listing every problem, each with its key
     */
    public static AnsibleSettings parse(String connectorName, Map<String, ?> settings) {
        final List<String> problems = new ArrayList<>();
        final Map<String, Object> top = settings == null ? Map.of() : new LinkedHashMap<>(settings);
        ConfigValues.unknownKeys(top, TOP_KEYS, "", problems);
        final String program = ConfigValues.string(top.get("ansiblePlaybook"), "ansiblePlaybook", "ansible-playbook",
                problems);
        final Path playbookDir = ConfigValues.existingDirectory(top.get("playbookDir"), "playbookDir",
                "give the directory holding the playbooks actions may run", problems);
        final Duration connectTimeout = ConfigValues.duration(top.get("connectTimeout"), "connectTimeout",
                DEFAULT_CONNECT_TIMEOUT, problems);
        final Map<String, RemoteHost> hosts = RemoteHost.parseAll(top.get("hosts"), problems);
        if (hosts.isEmpty() && problems.stream().noneMatch(p -> p.startsWith("hosts"))) {
            problems.add("hosts: missing; configure at least one host playbooks may run on");
        }
        if (!problems.isEmpty()) {
            throw ConnectorConfigException.of(connectorName, problems);
        }
        return new AnsibleSettings(program, playbookDir, connectTimeout, hosts);
    }
}
