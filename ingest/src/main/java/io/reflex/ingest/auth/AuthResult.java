package io.reflex.ingest.auth;

import io.reflex.model.ApiError;
import java.util.List;
import java.util.Objects;

/**
 * What a {@link WebhookAuthenticator} decided about one webhook: {@link #ok()}, or a failure to
 * answer with {@code 401}, the {@link #toApiError() error body} and the
 * {@code WWW-Authenticate: }{@link #challenge()} header.
 *
 * <p>Codes (also the {@code reason} of the rejected-requests metric):
 * <ul>
 *   <li>{@value #MISSING_CREDENTIALS}: no credential of the expected kind (header absent, or
 *       another scheme);</li>
 *   <li>{@value #BAD_CREDENTIALS}: a credential that does not match, or is malformed;</li>
 *   <li>{@value #STALE_SIGNATURE}: a valid HMAC signature whose timestamp is outside the tolerance;</li>
 *   <li>{@value #REPLAYED_SIGNATURE}: a valid HMAC signature already accepted within the tolerance.</li>
 * </ul>
 * The last two are only ever said to a sender that holds the secret (the signature is checked
 * first), so they tell an outsider nothing.
 *
 * @param code      null when ok, else one of the codes above
 * @param message   null when ok, else what is wrong and what to do; never a secret
 * @param challenge null when ok, else the value of the {@code WWW-Authenticate} header of the 401
 */
public record AuthResult(String code, String message, String challenge) {

    public static final String MISSING_CREDENTIALS = "missing_credentials";
    public static final String BAD_CREDENTIALS = "bad_credentials";
    public static final String STALE_SIGNATURE = "stale_signature";
    public static final String REPLAYED_SIGNATURE = "replayed_signature";

    private static final AuthResult SUCCESS = new AuthResult(null, null, null);

    public AuthResult {
        if (code == null) {
            if (message != null || challenge != null) {
                throw new IllegalArgumentException("a successful result has no message or challenge");
            }
        } else {
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(challenge, "challenge");
        }
    }

    public static AuthResult success() {
        return SUCCESS;
    }

    public static AuthResult failure(String code, String message, String challenge) {
        return new AuthResult(Objects.requireNonNull(code, "code"), message, challenge);
    }

    /** True when the webhook may go on. */
    public boolean ok() {
        return code == null;
    }

    /**
     * The body of the 401.
     *
     * @throws IllegalStateException for a successful result
     */
    public ApiError toApiError() {
        if (ok()) {
            throw new IllegalStateException("a successful authentication has no error");
        }
        return new ApiError(code, message, List.of());
    }
}
