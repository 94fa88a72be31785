package io.reflex.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * One deployed version of the rule package, kept on the compacted {@code reflex.rulesets} topic
 * under the key {@code v<version>}; the key {@code active} holds the version every rules
 * instance runs (a rollback points it back at an older one).
 *
 * @param drl    the package text, exactly as validated
 * @param shadow whether its actions are only recorded (mode {@link ActionMode#SHADOW}), never executed
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RulesetVersion(long version, String drl, Instant deployedAt, String author, boolean shadow) {
    public RulesetVersion {
        if (version < 1) {
            throw new IllegalArgumentException("version must be at least 1, got " + version);
        }
        Names.requireText(drl, "drl");
        Names.require(deployedAt, "deployedAt");
        Names.requireText(author, "author");
    }

    public static String key(long version) {
        return "v" + version;
    }
}
