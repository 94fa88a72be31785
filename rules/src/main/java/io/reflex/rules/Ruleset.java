package io.reflex.rules;

import java.util.Objects;
import org.kie.api.KieBase;

/**
 * A compiled rule package and the version actions record in their {@code rule.version}.
 *
 * @param origin where the package came from (a file, the demo), for logs
 */
public record Ruleset(long version, String origin, KieBase base) {
    public Ruleset {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(base, "base");
    }

    /** Compiles the package the configuration names (its rules file, or the demo) as the given version. */
    public static Ruleset load(RulesConfig config, long version) {
        return new Ruleset(version, config.rulesOrigin(), RuleCompiler.compile(config.rulesOrigin(), config.rulesText()));
    }
}
