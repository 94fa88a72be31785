package io.reflex.connectors.ansible;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.reflex.connectors.spi.ConnectorConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Settings checks; the paths used are the JDK's own files and directories, which exist wherever tests run. */
class AnsibleSettingsTest {

    private static final String JAVA_HOME = System.getProperty("java.home");
    private static final String EXISTING_FILE = JAVA_HOME + "/release";

    @Test
    void readsAValidConfiguration() {
        final Map<String, Object> settings = Map.of(
                "playbookDir", JAVA_HOME,
                "connectTimeout", 7,
                "hosts", Map.of("web-1", Map.of("address", "web-1.example.org", "port", "2222", "user", "reflex",
                        "identityFile", EXISTING_FILE, "knownHostsFile", EXISTING_FILE)));

        final AnsibleSettings parsed = AnsibleSettings.parse("ansible", settings);

        assertThat(parsed.ansiblePlaybook()).isEqualTo("ansible-playbook");
        assertThat(parsed.playbookDir()).isEqualTo(Path.of(JAVA_HOME).toAbsolutePath().normalize());
        assertThat(parsed.connectTimeout()).isEqualTo(Duration.ofSeconds(7));
        assertThat(parsed.hosts().get("web-1").port()).as("environment overrides give strings").isEqualTo(2222);
    }

    @Test
    void reportsEveryProblemAtOnceWithItsFullKey() {
        final Map<String, Object> host = new LinkedHashMap<>();
        host.put("address", "10.0.0.1; rm -rf /");
        host.put("user", "root");
        host.put("identityFile", EXISTING_FILE);
        host.put("knownHostsFile", "/etc/ssh/known hosts");
        final Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("playbookDir", "/nonexistent/playbooks");
        settings.put("connectTimeout", -1);
        settings.put("hosts", Map.of("web-1", host, "../db", "db.example.org"));
        settings.put("inventory", "/etc/ansible/hosts");

        final ConnectorConfigException e = catchThrowableOfType(ConnectorConfigException.class,
                () -> AnsibleSettings.parse("ansible", settings));

        assertThat(e.problems()).containsExactlyInAnyOrder(
                "connectors.ansible.inventory: unknown key; expected one of [ansiblePlaybook, connectTimeout, hosts, playbookDir]",
                "connectors.ansible.playbookDir: /nonexistent/playbooks does not exist or is not a directory; give the"
                        + " directory holding the playbooks actions may run",
                "connectors.ansible.connectTimeout: must be a positive duration such as 10s, 2m or PT10S, not the number -1",
                "connectors.ansible.hosts.web-1.address: '10.0.0.1; rm -rf /' is not a host name or IP address",
                "connectors.ansible.hosts.web-1.knownHostsFile: must not contain whitespace or control characters",
                "connectors.ansible.hosts.../db: host name '../db' is not allowed: a name starts with a letter or digit,"
                        + " has at most 128 characters, and uses only letters, digits and _ . @ : -",
                "connectors.ansible.hosts.../db: must be a map with address, user, identityFile and knownHostsFile, not"
                        + " the string 'db.example.org'");
    }

    @Test
    void anEmptySectionAsksForTheDirectoryAndHosts() {
        final ConnectorConfigException e = catchThrowableOfType(ConnectorConfigException.class,
                () -> AnsibleSettings.parse("ansible", null));

        assertThat(e.problems()).containsExactly(
                "connectors.ansible.playbookDir: missing; give the directory holding the playbooks actions may run",
                "connectors.ansible.hosts: missing; configure at least one host playbooks may run on");
    }
}
