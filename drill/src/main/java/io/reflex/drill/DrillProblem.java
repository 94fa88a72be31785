package io.reflex.drill;

/**
 * One thing wrong with a drill file.
 *
 * @param path where, as a dotted path from the top of the file ({@code fault.signal}, {@code steadyState.http.url})
 */
public record DrillProblem(String path, String message) {
    @Override
    public String toString() {
        return path + ": " + message;
    }
}
