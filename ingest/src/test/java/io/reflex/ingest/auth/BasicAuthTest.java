package io.reflex.ingest.auth;

import static io.reflex.ingest.auth.Requests.basic;
import static io.reflex.ingest.auth.Requests.webhook;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class BasicAuthTest {
    private static final String PASSWORD = "s3cret:with:colons-7f2a9c";
    private static final String NEXT = "next-password-4b8e1d0c9a";

    private final WebhookAuthenticator auth = create(AuthConfig.basic("alertmanager", PASSWORD));

    private static WebhookAuthenticator create(AuthConfig config) {
        return WebhookAuthenticator.create("alertmanager", config, Requests.NO_SECRETS, Clock.systemUTC());
    }

    @Test
    void acceptsTheUserAndAPasswordContainingColons() {
        assertThat(auth.check(webhook("Authorization", basic("alertmanager", PASSWORD))).ok()).isTrue();
        assertThat(auth.describe()).isEqualTo("basic (user alertmanager, 1 password)");
    }

    @Test
    void acceptsTheSchemeInAnyCase() {
        String encoded = basic("alertmanager", PASSWORD).substring("Basic ".length());

        assertThat(auth.check(webhook("Authorization", "basic " + encoded)).ok()).isTrue();
        assertThat(auth.check(webhook("Authorization", "BASIC  " + encoded)).ok()).isTrue();
    }

    @Test
    void refusesAWebhookWithoutCredentialsSayingWhatToSend() {
        AuthResult result = auth.check(webhook());

        assertThat(result.code()).isEqualTo("missing_credentials");
        assertThat(result.message()).contains("Authorization: Basic");
        assertThat(result.challenge()).isEqualTo("Basic realm=\"reflex\", charset=\"UTF-8\"");
        assertThat(auth.check(webhook("Authorization", "Bearer " + PASSWORD)).code()).isEqualTo("missing_credentials");
    }

    @Test
    void refusesAWrongPasswordOrUserWithTheSameAnswer() {
        AuthResult wrongPassword = auth.check(webhook("Authorization", basic("alertmanager", "s3cret:with:colons")));
        AuthResult wrongUser = auth.check(webhook("Authorization", basic("admin", PASSWORD)));

        assertThat(wrongPassword.code()).isEqualTo("bad_credentials");
        assertThat(wrongUser).isEqualTo(wrongPassword);
        assertThat(wrongPassword.message()).doesNotContain(PASSWORD).contains("username or password");
    }

    @Test
    void refusesCredentialsThatAreNotBase64OfUserColonPassword() {
        String noColon = Base64.getEncoder().encodeToString("alertmanager".getBytes(StandardCharsets.UTF_8));

        assertThat(auth.check(webhook("Authorization", "Basic !!!not-base64")).code()).isEqualTo("bad_credentials");
        assertThat(auth.check(webhook("Authorization", "Basic " + noColon)).code()).isEqualTo("bad_credentials");
        assertThat(auth.check(webhook("Authorization", "Basic " + noColon)).message()).contains("username:password");
    }

    @Test
    void acceptsEveryConfiguredPasswordForRotation() {
        WebhookAuthenticator rotating = create(AuthConfig.basic("alertmanager", PASSWORD, NEXT));

        assertThat(rotating.check(webhook("Authorization", basic("alertmanager", PASSWORD))).ok()).isTrue();
        assertThat(rotating.check(webhook("Authorization", basic("alertmanager", NEXT))).ok()).isTrue();
        assertThat(rotating.check(webhook("Authorization", basic("alertmanager", "another-password-123"))).ok()).isFalse();
    }

    @Test
    void readsNonAsciiPasswordsAsUtf8() {
        String password = "pässwörd-ünïcode-✓-1234";
        WebhookAuthenticator unicode = create(AuthConfig.basic("alertmanager", password));

        assertThat(unicode.check(webhook("Authorization", basic("alertmanager", password))).ok()).isTrue();
    }
}
