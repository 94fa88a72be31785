package io.reflex.app.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (KRaft, broker and controller in one) inside this JVM, for
 * {@code reflex up} without an external cluster.
 *
 * <p>Layout under the data dir: {@code kafka/logs} is Kafka's log dir (formatted on first start
 * only, so a second start finds its topics, records and cluster id again), {@code kafka/server.properties}
 * is the configuration of the last start, and {@code kafka/reflex.lock} keeps a second process
 * off the same data.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);

    private static final int NODE_ID = 1;
    private static final String HOST = "127.0.0.1";
    private static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final Path kafkaDir;
    private final Path logDir;
    private final int requestedBrokerPort;
    private final int requestedControllerPort;
    private final Duration startTimeout;

    private FileChannel lockChannel;
    private FileLock lock;
    private KafkaRaftServer server;
    private String bootstrapServers;
    /** The ports of the last start (0s replaced by the ports found); a restart uses them again. */
    private int brokerPort;
    private int controllerPort;
    private String clusterId;

    /**
     * @param dataDir        Reflex's data dir; Kafka keeps its files under {@code dataDir/kafka}
     * @param brokerPort     port for clients on 127.0.0.1, 0 for any free port
     * @param controllerPort port of the KRaft controller on 127.0.0.1, 0 for any free port
     */
    public EmbeddedKafka(Path dataDir, int brokerPort, int controllerPort) {
        this(dataDir, brokerPort, controllerPort, DEFAULT_START_TIMEOUT);
    }

    public EmbeddedKafka(Path dataDir, int brokerPort, int controllerPort, Duration startTimeout) {
        requirePort(brokerPort, "broker port");
        requirePort(controllerPort, "controller port");
        if (brokerPort != 0 && brokerPort == controllerPort) {
            throw new IllegalArgumentException("the broker port and the controller port are both " + brokerPort
                    + "; give them different ports, or 0 for any free port");
        }
        this.kafkaDir = dataDir.toAbsolutePath().normalize().resolve("kafka");
        this.logDir = kafkaDir.resolve("logs");
        this.requestedBrokerPort = brokerPort;
        this.requestedControllerPort = controllerPort;
        this.startTimeout = startTimeout;
    }

    /**
     * Formats the log dir if it is new, starts the broker and returns once it answers clients.
     *
     * @throws IllegalStateException when the data dir is used by another running broker, or the
     *                               broker does not answer within the start timeout
     */
    public synchronized void start() {
        if (server != null) {
            throw new IllegalStateException("the embedded Kafka broker is already running at " + bootstrapServers);
        }
        long began = System.nanoTime();
        lockDataDir();
        try {
            boot(choosePorts(), began);
        } catch (RuntimeException e) {
            stopServer();
            releaseLock();
            throw e;
        }
    }

    /**
     * Stops the running broker and starts it again on the same broker and controller ports (the
     * ones it got at {@link #start()}, when 0 was asked for) and the same data, keeping the data
     * dir locked in between; returns once it answers clients. Clients connected before reconnect
     * by themselves, as they would after a broker restart in a real cluster. A DR drill uses it.
     *
     * @throws IllegalStateException when the broker is not running, does not stop within 30 s, or
     *                               does not start again within the start timeout
     */
    public synchronized void restart() {
        if (server == null) {
            throw new IllegalStateException("the embedded Kafka broker is not running; call start() first");
        }
        String address = bootstrapServers;
        log.info("Restarting the Kafka broker at {} (controller port {})", address, controllerPort);
        long began = System.nanoTime();
        if (!stopServer()) {
            // The old broker may still hold the ports and files: starting another beside it cannot work.
            throw new IllegalStateException("the Kafka broker at " + address + " did not stop within " + STOP_TIMEOUT
                    + "; it cannot be restarted in this process, stop Reflex and start it again");
        }
        try {
            boot(new int[] {brokerPort, controllerPort}, began);
        } catch (RuntimeException e) {
            stopServer();
            releaseLock();
            throw e;
        }
    }

    /** Starts the broker on these ports (the data dir is locked) and waits until it answers clients. */
    private void boot(int[] ports, long began) {
        Properties props = serverProperties(ports[0], ports[1]);
        Path propsFile = writeProperties(props);
        clusterId = formatIfNew(propsFile);
        bootstrapServers = HOST + ":" + ports[0];
        brokerPort = ports[0];
        controllerPort = ports[1];
        server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
        try {
            server.startup();
        } catch (RuntimeException e) {
            throw new IllegalStateException("the embedded Kafka broker did not start on " + bootstrapServers
                    + " (controller port " + ports[1] + ", data in " + logDir + "): " + rootMessage(e)
                    + "; if a port is taken, set another one or 0 for any free port", e);
        }
        awaitClients(began);
        log.info("Kafka broker started at {} in {} ms (cluster {}, data in {})", bootstrapServers,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began), clusterId, logDir);
    }

    /** {@code 127.0.0.1:port} of the running broker. */
    public synchronized String bootstrapServers() {
        if (server == null) {
            throw new IllegalStateException("the embedded Kafka broker is not running; call start() first");
        }
        return bootstrapServers;
    }

    /** The id the log dir was formatted with; the same on every start on this data dir. */
    public synchronized String clusterId() {
        if (clusterId == null) {
            throw new IllegalStateException("the embedded Kafka broker has not been started");
        }
        return clusterId;
    }

    /** Stops the broker cleanly (waiting at most 30 s) and releases the data dir. Safe to call twice. */
    @Override
    public synchronized void close() {
        if (server == null) {
            return;
        }
        boolean stopped = stopServer();
        if (stopped) {
            releaseLock();
            log.info("Kafka broker at {} stopped", bootstrapServers);
        } else {
            // Keep the lock: a broker still shutting down owns the files until this JVM exits.
            log.warn("Kafka broker at {} did not stop within {}; its files in {} stay locked until this process exits",
                    bootstrapServers, STOP_TIMEOUT, logDir);
        }
    }

    private void lockDataDir() {
        Path lockFile = kafkaDir.resolve("reflex.lock");
        try {
            Files.createDirectories(logDir);
            lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                lock = lockChannel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // held by another EmbeddedKafka in this JVM
            }
            if (lock == null) {
                releaseLock();
                throw new IllegalStateException("the Kafka data dir " + kafkaDir + " is in use by another running "
                        + "Reflex broker (it holds " + lockFile + "); stop that one or use another --data-dir");
            }
        } catch (IOException e) {
            releaseLock();
            throw new UncheckedIOException("cannot lock the Kafka data dir " + kafkaDir
                    + "; check that it is writable: " + e.getMessage(), e);
        }
    }

    private void releaseLock() {
        try {
            if (lock != null) {
                lock.release();
            }
            if (lockChannel != null) {
                lockChannel.close();
            }
        } catch (IOException e) {
            log.warn("cannot release the lock on {}: {}", kafkaDir, e.toString());
        } finally {
            lock = null;
            lockChannel = null;
        }
    }

    /**
     * The ports asked for, with each 0 replaced by a free one. The controller port must be known
     * before start (it is in the static quorum voters), so a free port is found by binding and
     * releasing it; the broker port is chosen the same way so both are reported the same way.
     */
    private int[] choosePorts() {
        ServerSocket brokerProbe = null;
        ServerSocket controllerProbe = null;
        try {
            // Both probes stay open until both ports are known, so they cannot be the same port.
            int broker = requestedBrokerPort;
            if (broker == 0) {
                brokerProbe = bindAnyPort();
                broker = brokerProbe.getLocalPort();
            }
            int controller = requestedControllerPort;
            if (controller == 0) {
                controllerProbe = bindAnyPort();
                controller = controllerProbe.getLocalPort();
            }
            return new int[] {broker, controller};
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port on " + HOST + " for Kafka: " + e.getMessage(), e);
        } finally {
            closeQuietly(brokerProbe);
            closeQuietly(controllerProbe);
        }
    }

    private static ServerSocket bindAnyPort() throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), 0));
        return socket;
    }

    private static void closeQuietly(ServerSocket socket) {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                log.debug("cannot close probe socket {}", socket, e);
            }
        }
    }

    private Properties serverProperties(int brokerPort, int controllerPort) {
        Properties props = new Properties();
        props.putAll(Map.ofEntries(
                Map.entry("process.roles", "broker,controller"),
                Map.entry("node.id", String.valueOf(NODE_ID)),
                // Static voters: the controller's address comes from this config at every start, so
                // a restart on other ports works (checked by EmbeddedKafkaIT).
                Map.entry("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort),
                Map.entry("listeners", "PLAINTEXT://" + HOST + ":" + brokerPort + ",CONTROLLER://" + HOST + ":" + controllerPort),
                Map.entry("advertised.listeners", "PLAINTEXT://" + HOST + ":" + brokerPort),
                Map.entry("controller.listener.names", "CONTROLLER"),
                Map.entry("inter.broker.listener.name", "PLAINTEXT"),
                Map.entry("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"),
                Map.entry("log.dirs", logDir.toString()),
                // One broker: every internal topic has one replica, or transactions and
                // consumer groups wait forever for replicas that do not exist.
                Map.entry("offsets.topic.replication.factor", "1"),
                Map.entry("transaction.state.log.replication.factor", "1"),
                Map.entry("transaction.state.log.min.isr", "1"),
                Map.entry("share.coordinator.state.topic.replication.factor", "1"),
                Map.entry("share.coordinator.state.topic.min.isr", "1"),
                // Fewer partitions for the internal topics than the default 50: one machine, few groups,
                // and each partition costs files and start time.
                Map.entry("offsets.topic.num.partitions", "10"),
                Map.entry("transaction.state.log.num.partitions", "10"),
                Map.entry("group.initial.rebalance.delay.ms", "0"),
                // The cleaner's default 128 MB buffer is most of an embedded broker's heap.
                Map.entry("log.cleaner.dedupe.buffer.size", "2097152"),
                // TopicSetup creates the Reflex topics with their partitions and compaction; a typo'd
                // name must fail rather than create a one-partition topic.
                Map.entry("auto.create.topics.enable", "false"),
                Map.entry("server.max.startup.time.ms", String.valueOf(startTimeout.toMillis()))));
        return props;
    }

    private Path writeProperties(Properties props) {
        Path file = kafkaDir.resolve("server.properties");
        try (OutputStream out = Files.newOutputStream(file)) {
            props.store(out, "Written by Reflex at each start of the embedded broker; edits are overwritten");
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Formats a new log dir with a new cluster id; an existing one keeps its id and data. */
    private String formatIfNew(Path propsFile) {
        Path metaProperties = logDir.resolve("meta.properties");
        if (Files.exists(metaProperties)) {
            return readClusterId(metaProperties);
        }
        String newClusterId = Uuid.randomUuid().toString();
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        int code;
        try (PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            // execute(), not main(): main() exits the JVM.
            code = StorageTool.execute(new String[] {"format", "-t", newClusterId, "-c", propsFile.toString()}, out);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot format the Kafka log dir " + logDir + ": " + e.getMessage(), e);
        }
        if (code != 0) {
            throw new IllegalStateException("cannot format the Kafka log dir " + logDir + " (exit code " + code + "): "
                    + output.toString(StandardCharsets.UTF_8).strip());
        }
        log.info("Formatted new Kafka log dir {} with cluster id {}", logDir, newClusterId);
        return newClusterId;
    }

    private static String readClusterId(Path metaProperties) {
        Properties meta = new Properties();
        try (InputStream in = Files.newInputStream(metaProperties)) {
            meta.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + metaProperties + ": " + e.getMessage(), e);
        }
        String id = meta.getProperty("cluster.id");
        if (id == null || id.isBlank()) {
            throw new IllegalStateException(metaProperties + " has no cluster.id; the Kafka log dir is damaged. "
                    + "Move " + metaProperties.getParent() + " away to start with an empty broker");
        }
        return id;
    }

    /** The broker says it started; wait until a client can talk to it, within the start timeout. */
    private void awaitClients(long began) {
        long remainingMs = Math.max(1000, startTimeout.toMillis() - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
        Map<String, Object> adminProps = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) remainingMs,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(remainingMs, 10_000));
        try (Admin admin = Admin.create(adminProps)) {
            int nodes = admin.describeCluster().nodes().get(remainingMs, TimeUnit.MILLISECONDS).size();
            if (nodes == 0) {
                throw new IllegalStateException("the embedded Kafka broker at " + bootstrapServers + " reports no nodes");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the embedded Kafka broker", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the embedded Kafka broker at " + bootstrapServers + " did not answer within "
                    + startTimeout + " (data in " + logDir + "); see the Kafka warnings above", e);
        }
    }

    /** Returns whether the broker stopped in time (or was not running). */
    private boolean stopServer() {
        KafkaRaftServer running = server;
        if (running == null) {
            return true;
        }
        // shutdown() has no timeout of its own: run it aside and stop waiting after STOP_TIMEOUT.
        Thread stopper = new Thread(() -> {
            try {
                running.shutdown();
                running.awaitShutdown();
            } catch (RuntimeException e) {
                log.warn("Kafka broker at {} failed while stopping: {}", bootstrapServers, e.toString());
            }
        }, "embedded-kafka-stop");
        stopper.setDaemon(true);
        stopper.start();
        try {
            stopper.join(STOP_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        server = null;
        return !stopper.isAlive();
    }

    /** Kafka wraps the reason (say, a port in use) in several layers of "fatal error while waiting". */
    private static String rootMessage(Throwable e) {
        String message = e.toString();
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause.getMessage() != null) {
                message = cause.getMessage();
            }
        }
        return message;
    }

    private static void requirePort(int port, String what) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("the " + what + " " + port + " is not a port; use 1-65535, or 0 for any free port");
        }
    }
}
