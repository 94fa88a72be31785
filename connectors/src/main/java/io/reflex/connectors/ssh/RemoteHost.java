package io.reflex.connectors.ssh;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A host reached over SSH with key authentication and a pinned host key, as configured under
 * {@code hosts.<name>} (ssh and ansible connectors alike).
 *
 * @param identityFile   the private key; only its path is ever used or shown, never its content
 * @param knownHostsFile the only host keys trusted for this host (StrictHostKeyChecking=yes)
 */
public record RemoteHost(String name, String address, int port, String user, Path identityFile, Path knownHostsFile) {

    public static final int DEFAULT_PORT = 22;
    /** A DNS name, an IPv4 or an IPv6 address; never starts with '-', so it cannot pass as an option. */
    static final Pattern ADDRESS = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.:-]{0,252}");
    static final Pattern USER = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]{0,31}");
    static final Set<String> KEYS = Set.of("address", "port", "user", "identityFile", "knownHostsFile");

    /** How OpenSSH says the host's key is not the one in known_hosts (changed, or not known at all). */
    private static final List<String> HOST_KEY_PROBLEMS = List.of("host key verification failed",
            "remote host identification has changed", "host key is known", "host key for");

    public RemoteHost {
        if (!SafeValues.isName(name)) {
            throw new IllegalArgumentException(SafeValues.whyNotName("host name", name));
        }
        if (address == null || !ADDRESS.matcher(address).matches()) {
            throw new IllegalArgumentException("host " + name + ": invalid address " + SafeValues.quote(address));
        }
        if (user == null || !USER.matcher(user).matches()) {
            throw new IllegalArgumentException("host " + name + ": invalid user " + SafeValues.quote(user));
        }
        Objects.requireNonNull(identityFile, "identityFile");
        Objects.requireNonNull(knownHostsFile, "knownHostsFile");
    }

    /** Whether ssh's output says the host key did not match the known_hosts file. */
    public static boolean isHostKeyProblem(String sshOutput) {
        final String lower = sshOutput.toLowerCase(java.util.Locale.ROOT);
        return HOST_KEY_PROBLEMS.stream().anyMatch(lower::contains);
    }

    /** How it is shown to people: {@code web-1 (reflex@10.0.0.11:22)}. */
    public String describe() {
        return name + " (" + user + "@" + address + ":" + port + ")";
    }

    /**
     * Reads {@code hosts:} (name to settings), adding one problem per mistake.
     *
     * @return the valid hosts, by name in configured order
     */
    public static Map<String, RemoteHost> parseAll(Object raw, List<String> problems) {
        final Map<String, Object> hosts = ConfigValues.map(raw, "hosts", "a map from host name to its address,"
                + " port, user, identityFile and knownHostsFile", problems);
        final Map<String, RemoteHost> out = new LinkedHashMap<>();
        if (hosts == null) {
            return out;
        }
        for (Map.Entry<String, Object> entry : hosts.entrySet()) {
            final RemoteHost host = parse(entry.getKey(), entry.getValue(), problems);
            if (host != null) {
                out.put(host.name(), host);
            }
        }
        return Collections.unmodifiableMap(out);
    }

    private static RemoteHost parse(String name, Object raw, List<String> problems) {
        final String at = "hosts." + name;
        final int before = problems.size();
        if (!SafeValues.isName(name)) {
            problems.add(at + ": " + SafeValues.whyNotName("host name", name));
        }
        final Map<String, Object> map = ConfigValues.map(raw, at, "a map with address, user, identityFile and"
                + " knownHostsFile", problems);
        if (map == null) {
            return null;
        }
        ConfigValues.unknownKeys(map, KEYS, at, problems);
        final String address = ConfigValues.string(map.get("address"), at + ".address", null, problems);
        if (map.get("address") == null) {
            problems.add(at + ".address: missing; give the DNS name or IP address to connect to");
        } else if (address != null && !ADDRESS.matcher(address).matches()) {
            problems.add(at + ".address: " + SafeValues.quote(address) + " is not a host name or IP address");
        }
        final int port = ConfigValues.port(map.get("port"), at + ".port", DEFAULT_PORT, problems);
        final String user = ConfigValues.string(map.get("user"), at + ".user", null, problems);
        if (map.get("user") == null) {
            problems.add(at + ".user: missing; give the remote login name");
        } else if (user != null && !USER.matcher(user).matches()) {
            problems.add(at + ".user: " + SafeValues.quote(user) + " is not a valid login name");
        }
        final Path identity = ConfigValues.existingFile(map.get("identityFile"), at + ".identityFile",
                "give the private key file Reflex logs in with (key authentication only)", problems);
        final Path knownHosts = ConfigValues.existingFile(map.get("knownHostsFile"), at + ".knownHostsFile",
                "give a known_hosts file holding this host's key (ssh-keyscan, verified out of band)", problems);
        if (problems.size() > before) {
            return null;
        }
        return new RemoteHost(name, address, port, user, identity, knownHosts);
    }

    /** Lists {@code names} that are not hosts, as problems under {@code at}. */
    static List<String> unknownHosts(Map<String, RemoteHost> hosts, Map<String, String> references, String at) {
        final List<String> problems = new ArrayList<>();
        references.forEach((key, host) -> {
            if (!hosts.containsKey(host)) {
                problems.add(at + "." + key + ": unknown host " + SafeValues.quote(host) + "; configured hosts: "
                        + (hosts.isEmpty() ? "none" : String.join(", ", hosts.keySet())));
            }
        });
        return problems;
    }
}
