package io.reflex.ingest.auth;

import static io.reflex.ingest.auth.Requests.BODY;
import static io.reflex.ingest.auth.Requests.reflexSignature;
import static io.reflex.ingest.auth.Requests.signed;
import static io.reflex.ingest.auth.Requests.webhook;
import static org.assertj.core.api.Assertions.assertThat;

import io.reflex.ingest.source.Webhook;
import io.reflex.testkit.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class HmacSignatureTest {
    private static final String SECRET = "reflex-test-secret-0123456789";
    private static final String NEXT = "reflex-next-secret-9876543210";
    private static final long NOW = 1_767_225_600L; // 2026-01-01T00:00:00Z

    private final MutableClock clock = new MutableClock(Instant.ofEpochSecond(NOW));
    private final HmacAuthenticator auth = create(AuthConfig.hmac(SECRET));

    private HmacAuthenticator create(AuthConfig config) {
        return (HmacAuthenticator) WebhookAuthenticator.create("zabbix", config, Requests.NO_SECRETS, clock);
    }

    @Test
    void acceptsTheDocumentedSignatureComputedByAnotherImplementation() {
        // Computed with Python's hmac module and with the openssl recipe of HmacAuthenticator's Javadoc.
        Webhook webhook = webhook("X-Reflex-Timestamp", "1767225600", "X-Reflex-Signature",
                "sha256=5099f55129202560799b822fe81814de5e846c004163dd5f55f0efd3d4993d2b");

        assertThat(auth.check(webhook).ok()).isTrue();
        assertThat(auth.describe()).isEqualTo("hmac (1 secret, X-Reflex-Signature over X-Reflex-Timestamp.body, tolerance 300 s)");
    }

    @Test
    void acceptsUpperCaseHexAndHeaderNamesInAnyCase() {
        String signature = reflexSignature(SECRET, NOW, BODY);

        assertThat(auth.check(webhook("x-reflex-timestamp", Long.toString(NOW), "x-reflex-signature",
                "SHA256=" + signature.substring(7).toUpperCase())).ok()).isTrue();
    }

    @Test
    void refusesAWebhookWithoutTheHeadersSayingHowToSign() {
        AuthResult none = auth.check(webhook());
        AuthResult noTimestamp = auth.check(webhook("X-Reflex-Signature", reflexSignature(SECRET, NOW, BODY)));
        AuthResult noSignature = auth.check(webhook("X-Reflex-Timestamp", Long.toString(NOW)));

        assertThat(List.of(none, noTimestamp, noSignature)).extracting(AuthResult::code)
                .containsOnly("missing_credentials");
        assertThat(none.message()).contains("X-Reflex-Timestamp: <unix seconds>")
                .contains("X-Reflex-Signature: sha256=<hex of HMAC-SHA256(secret, timestamp + \".\" + body)>");
        assertThat(none.challenge()).isEqualTo("HMAC-SHA256 realm=\"reflex\", headers=\"X-Reflex-Timestamp X-Reflex-Signature\"");
    }

    @Test
    void refusesASignatureMadeWithAnotherSecret() {
        AuthResult result = auth.check(signed("some-other-secret-000000", NOW, BODY));

        assertThat(result.code()).isEqualTo("bad_credentials");
        assertThat(result.message()).doesNotContain(SECRET);
    }

    @Test
    void refusesATamperedBody() {
        String signature = reflexSignature(SECRET, NOW, BODY);
        byte[] tampered = "{\"alerts\":[{\"name\":\"DiskFine\"}]}".getBytes(StandardCharsets.UTF_8);

        AuthResult result = auth.check(webhook(tampered, "X-Reflex-Timestamp", Long.toString(NOW),
                "X-Reflex-Signature", signature));

        assertThat(result.code()).isEqualTo("bad_credentials");
    }

    @Test
    void refusesATimestampChangedAfterSigning() {
        String signature = reflexSignature(SECRET, NOW, BODY);

        AuthResult result = auth.check(webhook("X-Reflex-Timestamp", Long.toString(NOW + 1),
                "X-Reflex-Signature", signature));

        assertThat(result.code()).isEqualTo("bad_credentials");
    }

    @Test
    void refusesMalformedTimestampsAndSignatures() {
        String signature = reflexSignature(SECRET, NOW, BODY);

        assertThat(auth.check(webhook("X-Reflex-Timestamp", "2026-01-01T00:00:00Z", "X-Reflex-Signature", signature))
                .message()).contains("unix seconds");
        assertThat(auth.check(webhook("X-Reflex-Timestamp", "-5", "X-Reflex-Signature", signature)).code())
                .isEqualTo("bad_credentials");
        assertThat(auth.check(webhook("X-Reflex-Timestamp", Long.toString(NOW), "X-Reflex-Signature",
                signature.substring(7))).message()).as("without the sha256= prefix").contains("holds no sha256=");
        assertThat(auth.check(webhook("X-Reflex-Timestamp", Long.toString(NOW), "X-Reflex-Signature",
                signature.substring(0, 70))).code()).as("truncated").isEqualTo("bad_credentials");
        assertThat(auth.check(webhook("X-Reflex-Timestamp", Long.toString(NOW), "X-Reflex-Signature",
                "sha256=" + "zz".repeat(32))).code()).as("not hex").isEqualTo("bad_credentials");
    }

    @Test
    void refusesATimestampOlderThanTheToleranceAsStale() {
        Webhook old = signed(SECRET, NOW - 301, BODY);
        Webhook edge = signed(SECRET, NOW - 300, BODY);

        AuthResult result = auth.check(old);

        assertThat(result.code()).isEqualTo("stale_signature");
        assertThat(result.message()).contains("301 s behind").contains("at most 300 s").contains("NTP");
        assertThat(auth.check(edge).ok()).as("exactly at the tolerance").isTrue();
    }

    @Test
    void refusesATimestampFurtherInTheFutureThanTheTolerance() {
        AuthResult result = auth.check(signed(SECRET, NOW + 301, BODY));

        assertThat(result.code()).isEqualTo("stale_signature");
        assertThat(result.message()).contains("301 s ahead of");
        assertThat(auth.check(signed(SECRET, NOW + 300, BODY)).ok()).isTrue();
    }

    @Test
    void takesTheToleranceFromTheConfig() {
        HmacAuthenticator strict = create(AuthConfig.hmac(SECRET).withTolerance(Duration.ofSeconds(30)));

        assertThat(strict.check(signed(SECRET, NOW - 31, BODY)).code()).isEqualTo("stale_signature");
        assertThat(strict.check(signed(SECRET, NOW - 30, BODY)).ok()).isTrue();
    }

    @Test
    void refusesTheSameSignedRequestTwice() {
        Webhook webhook = signed(SECRET, NOW, BODY);

        assertThat(auth.check(webhook).ok()).isTrue();
        clock.advance(Duration.ofSeconds(10));
        AuthResult replay = auth.check(webhook);

        assertThat(replay.code()).isEqualTo("replayed_signature");
        assertThat(replay.message()).contains("sign it afresh with the current time");
        assertThat(auth.check(signed(SECRET, NOW + 10, BODY)).ok()).as("the same body signed anew").isTrue();
    }

    @Test
    void refusesAReplayEvenWhenSignedWithTheOtherRotationSecret() {
        HmacAuthenticator rotating = create(AuthConfig.hmac(SECRET, NEXT));

        assertThat(rotating.check(signed(SECRET, NOW, BODY)).ok()).isTrue();
        assertThat(rotating.check(signed(NEXT, NOW, BODY)).code()).isEqualTo("replayed_signature");
    }

    @Test
    void forgetsAcceptedSignaturesOnceTheyWouldBeStaleAnyway() {
        Webhook webhook = signed(SECRET, NOW, BODY);
        assertThat(auth.check(webhook).ok()).isTrue();
        assertThat(auth.remembered()).isEqualTo(1);

        clock.advance(Duration.ofSeconds(301));

        assertThat(auth.check(webhook).code()).as("too old now, whether replayed or not").isEqualTo("stale_signature");
        assertThat(auth.remembered()).isZero();
    }

    @Test
    void acceptsTheSameRequestAgainAfterItWasReleased() {
        Webhook webhook = signed(SECRET, NOW, BODY);
        assertThat(auth.check(webhook).ok()).isTrue();

        auth.release(webhook); // e.g. Kafka was down and the route answered 503

        assertThat(auth.remembered()).isZero();
        assertThat(auth.check(webhook).ok()).as("the sender's unchanged retry").isTrue();
        assertThat(auth.check(webhook).code()).isEqualTo("replayed_signature");
    }

    @Test
    void remembersAtMostTheReplayCapacity() {
        HmacAuthenticator small = create(AuthConfig.hmac(SECRET).withReplayCapacity(2));

        for (int age = 4; age >= 0; age--) {
            assertThat(small.check(signed(SECRET, NOW - age, BODY)).ok()).isTrue();
        }

        assertThat(small.remembered()).isEqualTo(2);
        // The newest are still refused; the oldest, closest to going stale, were forgotten first.
        assertThat(small.check(signed(SECRET, NOW, BODY)).code()).isEqualTo("replayed_signature");
        assertThat(small.check(signed(SECRET, NOW - 1, BODY)).code()).isEqualTo("replayed_signature");
        assertThat(small.check(signed(SECRET, NOW - 4, BODY)).ok()).isTrue();
    }

    @Test
    void acceptsEitherSecretWhileRotating() {
        HmacAuthenticator rotating = create(AuthConfig.hmac(SECRET, NEXT));

        assertThat(rotating.check(signed(SECRET, NOW, BODY)).ok()).isTrue();
        assertThat(rotating.check(signed(NEXT, NOW + 1, BODY)).ok()).isTrue();
        assertThat(rotating.check(signed("retired-secret-0000000000", NOW + 2, BODY)).code()).isEqualTo("bad_credentials");
        assertThat(rotating.describe()).startsWith("hmac (2 secrets");
    }

    @Test
    void acceptsASenderThatSignsWithItsOldAndNewSecret() {
        String both = reflexSignature("retired-secret-0000000000", NOW, BODY) + ", " + reflexSignature(SECRET, NOW, BODY);

        assertThat(auth.check(webhook("X-Reflex-Timestamp", Long.toString(NOW), "X-Reflex-Signature", both)).ok())
                .isTrue();
    }

    @Test
    void usesTheConfiguredHeaders() throws Exception {
        AuthConfig config = new com.fasterxml.jackson.databind.ObjectMapper(
                new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readValue("""
                type: hmac
                secret: reflex-test-secret-0123456789
                header: X-Signature
                timestampHeader: X-Signature-Time
                """, AuthConfig.class);
        HmacAuthenticator custom = create(config);
        String signature = reflexSignature(SECRET, NOW, BODY);

        assertThat(custom.check(webhook("X-Signature-Time", Long.toString(NOW), "X-Signature", signature)).ok()).isTrue();
        assertThat(custom.check(signed(SECRET, NOW + 1, BODY)).message()).contains("X-Signature-Time");
    }

    @Test
    void signsTheExactBytesIncludingAnEmptyBody() {
        byte[] empty = new byte[0];

        assertThat(auth.check(signed(SECRET, NOW, empty)).ok()).isTrue();
        assertThat(auth.check(webhook(" ".getBytes(StandardCharsets.UTF_8), "X-Reflex-Timestamp", Long.toString(NOW),
                "X-Reflex-Signature", reflexSignature(SECRET, NOW, empty))).code()).isEqualTo("bad_credentials");
    }
}
