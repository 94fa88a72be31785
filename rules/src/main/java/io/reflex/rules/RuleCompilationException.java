package io.reflex.rules;

import java.util.List;
import java.util.stream.Collectors;

/** A rule package that does not compile; the message lists every error with its line and column. */
public final class RuleCompilationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient List<RuleError> errors;

    public RuleCompilationException(String origin, List<RuleError> errors) {
        super("rule package " + origin + " does not compile (" + errors.size() + " error"
                + (errors.size() == 1 ? "" : "s") + "); fix these and deploy again:\n  "
                + errors.stream().map(RuleError::toString).collect(Collectors.joining("\n  ")));
        this.errors = List.copyOf(errors);
    }

    public List<RuleError> errors() {
        return errors;
    }
}
