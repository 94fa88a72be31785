package io.reflex.connectors.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.reflex.connectors.spi.ConnectorConfigException;
import io.reflex.model.ActionType;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Settings checks that need no file: the paths used are the JDK's own files, which exist
 * wherever the tests run.
 */
class SshSettingsTest {

    private static final String EXISTING = System.getProperty("java.home") + "/release";

    private static Map<String, Object> host(String address) {
        final Map<String, Object> host = new LinkedHashMap<>();
        host.put("address", address);
        host.put("user", "reflex");
        host.put("identityFile", EXISTING);
        host.put("knownHostsFile", EXISTING);
        return host;
    }

    @Test
    void readsAValidConfiguration() {
        final Map<String, Object> settings = Map.of(
                "connectTimeout", "5s",
                "hosts", Map.of("web-1", host("10.0.0.11")),
                "services", Map.of("shop", "web-1"),
                "commands", Map.of("restart_service", List.of("sudo", "-n", "systemctl", "restart", "{service}.service")),
                "state", List.of("/usr/local/libexec/reflex-started-at", "{service}"),
                "scripts", Map.of("clear-cache", List.of("/usr/local/bin/clear-cache", "{age}")));

        final SshSettings parsed = SshSettings.parse("ssh", settings);

        assertThat(parsed.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(parsed.ssh()).isEqualTo("ssh");
        assertThat(parsed.hosts().get("web-1").port()).isEqualTo(22);
        assertThat(parsed.services()).containsEntry("shop", "web-1");
        assertThat(parsed.commands().get(ActionType.RESTART_SERVICE).render(Map.of("service", "shop")))
                .containsExactly("sudo", "-n", "systemctl", "restart", "shop.service");
        assertThat(parsed.state()).isPresent();
        assertThat(parsed.scripts().get("clear-cache").placeholders()).containsExactly("age");
    }

    @Test
    void reportsEveryProblemAtOnceWithItsFullKey() {
        final Map<String, Object> badHost = host("-oProxyCommand=x");
        badHost.put("port", 70000);
        badHost.put("identityFile", "/nonexistent/id_ed25519");
        badHost.remove("knownHostsFile");
        badHost.put("password", "hunter2");
        final Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("connectTimeout", "soon");
        settings.put("hosts", Map.of("web-1", badHost));
        settings.put("services", Map.of("shop", "web-9", "bad;name", "web-1"));
        settings.put("commands", Map.of("restart_service", "systemctl restart shop", "scale", List.of("x")));
        settings.put("state", List.of("cat", "{unit}"));
        settings.put("scripts", Map.of("../x", List.of("rm"), "ok", List.of("echo", "{script}")));
        settings.put("sudo", true);

        final ConnectorConfigException e = catchThrowableOfType(ConnectorConfigException.class,
                () -> SshSettings.parse("ssh", settings));

        assertThat(e.problems()).containsExactlyInAnyOrder(
                "connectors.ssh.sudo: unknown key; expected one of [commands, connectTimeout, hosts, scripts, services, ssh, state]",
                "connectors.ssh.connectTimeout: must be a positive duration such as 10s, 2m or PT10S, not the string 'soon'",
                "connectors.ssh.hosts.web-1.password: unknown key; expected one of [address, identityFile, knownHostsFile, port, user]",
                "connectors.ssh.hosts.web-1.address: '-oProxyCommand=x' is not a host name or IP address",
                "connectors.ssh.hosts.web-1.port: must be a port number from 1 to 65535, not the number 70000",
                "connectors.ssh.hosts.web-1.identityFile: /nonexistent/id_ed25519 does not exist or is not a readable file;"
                        + " give the private key file Reflex logs in with (key authentication only)",
                "connectors.ssh.hosts.web-1.knownHostsFile: missing; give a known_hosts file holding this host's key"
                        + " (ssh-keyscan, verified out of band)",
                "connectors.ssh.services.bad;name: service name 'bad;name' is not allowed: a value starts with a letter"
                        + " or digit, has at most 256 characters, and uses only letters, digits and _ . , : = @ + % -"
                        + " (no spaces, quotes, slashes or shell characters)",
                "connectors.ssh.commands.restart_service: must be a list of arguments, e.g. [systemctl, restart,"
                        + " \"{service}.service\"], not a string: a string would need a shell to split it",
                "connectors.ssh.commands.scale: not a service action type; expected one of [restart_service, start_service,"
                        + " stop_service] (run_script commands go under scripts)",
                "connectors.ssh.state[1]: unknown placeholder {unit}; this command may use {host}, {service}",
                "connectors.ssh.scripts.../x: script name '../x' is not allowed: a name starts with a letter or digit,"
                        + " has at most 128 characters, and uses only letters, digits and _ . @ : -",
                "connectors.ssh.scripts.ok: {script} is the parameter that names the script; it cannot be a placeholder");
        assertThat(e.getMessage()).doesNotContain("hunter2");
    }

    @Test
    void servicesOnUnknownHostsAndServicesWithoutCommandsAreReported() {
        final Map<String, Object> settings = Map.of(
                "hosts", Map.of("web-1", host("10.0.0.11")),
                "services", Map.of("shop", "web-2"));

        final ConnectorConfigException e = catchThrowableOfType(ConnectorConfigException.class,
                () -> SshSettings.parse("ssh", settings));

        assertThat(e.problems()).containsExactly(
                "connectors.ssh.services.shop: unknown host 'web-2'; configured hosts: web-1",
                "connectors.ssh.commands: missing; services are configured but no command says how to restart, stop or"
                        + " start them, e.g. restart_service: [sudo, -n, systemctl, restart, \"{service}.service\"]");
    }

    @Test
    void anEmptySectionAsksForHosts() {
        final ConnectorConfigException e = catchThrowableOfType(ConnectorConfigException.class,
                () -> SshSettings.parse("ssh", Map.of()));

        assertThat(e.problems()).containsExactly(
                "connectors.ssh.hosts: missing; configure at least one host the connector may act on");
    }
}
