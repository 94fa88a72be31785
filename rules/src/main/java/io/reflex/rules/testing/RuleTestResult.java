package io.reflex.rules.testing;

import java.util.List;
import java.util.Objects;

/**
 * How one rule test went.
 *
 * @param problems why it failed, one line each ("expected restart_service service:shop at 0s, got nothing");
 *                 empty when it passed
 */
public record RuleTestResult(String name, List<String> problems) {

    public RuleTestResult {
        Objects.requireNonNull(name, "name");
        problems = List.copyOf(problems);
    }

    public boolean passed() {
        return problems.isEmpty();
    }
}
