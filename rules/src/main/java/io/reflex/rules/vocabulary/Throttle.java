package io.reflex.rules.vocabulary;

import java.util.Objects;

/**
 * A marker a rule inserts when it acts, so it does not act again for the same group within a
 * time: the rule's condition says {@code not Throttle(name == "restart", group == $g, this coincides[10m] $a)}
 * and its consequence {@code insert(new Throttle("restart", $g))}.
 *
 * <p>Declared in the prelude as an event (its time is the session clock when inserted) that
 * expires after {@link io.reflex.rules.RuleCompiler#THROTTLE_EXPIRY}: longer than any throttle
 * window plus the life of the alerts it held back, so an alert it suppressed never outlives it
 * and fires late.
 *
 * @param name  which throttle, chosen by the rule author (one rule, or several sharing it)
 * @param group what is throttled, usually label values joined (a service, "ns/alertname")
 */
public record Throttle(String name, String group) {
    public Throttle {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a Throttle needs a name, got '" + name + "'");
        }
        if (group == null || group.isBlank()) {
            throw new IllegalArgumentException("Throttle '" + name + "' needs a group, got '" + group
                    + "'; check the labels the rule builds it from");
        }
    }

    @Override
    public boolean equals(Object other) {
        // Identity, not value: two throttles of one group at different times are different facts.
        return this == other;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }

    @Override
    public String toString() {
        return "Throttle[" + name + ", " + group + "]";
    }
}
