package io.reflex.ingest;

import io.reflex.model.AlertEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What one webhook may carry (YAML {@code ingest.limits}). The body size is checked while it is
 * read ({@code ingest.maxBodyBytes}), the nesting depth while it is parsed, the rest on the
 * parsed alerts, all before anything is written.
 *
 * @param maxNestingDepth     deepest nesting of JSON objects and arrays
 * @param maxAlertsPerRequest alerts in one webhook
 * @param maxLabels           labels (and, separately, annotations) on one alert
 * @param maxLabelLength      characters in one label or annotation key or value
 */
public record Limits(Integer maxNestingDepth, Integer maxAlertsPerRequest, Integer maxLabels, Integer maxLabelLength) {
    public static final int DEFAULT_MAX_NESTING_DEPTH = 32;

    public Limits {
        maxNestingDepth = maxNestingDepth == null ? DEFAULT_MAX_NESTING_DEPTH : maxNestingDepth;
        maxAlertsPerRequest = maxAlertsPerRequest == null ? 1000 : maxAlertsPerRequest;
        maxLabels = maxLabels == null ? 64 : maxLabels;
        maxLabelLength = maxLabelLength == null ? 4096 : maxLabelLength;
    }

    public static Limits defaults() {
        return new Limits(null, null, null, null);
    }

    public List<String> validate() {
        List<String> problems = new ArrayList<>();
        positive(problems, "maxNestingDepth", maxNestingDepth);
        positive(problems, "maxAlertsPerRequest", maxAlertsPerRequest);
        positive(problems, "maxLabels", maxLabels);
        positive(problems, "maxLabelLength", maxLabelLength);
        return problems;
    }

    private static void positive(List<String> problems, String key, int value) {
        if (value < 1) {
            problems.add("limits." + key + ": must be at least 1, got " + value);
        }
    }

    /** Every limit the parsed alerts break, as "path: problem (key)" lines; empty when within limits. */
    public List<String> check(List<AlertEvent> alerts) {
        List<String> problems = new ArrayList<>();
        if (alerts.size() > maxAlertsPerRequest) {
            problems.add("alerts: " + alerts.size() + " alerts in one request; at most " + maxAlertsPerRequest
                    + " (ingest.limits.maxAlertsPerRequest)");
            return problems;
        }
        for (int i = 0; i < alerts.size(); i++) {
            AlertEvent alert = alerts.get(i);
            entries(problems, "alerts[" + i + "].labels", alert.labels());
            entries(problems, "alerts[" + i + "].annotations", alert.annotations());
        }
        return problems;
    }

    private void entries(List<String> problems, String path, Map<String, String> map) {
        if (map.size() > maxLabels) {
            problems.add(path + ": " + map.size() + " entries; at most " + maxLabels + " (ingest.limits.maxLabels)");
        }
        map.forEach((key, value) -> {
            if (key.length() > maxLabelLength) {
                problems.add(path + ": a key of " + key.length() + " characters; at most " + maxLabelLength
                        + " (ingest.limits.maxLabelLength)");
            }
            if (value.length() > maxLabelLength) {
                problems.add(path + "." + key + ": " + value.length() + " characters; at most " + maxLabelLength
                        + " (ingest.limits.maxLabelLength)");
            }
        });
    }
}
