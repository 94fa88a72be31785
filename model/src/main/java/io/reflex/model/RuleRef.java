package io.reflex.model;

/** Which rule, of which deployed ruleset version, decided an action. */
public record RuleRef(String name, long version) {
    public RuleRef {
        Names.requireText(name, "rule.name");
    }
}
