package io.reflex.app.demo;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The demo of {@code ./reflex up}: {@code demo-shop}, a sample HTTP service Reflex runs as a
 * real OS process (process connector), and a built-in probe watching its health endpoint.
 * The demo rule shipped with the rules stage restarts it when the probe raises
 * {@code ServiceDown}. It also opens the Alertmanager hook without credentials, so curl and
 * {@code reflex send-alert} work at once (logged as a warning at start). It is plain
 * configuration: the same could be written in YAML.
 */
public final class Demo implements Consumer<ObjectNode> {
    public static final String SERVICE = "demo-shop";

    @Override
    public void accept(ObjectNode tree) {
        ObjectNode demo = (ObjectNode) tree.get("demo");
        int port = demo.path("port").asInt(0);
        if (port == 0) {
            port = freePort();
            demo.put("port", port);
        }
        String health = "http://127.0.0.1:" + port + "/health";

        ObjectNode process = tree.withObjectProperty("connectors").withObjectProperty("process");
        if (!process.has("autostart")) {
            process.put("autostart", true);
        }
        ObjectNode services = process.withObjectProperty("services");
        if (!services.has(SERVICE)) {
            ObjectNode service = services.putObject(SERVICE);
            ArrayNode command = service.putArray("command");
            command.add(javaBinary()).add("-Xmx64m").add("-XX:TieredStopAtLevel=1")
                    .add("-cp").add(codeLocation()).add(DemoShop.class.getName()).add("--port").add(String.valueOf(port));
            service.put("health", health);
            service.put("startTimeout", "20s");
        }

        // The demo takes alerts from curl and `reflex send-alert` without credentials, and says so at start.
        // Only on loopback: on 0.0.0.0 (the Docker image) an open hook would let anyone trigger remediation.
        ObjectNode sources = tree.withObjectProperty("ingest").withObjectProperty("sources");
        if (!sources.has("alertmanager") && loopback(tree.path("http").path("host").asText())) {
            sources.putObject("alertmanager").putObject("auth").put("type", "none");
        }

        ArrayNode probes = tree.withObjectProperty("ingest").withArrayProperty("probes");
        boolean probed = false;
        for (var probe : probes) {
            probed |= SERVICE.equals(probe.path("name").asText());
        }
        if (!probed) {
            ObjectNode probe = probes.addObject();
            probe.put("name", SERVICE);
            probe.put("url", health);
            probe.putObject("labels").put("service", SERVICE);
        }
    }

    private static boolean loopback(String host) {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
    }

    private static String javaBinary() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** The jar (or classes folder) holding DemoShop: it needs nothing but the JDK. */
    private static String codeLocation() {
        try {
            return Path.of(DemoShop.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the demo-shop classes", e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port on 127.0.0.1 for demo-shop: " + e.getMessage(), e);
        }
    }
}
