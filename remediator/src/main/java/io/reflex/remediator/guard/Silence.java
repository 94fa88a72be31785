package io.reflex.remediator.guard;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Holds the actions its matchers match from {@code from} until {@code until}; configured or added
 * at run time through the API.
 *
 * @param id   set when added (null in configuration is fine)
 * @param from null: from now on
 */
public record Silence(String id, List<LabelMatcher> matchers, Instant from, Instant until, String createdBy,
        String comment) {

    public Silence {
        matchers = Checks.list(matchers);
    }

    public Silence withId(String newId) {
        return new Silence(newId, matchers, from, until, createdBy, comment);
    }

    public boolean activeAt(Instant now) {
        return (from == null || !now.isBefore(from)) && until != null && now.isBefore(until);
    }

    public List<String> validate(String path) {
        List<String> problems = new ArrayList<>();
        LabelMatcher.validateAll(matchers, path + ".matchers", problems);
        if (until == null) {
            problems.add(path + ".until is required (an ISO-8601 instant such as 2026-12-01T06:00:00Z)");
        } else if (from != null && !from.isBefore(until)) {
            problems.add(path + ".until must be after from (" + from + "), got " + until);
        }
        return problems;
    }

    String describe() {
        StringBuilder s = new StringBuilder("silence ").append(id == null ? "" : id);
        if (createdBy != null) {
            s.append(" by ").append(createdBy);
        }
        if (comment != null && !comment.isBlank()) {
            s.append(" (").append(comment).append(')');
        }
        return s.toString();
    }
}
