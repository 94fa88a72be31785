package io.reflex.ingest.auth;

import static io.reflex.ingest.auth.Requests.hmacHex;
import static io.reflex.ingest.auth.Requests.webhook;
import static org.assertj.core.api.Assertions.assertThat;

import io.reflex.ingest.source.Webhook;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import org.junit.jupiter.api.Test;

class PagerDutySignatureTest {
    /*
     * PagerDuty's docs ("Verifying Signatures") show signatures without the secret and body behind
     * them; PagerDuty's own Go client (go-pagerduty, webhookv3/webhookv3_test.go) publishes a
     * complete example: this secret, this v3 delivery, and the signature below. Checked with
     * Python's hmac module too.
     */
    private static final String SECRET = "lDQHScfUeXUKaQRNF+8XIiDKZ7XX3itBAYzwU0TARw8lJqRnkKl2iB1anSb0Z+IK";
    private static final byte[] DELIVERY = """
            {"event":{"id":"01BWDWL3NYY7LUFPZCC28QUCMK","event_type":"incident.priority_updated","resource_type":"incident","occurred_at":"2021-04-26T17:36:27.458Z","agent":{"html_url":"https://acme.pagerduty.com/users/PLH1HKV","id":"PLH1HKV","self":"https://api.pagerduty.com/users/PLH1HKV","summary":"Tenex Engineer","type":"user_reference"},"client":null,"data":{"id":"PGR0VU2","type":"incident","self":"https://api.pagerduty.com/incidents/PGR0VU2","html_url":"https://acme.pagerduty.com/incidents/PGR0VU2","number":2,"status":"triggered","title":"A little bump in the road","service":{"html_url":"https://acme.pagerduty.com/services/PF9KMXH","id":"PF9KMXH","self":"https://api.pagerduty.com/services/PF9KMXH","summary":"API Service","type":"service_reference"},"assignees":[{"html_url":"https://acme.pagerduty.com/users/PTUXL6G","id":"PTUXL6G","self":"https://api.pagerduty.com/users/PTUXL6G","summary":"User 123","type":"user_reference"}],"escalation_policy":{"html_url":"https://acme.pagerduty.com/escalation_policies/PUS0KTE","id":"PUS0KTE","self":"https://api.pagerduty.com/escalation_policies/PUS0KTE","summary":"Default","type":"escalation_policy_reference"},"teams":[{"html_url":"https://acme.pagerduty.com/teams/PFCVPS0","id":"PFCVPS0","self":"https://api.pagerduty.com/teams/PFCVPS0","summary":"Engineering","type":"team_reference"}],"priority":{"html_url":"https://acme.pagerduty.com/account/incident_priorities","id":"PSO75BM","self":"https://api.pagerduty.com/priorities/PSO75BM","summary":"P1","type":"priority_reference"},"urgency":"high","conference_bridge":{"conference_number":1000,"conference_url":"https://example.com"},"resolve_reason":null}}}""".getBytes(StandardCharsets.UTF_8);
    private static final String SIGNATURE = "v1=0c0b9495b893a39e70d1fea2fe11fbe0a825f88b9f67846f6cc07dd2bc5476cd";
    /** The "mismatch" case of the same test: a well-formed v1 signature that is not this body's. */
    private static final String OTHER = "v1=7020c8a7ec668a9b7012bc3dd82e483394b038f4230acc6785efbf2a7d8bcaf5";

    private final WebhookAuthenticator auth = create(AuthConfig.pagerDuty(SECRET));

    private static WebhookAuthenticator create(AuthConfig config) {
        return WebhookAuthenticator.create("pagerduty", config, Requests.NO_SECRETS, Clock.systemUTC());
    }

    private static Webhook delivery(String signatureHeader) {
        return webhook(DELIVERY, "X-PagerDuty-Signature", signatureHeader);
    }

    @Test
    void acceptsPagerDutysPublishedExample() {
        assertThat(auth.check(delivery(SIGNATURE)).ok()).isTrue();
        assertThat(auth.check(webhook(DELIVERY, "x-pagerduty-signature", SIGNATURE)).ok()).isTrue();
        assertThat(auth.describe()).isEqualTo("pagerduty (1 secret)");
    }

    @Test
    void refusesTheOtherSignatureOfPagerDutysExample() {
        AuthResult result = auth.check(delivery(OTHER));

        assertThat(result.code()).isEqualTo("bad_credentials");
        assertThat(result.message()).contains("X-PagerDuty-Signature").doesNotContain(SECRET);
    }

    @Test
    void acceptsWhenOneOfSeveralSignaturesMatchesAsDuringPagerDutysRotation() {
        assertThat(auth.check(delivery(OTHER + "," + SIGNATURE)).ok()).isTrue();
        assertThat(auth.check(delivery(SIGNATURE + "," + OTHER)).ok()).isTrue();
        assertThat(auth.check(delivery(OTHER + ", " + SIGNATURE)).ok()).as("space after the comma").isTrue();
    }

    @Test
    void refusesWhenNoneOfSeveralSignaturesMatches() {
        String another = "v1=" + hmacHex("another-webhook-secret-0000", DELIVERY);

        assertThat(auth.check(delivery(OTHER + "," + another)).code()).isEqualTo("bad_credentials");
    }

    @Test
    void refusesATamperedBody() {
        byte[] tampered = new String(DELIVERY, StandardCharsets.UTF_8).replace("\"status\":\"triggered\"",
                "\"status\":\"resolved\"").getBytes(StandardCharsets.UTF_8);

        assertThat(auth.check(webhook(tampered, "X-PagerDuty-Signature", SIGNATURE)).code()).isEqualTo("bad_credentials");
    }

    @Test
    void refusesADeliveryWithoutTheHeaderSayingWhereItComesFrom() {
        AuthResult result = auth.check(webhook(DELIVERY));

        assertThat(result.code()).isEqualTo("missing_credentials");
        assertThat(result.message()).contains("X-PagerDuty-Signature").contains("v3");
        assertThat(result.challenge()).contains("X-PagerDuty-Signature");
    }

    @Test
    void ignoresSignaturesOfOtherVersions() {
        String hex = SIGNATURE.substring(3);

        assertThat(auth.check(delivery("v2=" + hex)).code()).isEqualTo("bad_credentials");
        assertThat(auth.check(delivery("v2=" + hex)).message()).contains("no v1=");
        assertThat(auth.check(delivery("v2=" + hex + "," + SIGNATURE)).ok()).isTrue();
        assertThat(auth.check(delivery(hex)).code()).as("without the v1= prefix").isEqualTo("bad_credentials");
    }

    @Test
    void acceptsEveryConfiguredSecretForRotationOnOurSide() {
        String next = "a-newer-pagerduty-secret-0123456789";
        WebhookAuthenticator rotating = create(AuthConfig.pagerDuty(next, SECRET));
        byte[] body = "{\"event\":{\"id\":\"x\"}}".getBytes(StandardCharsets.UTF_8);

        assertThat(rotating.check(delivery(SIGNATURE)).ok()).isTrue();
        assertThat(rotating.check(webhook(body, "X-PagerDuty-Signature", "v1=" + hmacHex(next, body))).ok()).isTrue();
        assertThat(rotating.describe()).isEqualTo("pagerduty (2 secrets)");
    }
}
