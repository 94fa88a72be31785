package io.reflex.model;

import java.util.List;

/**
 * The error body of every Reflex HTTP answer: a short machine-readable code, a sentence
 * that says what went wrong and what to do, and the individual problems (e.g. one per bad
 * field: {@code "alerts[0].labels.alertname: missing"}).
 */
public record ApiError(String error, String message, List<String> details) {
    public ApiError {
        Names.requireText(error, "error");
        Names.requireText(message, "message");
        details = details == null ? List.of() : List.copyOf(details);
    }

    public static ApiError of(String error, String message) {
        return new ApiError(error, message, List.of());
    }
}
