package io.reflex.ingest.auth;

import io.reflex.ingest.source.Webhook;
import java.util.Optional;

/** The credentials of an {@code Authorization: <scheme> <credentials>} header (RFC 9110 §11.6.2). */
final class AuthorizationHeader {
    static final String NAME = "Authorization";

    private AuthorizationHeader() {
    }

    /**
     * The credentials after {@code scheme} (matched in any case, separated by any run of spaces or
     * tabs), trimmed; empty when the header is absent, uses another scheme, or has no credentials.
     */
    static Optional<String> credentials(Webhook webhook, String scheme) {
        Optional<String> header = webhook.header(NAME);
        if (header.isEmpty()) {
            return Optional.empty();
        }
        String value = header.get().strip();
        int end = 0;
        while (end < value.length() && value.charAt(end) != ' ' && value.charAt(end) != '\t') {
            end++;
        }
        if (!value.substring(0, end).equalsIgnoreCase(scheme)) {
            return Optional.empty();
        }
        String credentials = value.substring(end).strip();
        return credentials.isEmpty() ? Optional.empty() : Optional.of(credentials);
    }
}
