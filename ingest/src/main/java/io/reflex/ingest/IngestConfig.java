package io.reflex.ingest;

import io.reflex.ingest.probe.ProbeConfig;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The configuration of the ingest role (YAML key {@code ingest} of the app's config). Null
 * fields take their defaults, so an empty or partial YAML section works; {@link #validate()}
 * reports every problem at once.
 *
 * <pre>{@code
 * ingest:
 *   maxBodyBytes: 1048576
 *   probes:
 *     - name: demo-shop
 *       url: http://127.0.0.1:18081/health
 *       labels: {service: demo-shop}
 *   resourceMapping:            # optional; replaces the default mapping
 *     - {label: deployment, kind: deployment, namespaced: true}
 *     - {label: service, kind: service}
 * }</pre>
 *
 * @param maxBodyBytes    largest webhook body accepted (default 1 MiB); larger ones get 413
 * @param probes          built-in HTTP probes (default none)
 * @param resourceMapping label-to-resource rules, first match wins (default {@link ResourceMapper#DEFAULT_RULES})
 */
public record IngestConfig(Long maxBodyBytes, List<ProbeConfig> probes, List<ResourceRule> resourceMapping) {

    public static final long DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

    public IngestConfig {
        maxBodyBytes = maxBodyBytes == null ? DEFAULT_MAX_BODY_BYTES : maxBodyBytes;
        probes = probes == null ? List.of() : List.copyOf(probes);
        resourceMapping = resourceMapping == null ? ResourceMapper.DEFAULT_RULES : List.copyOf(resourceMapping);
    }

    /** Every default: 1 MiB bodies, no probes, the default resource mapping. */
    public static IngestConfig defaults() {
        return new IngestConfig(null, null, null);
    }

    /** The same config with these probes. */
    public IngestConfig withProbes(List<ProbeConfig> newProbes) {
        return new IngestConfig(maxBodyBytes, newProbes, resourceMapping);
    }

    /**
     * Every problem of this config, each starting with its path relative to the {@code ingest}
     * section (e.g. {@code probes[0].url: "ftp://x" is not an http(s) URL}); empty when valid.
     */
    public List<String> validate() {
        List<String> problems = new ArrayList<>();
        if (maxBodyBytes <= 0) {
            problems.add("maxBodyBytes: must be positive, got " + maxBodyBytes);
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < probes.size(); i++) {
            ProbeConfig probe = probes.get(i);
            String path = "probes[" + i + "]";
            if (probe == null) {
                problems.add(path + ": empty; give at least name and url");
                continue;
            }
            problems.addAll(probe.problems(path));
            if (probe.name() != null && !names.add(probe.name())) {
                problems.add(path + ".name: \"" + probe.name() + "\" is used by another probe; names must be unique");
            }
        }
        for (int i = 0; i < resourceMapping.size(); i++) {
            ResourceRule rule = resourceMapping.get(i);
            if (rule == null) {
                problems.add("resourceMapping[" + i + "]: empty; give label and kind");
            } else {
                problems.addAll(rule.problems("resourceMapping[" + i + "]"));
            }
        }
        return problems;
    }
}
