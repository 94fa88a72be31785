package io.reflex.ingest;

import io.reflex.ingest.probe.ProbeConfig;
import io.reflex.ingest.auth.SecretSources;
import io.reflex.ingest.publish.PublishLimits;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
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
 *   sources:                    # who may post; a source not listed here is refused (403)
 *     alertmanager: {auth: {type: bearer, tokenEnv: AM_TOKEN}, rateLimit: {ratePerSecond: 50}}
 *     datadog: {auth: {type: hmac, secretEnv: DD_SECRET}, mapping: {name: "$.title", ...}}
 *   limits: {maxNestingDepth: 32, maxAlertsPerRequest: 1000, maxLabels: 64, maxLabelLength: 4096}
 *   publish: {maxBatchAlerts: 500, maxQueuedAlerts: 10000, maxQueuedBytes: 16777216}
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
 * @param sources         per source: auth (required), rate limit, and for generic sources the mapping
 * @param limits          what one webhook may carry besides its size
 * @param publish         how ingest batches and queues writes to Kafka (group commit), and its memory bounds
 * @param maxBodyBytes    largest webhook body accepted (default 1 MiB); larger ones get 413
 * @param probes          built-in HTTP probes (default none)
 * @param resourceMapping label-to-resource rules, first match wins (default {@link ResourceMapper#DEFAULT_RULES})
 */
public record IngestConfig(Map<String, SourceConfig> sources, Limits limits, PublishLimits publish, Long maxBodyBytes,
        List<ProbeConfig> probes, List<ResourceRule> resourceMapping) {

    public static final long DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

    public IngestConfig {
        sources = sources == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(sources));
        limits = limits == null ? Limits.defaults() : limits;
        publish = publish == null ? PublishLimits.defaults() : publish;
        maxBodyBytes = maxBodyBytes == null ? DEFAULT_MAX_BODY_BYTES : maxBodyBytes;
        probes = probes == null ? List.of() : List.copyOf(probes);
        resourceMapping = resourceMapping == null ? ResourceMapper.DEFAULT_RULES : List.copyOf(resourceMapping);
    }

    /** Every default: 1 MiB bodies, no probes, the default resource mapping. */
    public static IngestConfig defaults() {
        return new IngestConfig(null, null, null, null, null, null);
    }

    /** The same config with these sources. */
    public IngestConfig withSources(Map<String, SourceConfig> newSources) {
        return new IngestConfig(newSources, limits, publish, maxBodyBytes, probes, resourceMapping);
    }

    /** The same config with these probes. */
    public IngestConfig withProbes(List<ProbeConfig> newProbes) {
        return new IngestConfig(sources, limits, publish, maxBodyBytes, newProbes, resourceMapping);
    }

    /**
     * Every problem of this config, each starting with its path relative to the {@code ingest}
     * section (e.g. {@code probes[0].url: "ftp://x" is not an http(s) URL}); empty when valid.
     */
    public List<String> validate() {
        return validate(SecretSources.system());
    }

    /** As {@link #validate()}, reading {@code *Env} and {@code *File} secrets from {@code secrets}. */
    public List<String> validate(SecretSources secrets) {
        List<String> problems = new ArrayList<>();
        sources.forEach((name, source) -> {
            if (source == null) {
                problems.add("sources." + name + ": empty; give at least auth");
            } else {
                problems.addAll(source.validate(name, "sources." + name, secrets));
            }
        });
        problems.addAll(limits.validate());
        publish.validate().forEach(problem -> problems.add(problem.startsWith("publish.") ? problem : "publish." + problem));
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
