package io.reflex.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real OpenSSH server on 127.0.0.1 for integration tests: its own host key, one client key
 * pair allowed to log in as the current user, and a {@code known_hosts} file that trusts it.
 * Everything lives in a temporary directory that {@link #close()} removes, after stopping sshd.
 *
 * <pre>
 * try (Sshd sshd = Sshd.start()) {
 *     // ssh -i sshd.clientKey() -o UserKnownHostsFile=sshd.knownHosts() -p sshd.port() sshd.user()@127.0.0.1
 * }
 * </pre>
 *
 * Skips the calling test (a JUnit assumption) when {@code /usr/sbin/sshd} is not installed;
 * CI installs openssh-server, so the tests normally run.
 */
public final class Sshd implements AutoCloseable {

    public static final Path SSHD = Path.of("/usr/sbin/sshd");
    public static final String HOST = "127.0.0.1";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private final Path dir;
    private final int port;
    private final Process process;
    private final Path clientKey;
    private final Path knownHosts;
    private final Path log;

    private Sshd(Path dir, int port, Process process, Path clientKey, Path knownHosts, Path log) {
        this.dir = dir;
        this.port = port;
        this.process = process;
        this.clientKey = clientKey;
        this.knownHosts = knownHosts;
        this.log = log;
    }

    /** Starts sshd and returns once it accepts connections. */
    public static Sshd start() {
        Assumptions.assumeTrue(Files.isExecutable(SSHD),
                "skipped: " + SSHD + " is not installed (apt-get install openssh-server openssh-client)");
        Path dir = null;
        Process process = null;
        try {
            dir = Files.createTempDirectory("reflex-sshd-");
            final Path hostKey = dir.resolve("ssh_host_ed25519_key");
            final Path clientKey = dir.resolve("id_ed25519");
            keygen(hostKey);
            keygen(clientKey);
            Files.copy(dir.resolve("id_ed25519.pub"), dir.resolve("authorized_keys"));
            // sshd refuses to start without its privilege separation directory.
            Files.createDirectories(Path.of("/run/sshd"));

            final int port = freePort();
            final Path knownHosts = dir.resolve("known_hosts");
            Files.writeString(knownHosts, knownHostsLine(port, dir.resolve("ssh_host_ed25519_key.pub")),
                    StandardCharsets.UTF_8);

            final Path config = dir.resolve("sshd_config");
            Files.writeString(config, String.join("\n",
                    "Port " + port,
                    "ListenAddress " + HOST,
                    "HostKey " + hostKey,
                    "PidFile " + dir.resolve("sshd.pid"),
                    "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
                    "AllowUsers " + currentUser(),
                    "StrictModes no",
                    "UsePAM no",
                    "PasswordAuthentication no",
                    "KbdInteractiveAuthentication no",
                    "PubkeyAuthentication yes",
                    "PermitRootLogin prohibit-password",
                    "PrintMotd no",
                    "LogLevel VERBOSE",
                    ""), StandardCharsets.UTF_8);

            final Path log = dir.resolve("sshd.log");
            process = new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", config.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(Redirect.appendTo(log.toFile()))
                    .start();
            process.getOutputStream().close();
            awaitListening(process, port, log);
            return new Sshd(dir, port, process, clientKey, knownHosts, log);
        } catch (IOException | RuntimeException e) {
            if (process != null) {
                process.destroyForcibly();
            }
            deleteQuietly(dir);
            throw e instanceof IOException ? new UncheckedIOException("cannot start sshd: " + e.getMessage(), (IOException) e)
                    : (RuntimeException) e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (process != null) {
                process.destroyForcibly();
            }
            deleteQuietly(dir);
            throw new IllegalStateException("interrupted while starting sshd", e);
        }
    }

    public String host() {
        return HOST;
    }

    public int port() {
        return port;
    }

    /** The user the client key logs in as: the one running the tests. */
    public String user() {
        return currentUser();
    }

    /** The private key the server accepts (no passphrase). */
    public Path clientKey() {
        return clientKey;
    }

    /** A known_hosts file with this server's host key for {@code [127.0.0.1]:port}. */
    public Path knownHosts() {
        return knownHosts;
    }

    /** The server's own output (sshd -e), for failure messages. */
    public Path log() {
        return log;
    }

    /**
     * A known_hosts file naming this server's address with another, freshly generated host
     * key: what a client sees when the server was replaced or someone is in the middle.
     */
    public Path foreignKnownHosts() {
        try {
            final Path key = Files.createTempFile(dir, "foreign_host_key", "");
            Files.delete(key);
            keygen(key);
            final Path file = dir.resolve("known_hosts.foreign");
            Files.writeString(file, knownHostsLine(port, Path.of(key + ".pub")), StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while generating a key", e);
        }
    }

    /** Stops sshd (and the session processes it forked) and removes its directory. */
    @Override
    public void close() {
        final List<ProcessHandle> descendants = new ArrayList<>();
        process.toHandle().descendants().forEach(descendants::add);
        process.destroy();
        descendants.forEach(ProcessHandle::destroy);
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
            for (ProcessHandle descendant : descendants) {
                descendant.onExit().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        } catch (Exception e) {
            descendants.forEach(ProcessHandle::destroyForcibly);
        }
        deleteQuietly(dir);
    }

    @Override
    public String toString() {
        return "Sshd[" + HOST + ":" + port + ", user " + user() + "]";
    }

    private static void awaitListening(Process process, int port, Path log) throws InterruptedException, IOException {
        final long end = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("sshd exited with code " + process.exitValue() + " at start:\n"
                        + Files.readString(log, StandardCharsets.UTF_8));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getByName(HOST), port), 500);
                return;
            } catch (IOException notYet) {
                if (System.nanoTime() > end) {
                    throw new IllegalStateException("sshd did not accept connections on " + HOST + ":" + port
                            + " within " + START_TIMEOUT.toSeconds() + "s; its log:\n"
                            + Files.readString(log, StandardCharsets.UTF_8));
                }
                // Returns early if sshd exits, which is then reported above.
                process.waitFor(100, TimeUnit.MILLISECONDS);
            }
        }
    }

    private static void keygen(Path file) throws IOException, InterruptedException {
        final Process keygen = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "reflex-test",
                "-f", file.toString())
                .redirectErrorStream(true)
                .start();
        keygen.getOutputStream().close();
        final String output = new String(keygen.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!keygen.waitFor(30, TimeUnit.SECONDS) || keygen.exitValue() != 0) {
            keygen.destroyForcibly();
            throw new IllegalStateException("ssh-keygen failed for " + file + ": " + output);
        }
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }

    private static String knownHostsLine(int port, Path publicKey) throws IOException {
        final String[] parts = Files.readString(publicKey, StandardCharsets.UTF_8).trim().split("\\s+");
        return "[" + HOST + "]:" + port + " " + parts[0] + " " + parts[1] + "\n";
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        }
    }

    private static String currentUser() {
        return System.getProperty("user.name");
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // A temp directory left behind is harmless.
        }
    }
}
