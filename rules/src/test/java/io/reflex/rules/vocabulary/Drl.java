package io.reflex.rules.vocabulary;

/** The package header every construct test (and every example in docs/rules.md) starts with. */
final class Drl {
    static final String HEADER = """
            package io.reflex.rules.examples;

            import io.reflex.model.AlertEvent;
            import io.reflex.model.AlertStatus;
            import io.reflex.rules.vocabulary.Throttle;
            import function io.reflex.rules.vocabulary.Labels.number;
            import function io.reflex.rules.vocabulary.Labels.group;

            global io.reflex.rules.Remediate remediate;

            """;

    private Drl() {
    }
}
