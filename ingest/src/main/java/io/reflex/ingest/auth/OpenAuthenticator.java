package io.reflex.ingest.auth;

import io.reflex.ingest.source.Webhook;

/** {@code type: none}: accepts every webhook. Only by explicit config; the start-up log says so. */
final class OpenAuthenticator implements WebhookAuthenticator {

    @Override
    public AuthResult check(Webhook webhook) {
        return AuthResult.success();
    }

    @Override
    public boolean open() {
        return true;
    }

    @Override
    public String describe() {
        return "none (open: anyone who can reach ingest may post alerts)";
    }
}
