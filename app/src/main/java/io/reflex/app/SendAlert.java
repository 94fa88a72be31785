package io.reflex.app;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.reflex.model.Ids;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code reflex send-alert}: posts one alert to a running Reflex in Alertmanager's webhook
 * format (version 4), the way Alertmanager itself would, and prints the answer.
 */
final class SendAlert {
    static final String HELP = """
            Usage: reflex send-alert [options]

            Posts one alert to a running Reflex as Alertmanager would, and prints Reflex's answer.

            Options:
              --url URL          Reflex's base URL (default http://127.0.0.1:8080)
              --name NAME        alert name (default ServiceDown)
              --label K=V        a label; repeat for more (default service=demo-shop)
              --severity S       severity label (default critical)
              --starts-at TIME   RFC 3339 start time; the same start + labels is the same alert
                                 (default: now)
              --resolved         send the alert as resolved
              -h, --help         show this help

            Example: reflex send-alert --name ServiceDown --label service=demo-shop
            """;

    private SendAlert() {
    }

    static int run(List<String> args, PrintStream out, PrintStream err) {
        String url = "http://127.0.0.1:8080";
        String name = "ServiceDown";
        String severity = "critical";
        Instant startsAt = Instant.now();
        boolean resolved = false;
        Map<String, String> labels = new TreeMap<>();
        try {
            for (int i = 0; i < args.size(); i++) {
                String arg = args.get(i);
                switch (arg) {
                    case "-h", "--help" -> {
                        out.print(HELP);
                        return Main.OK;
                    }
                    case "--resolved" -> resolved = true;
                    case "--url" -> url = value(args, ++i, arg);
                    case "--name" -> name = value(args, ++i, arg);
                    case "--severity" -> severity = value(args, ++i, arg);
                    case "--starts-at" -> startsAt = Instant.parse(value(args, ++i, arg));
                    case "--label" -> {
                        String kv = value(args, ++i, arg);
                        int eq = kv.indexOf('=');
                        if (eq < 1) {
                            throw new IllegalArgumentException("--label takes KEY=VALUE, got '" + kv + "'");
                        }
                        labels.put(kv.substring(0, eq), kv.substring(eq + 1));
                    }
                    default -> throw new IllegalArgumentException("unknown option '" + arg + "'");
                }
            }
        } catch (IllegalArgumentException | java.time.format.DateTimeParseException e) {
            err.println("reflex send-alert: " + e.getMessage());
            err.println("Run `reflex send-alert --help` for the options.");
            return Main.USAGE;
        }
        if (labels.isEmpty()) {
            labels.put("service", "demo-shop");
        }
        labels.put("severity", severity);
        String body = payload(name, labels, startsAt, resolved).toPrettyString();
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(url.replaceAll("/+$", "") + "/hooks/alertmanager"))
                            .timeout(Duration.ofSeconds(30))
                            .header("Content-Type", "application/json")
                            .header("User-Agent", "reflex-send-alert")
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            out.println(response.statusCode() + " " + response.body());
            return response.statusCode() / 100 == 2 ? Main.OK : Main.FAILED;
        } catch (ConnectException e) {
            err.println("reflex send-alert: nothing answers at " + url + "; is `reflex up` running there? (--url)");
            return Main.FAILED;
        } catch (IOException e) {
            err.println("reflex send-alert: " + e);
            return Main.FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Main.FAILED;
        }
    }

    private static String value(List<String> args, int i, String option) {
        if (i >= args.size()) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args.get(i);
    }

    /** An Alertmanager v4 webhook body with one alert, shaped as Alertmanager 0.25 sends it. */
    static ObjectNode payload(String alertName, Map<String, String> otherLabels, Instant startsAt, boolean resolved) {
        Map<String, String> labels = new TreeMap<>(otherLabels);
        labels.put("alertname", alertName);
        JsonNodeFactory json = JsonNodeFactory.instance;
        ObjectNode body = json.objectNode();
        String status = resolved ? "resolved" : "firing";
        body.put("receiver", "reflex").put("status", status);
        ArrayNode alerts = body.putArray("alerts");
        ObjectNode alert = alerts.addObject().put("status", status);
        ObjectNode labelNode = alert.putObject("labels");
        labels.forEach(labelNode::put);
        alert.putObject("annotations").put("summary", labels.get("alertname") + " sent by reflex send-alert");
        alert.put("startsAt", startsAt.toString());
        alert.put("endsAt", resolved ? Instant.now().toString() : "0001-01-01T00:00:00Z");
        alert.put("generatorURL", "");
        alert.put("fingerprint", Ids.stable("fp", labels.toString()).substring(3));
        body.set("groupLabels", json.objectNode().put("alertname", labels.get("alertname")));
        body.set("commonLabels", labelNode.deepCopy());
        body.set("commonAnnotations", alert.get("annotations").deepCopy());
        body.put("externalURL", "").put("version", "4");
        body.put("groupKey", "{}:{alertname=\"" + labels.get("alertname") + "\"}");
        body.put("truncatedAlerts", 0);
        return body;
    }
}
