package io.reflex.drill;

import java.util.List;
import java.util.stream.Collectors;

/** A drill file that cannot run, with every problem found in it (not only the first). */
public final class DrillFileException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final transient List<DrillProblem> problems;

    public DrillFileException(String source, List<DrillProblem> problems) {
        super(source + ": " + problems.size() + (problems.size() == 1 ? " problem" : " problems") + "\n"
                + problems.stream().map(p -> "  " + p).collect(Collectors.joining("\n")));
        this.source = source;
        this.problems = List.copyOf(problems);
    }

    public String source() {
        return source;
    }

    public List<DrillProblem> problems() {
        return problems;
    }
}
