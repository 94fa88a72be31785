package io.reflex.ingest;

import io.reflex.ingest.auth.AuthConfig;
import io.reflex.ingest.auth.RateLimitConfig;
import io.reflex.ingest.auth.SecretSources;
import io.reflex.ingest.generic.GenericAdapter;
import io.reflex.ingest.generic.GenericMapping;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * How one source may post (YAML {@code ingest.sources.<name>}). The built-in sources
 * ({@code alertmanager}, {@code grafana}, {@code cloudevents}, {@code pagerduty}) have fixed
 * formats; any other name is a generic JSON source at {@code /hooks/generic/<name>} and needs a
 * {@code mapping}.
 *
 * @param auth      required: how the sender proves who it is ({@code {type: none}} leaves the source open, on purpose)
 * @param rateLimit optional: requests per second and burst; absent means unlimited
 * @param mapping   generic sources only: where the alert's fields are in the sender's JSON
 */
public record SourceConfig(AuthConfig auth, RateLimitConfig rateLimit, GenericMapping mapping) {

    public static final Set<String> BUILT_IN = Set.of("alertmanager", "grafana", "cloudevents", "pagerduty");

    public static SourceConfig open() {
        return new SourceConfig(AuthConfig.none(), null, null);
    }

    public boolean generic(String name) {
        return !BUILT_IN.contains(name);
    }

    /** Every problem, each naming its key under {@code path} (e.g. {@code ingest.sources.grafana}). */
    public List<String> validate(String name, String path, SecretSources secrets) {
        List<String> problems = new ArrayList<>();
        if (auth == null) {
            problems.add(path + ".auth: missing; say how " + name + " authenticates (type bearer, basic, hmac"
                    + (name.equals("pagerduty") ? ", pagerduty" : "") + "), or {type: none} to accept"
                    + " unauthenticated webhooks on purpose");
        } else {
            problems.addAll(auth.validate(path + ".auth", secrets));
        }
        if (rateLimit != null) {
            problems.addAll(rateLimit.validate(path + ".rateLimit"));
        }
        if (generic(name)) {
            if (mapping == null) {
                problems.add(path + ".mapping: missing; '" + name + "' is not a built-in source (" + String.join(", ",
                        BUILT_IN.stream().sorted().toList()) + "), so it is a generic JSON source and needs a"
                        + " mapping of its fields (docs/ingest.md)");
            } else {
                problems.addAll(GenericAdapter.problems(name, mapping, path + ".mapping"));
            }
        } else if (mapping != null) {
            problems.add(path + ".mapping: only generic sources take a mapping; " + name + " has a fixed format");
        }
        return problems;
    }
}
