package io.reflex.ingest.auth;

import static io.reflex.ingest.auth.Requests.webhook;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BearerAuthTest {
    private static final String TOKEN = "grafana-token-8c1f2e7a9b3d4c5e";
    private static final String NEXT = "grafana-token-next-0a1b2c3d4e5f";

    private final WebhookAuthenticator auth = WebhookAuthenticator.create("grafana", AuthConfig.bearer(TOKEN),
            Requests.NO_SECRETS, Clock.systemUTC());

    @Test
    void acceptsTheConfiguredToken() {
        assertThat(auth.check(webhook("Authorization", "Bearer " + TOKEN)).ok()).isTrue();
        assertThat(auth.open()).isFalse();
        assertThat(auth.describe()).isEqualTo("bearer (1 token)");
    }

    @Test
    void acceptsTheSchemeInAnyCaseAndExtraSpaces() {
        assertThat(auth.check(webhook("Authorization", "bearer " + TOKEN)).ok()).isTrue();
        assertThat(auth.check(webhook("Authorization", "BEARER   " + TOKEN + "  ")).ok()).isTrue();
        assertThat(auth.check(webhook("Authorization", "Bearer\t" + TOKEN)).ok()).isTrue();
        assertThat(auth.check(webhook("authorization", "Bearer " + TOKEN)).ok()).as("header name in lower case").isTrue();
    }

    @Test
    void refusesAWebhookWithoutAuthorizationSayingWhatToSend() {
        AuthResult result = auth.check(webhook());

        assertThat(result.ok()).isFalse();
        assertThat(result.code()).isEqualTo("missing_credentials");
        assertThat(result.message()).contains("Authorization: Bearer <token>").contains("grafana");
        assertThat(result.challenge()).isEqualTo("Bearer realm=\"reflex\"");
        assertThat(result.toApiError().error()).isEqualTo("missing_credentials");
    }

    @Test
    void takesAnotherSchemeOrAnEmptyTokenAsMissing() {
        assertThat(auth.check(webhook("Authorization", Requests.basic("admin", TOKEN))).code())
                .isEqualTo("missing_credentials");
        assertThat(auth.check(webhook("Authorization", "Bearer")).code()).isEqualTo("missing_credentials");
        assertThat(auth.check(webhook("Authorization", "Bearer    ")).code()).isEqualTo("missing_credentials");
        assertThat(auth.check(webhook("Authorization", "Bearer" + TOKEN)).code())
                .as("no space after the scheme").isEqualTo("missing_credentials");
    }

    @Test
    void refusesAWrongTokenWithoutRevealingTheRightOne() {
        for (String wrong : new String[]{"nope", TOKEN.substring(0, TOKEN.length() - 1), TOKEN + "x",
                TOKEN.toUpperCase(), TOKEN + " " + TOKEN}) {
            AuthResult result = auth.check(webhook("Authorization", "Bearer " + wrong));

            assertThat(result.code()).as(wrong).isEqualTo("bad_credentials");
            assertThat(result.message()).doesNotContain(TOKEN).doesNotContain(wrong);
        }
    }

    @Test
    void acceptsEveryConfiguredTokenSoTokensRotateWithoutDowntime() {
        WebhookAuthenticator rotating = WebhookAuthenticator.create("grafana", AuthConfig.bearer(TOKEN, NEXT),
                Requests.NO_SECRETS, Clock.systemUTC());

        assertThat(rotating.check(webhook("Authorization", "Bearer " + TOKEN)).ok()).isTrue();
        assertThat(rotating.check(webhook("Authorization", "Bearer " + NEXT)).ok()).isTrue();
        assertThat(rotating.check(webhook("Authorization", "Bearer other-token-0000000000")).code())
                .isEqualTo("bad_credentials");
        assertThat(rotating.describe()).isEqualTo("bearer (2 tokens)");
    }

    @Test
    void readsTheTokenFromTheEnvironment() {
        AuthConfig config = new AuthConfig("bearer", null, null, java.util.List.of("GRAFANA_TOKEN"), null, null, null,
                null, null, null, null, null, null, null, null, null, null, null);
        WebhookAuthenticator fromEnv = WebhookAuthenticator.create("grafana", config,
                Requests.env(Map.of("GRAFANA_TOKEN", TOKEN + "\n")), Clock.systemUTC());

        assertThat(fromEnv.check(webhook("Authorization", "Bearer " + TOKEN)).ok()).isTrue();
    }
}
