package io.reflex.rules;

import java.util.Objects;
import org.kie.api.KieBase;

/**
 * A compiled rule package and the version actions record in their {@code rule.version}.
 *
 * @param origin where the package came from (a file, the demo, {@code reflex.rulesets}), for logs
 * @param shadow whether its actions are only recorded (mode {@code SHADOW}), never executed
 */
public record Ruleset(long version, String origin, KieBase base, boolean shadow) {
    public Ruleset {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(base, "base");
    }

    /** A ruleset whose actions are executed. */
    public Ruleset(long version, String origin, KieBase base) {
        this(version, origin, base, false);
    }

    /** Compiles the package the configuration names (its rules file, or the demo) as the given version. */
    public static Ruleset load(RulesConfig config, long version) {
        return new Ruleset(version, config.rulesOrigin(), RuleCompiler.compile(config.rulesOrigin(), config.rulesText()));
    }
}
