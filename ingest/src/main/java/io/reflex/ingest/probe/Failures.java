package io.reflex.ingest.probe;

import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeoutException;

/** Short, stable descriptions of network errors: they end up in alert summaries that people read. */
final class Failures {

    private Failures() {
    }

    static String describe(Throwable error, long timeoutMs) {
        if (error instanceof ConnectException && String.valueOf(error.getMessage()).contains("refused")) {
            return "connection refused";
        }
        if (error instanceof UnknownHostException) {
            return "unknown host " + error.getMessage();
        }
        // Netty's ConnectTimeoutException is a ConnectException too, hence after the "refused" case.
        if (error instanceof TimeoutException || error.getClass().getSimpleName().contains("Timeout")) {
            return "no answer within " + timeoutMs + " ms";
        }
        String message = error.getMessage();
        return message == null ? error.getClass().getSimpleName() : message;
    }
}
