package io.reflex.ingest.probe;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.net.URI;
import java.net.URISyntaxException;
import io.reflex.model.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One built-in HTTP probe: {@code GET url} every {@code interval}; after {@code failureThreshold}
 * consecutive failures it fires {@code alertName}, after {@code successThreshold} consecutive
 * successes it resolves it. Null fields take their defaults; {@link #problems} tells what is wrong.
 *
 * <pre>{@code
 * probes:
 *   - name: demo-shop
 *     url: http://127.0.0.1:18081/health
 *     interval: 1s
 *     labels: {service: demo-shop}
 * }</pre>
 *
 * @param name             identifies the probe (logs, fingerprint, the {@code probe} label)
 * @param url              http or https URL; any 2xx answer within {@code timeout} is healthy
 * @param interval         time between checks (default 1s)
 * @param timeout          how long one check may take (default 1s)
 * @param failureThreshold consecutive failures that fire the alert (default 2)
 * @param successThreshold consecutive successes that resolve it (default 1)
 * @param alertName        the alert's name (default {@code ServiceDown})
 * @param severity         the alert's severity (default {@code critical})
 * @param labels           labels of the alert; they place it, e.g. {@code service: demo-shop}
 */
public record ProbeConfig(
        String name,
        String url,
        @JsonDeserialize(using = Durations.Deserializer.class) Duration interval,
        @JsonDeserialize(using = Durations.Deserializer.class) Duration timeout,
        Integer failureThreshold,
        Integer successThreshold,
        String alertName,
        String severity,
        Map<String, String> labels) {

    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
    public static final int DEFAULT_FAILURE_THRESHOLD = 2;
    public static final int DEFAULT_SUCCESS_THRESHOLD = 1;
    public static final String DEFAULT_ALERT_NAME = "ServiceDown";
    public static final String DEFAULT_SEVERITY = "critical";

    public ProbeConfig {
        interval = interval == null ? DEFAULT_INTERVAL : interval;
        timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
        failureThreshold = failureThreshold == null ? DEFAULT_FAILURE_THRESHOLD : failureThreshold;
        successThreshold = successThreshold == null ? DEFAULT_SUCCESS_THRESHOLD : successThreshold;
        alertName = alertName == null ? DEFAULT_ALERT_NAME : alertName;
        severity = severity == null ? DEFAULT_SEVERITY : severity;
        labels = labels == null ? Map.of() : copyKeepingEmpty(labels);
    }

    /** A YAML label without a value arrives as null; keep it (as "") so {@link #problems} can name it. */
    private static Map<String, String> copyKeepingEmpty(Map<String, String> labels) {
        Map<String, String> copy = new TreeMap<>();
        labels.forEach((key, value) -> copy.put(key, value == null ? "" : value));
        return Collections.unmodifiableMap(copy);
    }

    /** A probe with every default: name, url and labels only. */
    public static ProbeConfig of(String name, String url, Map<String, String> labels) {
        return new ProbeConfig(name, url, null, null, null, null, null, null, labels);
    }

    /** Every problem, each prefixed with {@code path} (e.g. {@code probes[0]}). */
    public List<String> problems(String path) {
        List<String> problems = new ArrayList<>();
        if (name == null || name.isBlank()) {
            problems.add(path + ".name: missing; name the probe, e.g. demo-shop");
        }
        if (url == null || url.isBlank()) {
            problems.add(path + ".url: missing; e.g. http://127.0.0.1:8081/health");
        } else {
            try {
                URI uri = new URI(url);
                if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
                    problems.add(path + ".url: \"" + url + "\" is not an http(s) URL");
                } else if (uri.getHost() == null) {
                    problems.add(path + ".url: \"" + url + "\" has no host");
                }
            } catch (URISyntaxException e) {
                problems.add(path + ".url: \"" + url + "\" is not a URL: " + e.getReason());
            }
        }
        if (interval.isNegative() || interval.isZero()) {
            problems.add(path + ".interval: must be positive, got " + interval);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            problems.add(path + ".timeout: must be positive, got " + timeout);
        }
        if (failureThreshold < 1) {
            problems.add(path + ".failureThreshold: must be at least 1, got " + failureThreshold);
        }
        if (successThreshold < 1) {
            problems.add(path + ".successThreshold: must be at least 1, got " + successThreshold);
        }
        if (alertName.isBlank()) {
            problems.add(path + ".alertName: must not be empty");
        }
        labels.forEach((key, value) -> {
            if (key.isBlank() || value.isBlank()) {
                problems.add(path + ".labels." + key + ": label names and values must not be empty");
            }
        });
        return problems;
    }
}
