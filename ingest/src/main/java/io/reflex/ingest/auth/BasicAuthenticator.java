package io.reflex.ingest.auth;

import io.reflex.ingest.source.Webhook;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * {@code Authorization: Basic base64(username:password)} (RFC 7617), UTF-8. The username ends
 * at the first colon, so a password may contain colons. The pair is compared as a whole, so the
 * answer does not say whether the username or the password was wrong. Any configured password
 * is accepted, for rotation.
 */
final class BasicAuthenticator implements WebhookAuthenticator {
    static final String CHALLENGE = "Basic realm=\"" + REALM + "\", charset=\"UTF-8\"";

    private final String source;
    private final String username;
    private final CredentialMatcher pairs;

    BasicAuthenticator(String source, String username, List<String> passwords) {
        this.source = source;
        this.username = username;
        this.pairs = new CredentialMatcher(passwords.stream().map(p -> username + ":" + p).toList());
    }

    @Override
    public AuthResult check(Webhook webhook) {
        Optional<String> credentials = AuthorizationHeader.credentials(webhook, "Basic");
        if (credentials.isEmpty()) {
            return AuthResult.failure(AuthResult.MISSING_CREDENTIALS, "Source " + source + " needs basic auth: "
                    + "send the header Authorization: Basic <base64 of username:password>.", CHALLENGE);
        }
        String pair;
        try {
            pair = new String(Base64.getDecoder().decode(credentials.get()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException notBase64) {
            return malformed();
        }
        if (pair.indexOf(':') < 0) {
            return malformed();
        }
        if (!pairs.matches(pair)) {
            return AuthResult.failure(AuthResult.BAD_CREDENTIALS, "The username or password is not accepted for "
                    + "source " + source + ". Send the username and a password configured for it in ingest.",
                    CHALLENGE);
        }
        return AuthResult.success();
    }

    private AuthResult malformed() {
        return AuthResult.failure(AuthResult.BAD_CREDENTIALS, "Authorization: Basic must carry the base64 of "
                + "username:password (UTF-8); source " + source + " could not read it.", CHALLENGE);
    }

    @Override
    public String describe() {
        return "basic (user " + username + ", " + pairs.size() + (pairs.size() == 1 ? " password)" : " passwords)");
    }
}
