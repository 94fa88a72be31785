package io.reflex.ingest;

import io.reflex.model.ApiError;
import java.util.List;

/**
 * A webhook body that cannot become alert events, with every problem found (one per bad field,
 * each starting with its JSON path). Nothing of such a body is written anywhere.
 */
public final class InvalidPayloadException extends RuntimeException {

    /** What kind of wrong, which decides the HTTP status. */
    public enum Reason {
        /** Not JSON at all: {@code 400}. */
        MALFORMED_JSON(400, "malformed_json"),
        /** JSON, but not the expected shape: {@code 422}. */
        INVALID_PAYLOAD(422, "invalid_payload");

        private final int httpStatus;
        private final String code;

        Reason(int httpStatus, String code) {
            this.httpStatus = httpStatus;
            this.code = code;
        }

        public int httpStatus() {
            return httpStatus;
        }

        public String code() {
            return code;
        }
    }

    private static final int MAX_DETAIL = 300;

    private final Reason reason;
    private final List<String> details;
    private final int alertCount;
    private final String humanMessage;

    /**
     * @param message    what went wrong and what to do, for humans
     * @param details    one entry per problem, e.g. {@code alerts[0].labels.alertname: missing}
     * @param alertCount how many alerts the body carried, as far as that could be told (for metrics)
     */
    public InvalidPayloadException(Reason reason, String message, List<String> details, int alertCount) {
        super(message + " (" + details.size() + " problem(s))");
        this.reason = reason;
        // Details may quote values from the body: bounded, so a huge value is not echoed back whole.
        this.details = details.stream().map(d -> d.length() <= MAX_DETAIL ? d : d.substring(0, MAX_DETAIL) + "…").toList();
        this.alertCount = alertCount;
        this.humanMessage = message;
    }

    public Reason reason() {
        return reason;
    }

    public List<String> details() {
        return details;
    }

    public int alertCount() {
        return alertCount;
    }

    public int httpStatus() {
        return reason.httpStatus();
    }

    /** The error body of the HTTP answer. */
    public ApiError toApiError() {
        return new ApiError(reason.code(), humanMessage, details);
    }
}
