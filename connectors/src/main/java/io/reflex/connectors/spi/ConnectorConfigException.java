package io.reflex.connectors.spi;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Everything wrong with the connectors' configuration, reported at once so the user fixes
 * it in one go. Each problem names its full key ({@code connectors.process.services.x.command}).
 */
public class ConnectorConfigException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public ConnectorConfigException(Collection<String> problems) {
        super(message(problems));
        this.problems = List.copyOf(problems);
    }

    /**
     * Problems of one connector, each given relative to its section
     * ({@code "services.x.command: must be a list"}), reported as {@code connectors.<name>.<key>}.
     */
    public static ConnectorConfigException of(String connector, Collection<String> relativeProblems) {
        final List<String> qualified = new ArrayList<>();
        for (String problem : relativeProblems) {
            qualified.add("connectors." + connector + "." + problem);
        }
        return new ConnectorConfigException(qualified);
    }

    /** One line per problem, each starting with the key it is about. */
    public List<String> problems() {
        return problems;
    }

    private static String message(Collection<String> problems) {
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a configuration error needs at least one problem");
        }
        return "invalid connector configuration (" + problems.size() + (problems.size() == 1 ? " problem" : " problems")
                + "):\n  - " + String.join("\n  - ", problems);
    }
}
