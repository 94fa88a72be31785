package io.reflex.ingest.auth;

import io.reflex.ingest.source.Webhook;
import java.util.List;
import java.util.Optional;

/**
 * {@code Authorization: Bearer <token>} (RFC 6750), the scheme word in any case. Any configured
 * token is accepted, so tokens rotate without downtime. What Alertmanager sends with
 * {@code http_config: {authorization: {credentials_file: ...}}}.
 */
final class BearerAuthenticator implements WebhookAuthenticator {
    static final String CHALLENGE = "Bearer realm=\"" + REALM + "\"";

    private final String source;
    private final CredentialMatcher tokens;

    BearerAuthenticator(String source, List<String> tokens) {
        this.source = source;
        this.tokens = new CredentialMatcher(tokens);
    }

    @Override
    public AuthResult check(Webhook webhook) {
        Optional<String> token = AuthorizationHeader.credentials(webhook, "Bearer");
        if (token.isEmpty()) {
            return AuthResult.failure(AuthResult.MISSING_CREDENTIALS, "Source " + source + " needs a bearer token: "
                    + "send the header Authorization: Bearer <token>.", CHALLENGE);
        }
        if (!tokens.matches(token.get())) {
            return AuthResult.failure(AuthResult.BAD_CREDENTIALS, "The bearer token is not accepted for source "
                    + source + ". Send a token configured for it in ingest (auth token, tokens, tokenEnv or "
                    + "tokenFile of the source).", CHALLENGE);
        }
        return AuthResult.success();
    }

    @Override
    public String describe() {
        return "bearer (" + tokens.size() + (tokens.size() == 1 ? " token)" : " tokens)");
    }
}
