package io.reflex.ingest.auth;

import io.reflex.ingest.source.Webhook;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.crypto.spec.SecretKeySpec;

/**
 * Reflex's signature scheme for generic senders (Datadog, Zabbix, scripts):
 *
 * <pre>
 * X-Reflex-Timestamp: &lt;unix seconds&gt;
 * X-Reflex-Signature: sha256=&lt;hex(HMAC-SHA256(secret, timestamp + "." + body))&gt;
 * </pre>
 *
 * where {@code body} is the exact bytes sent. With a shell:
 * {@code ts=$(date +%s); sig=$(printf '%s.%s' "$ts" "$body" | openssl dgst -sha256 -hmac "$secret" -r | cut -d' ' -f1)}.
 *
 * <p>Checked in this order, so only a sender holding a secret learns about time or replay:
 * <ol>
 *   <li>both headers present ({@code missing_credentials});</li>
 *   <li>some {@code sha256=} signature matches under some configured secret ({@code bad_credentials});
 *       the header may list several, comma-separated, so a sender can sign with an old and a new
 *       secret while rotating;</li>
 *   <li>the timestamp is within ±tolerance of ingest's clock ({@code stale_signature}), which
 *       bounds how long a captured request stays usable;</li>
 *   <li>the same timestamp and body were not accepted already ({@code replayed_signature}). Accepted
 *       messages are remembered until their timestamp goes stale, in a {@link ReplayCache} of
 *       bounded size. The replay key is the SHA-256 of timestamp and body, not the signature, so
 *       one message signed under two secrets is still one message.</li>
 * </ol>
 * A sender retrying a request must therefore sign it afresh with the current time, unless ingest
 * did not accept it (the route then calls {@link #release}).
 */
final class HmacAuthenticator implements WebhookAuthenticator {
    static final String PREFIX = "sha256=";
    private static final Pattern UNIX_SECONDS = Pattern.compile("\\d{1,12}");

    private final String source;
    private final List<SecretKeySpec> keys;
    private final String header;
    private final String timestampHeader;
    private final Duration tolerance;
    private final Clock clock;
    private final ReplayCache replays;
    private final String challenge;
    private final String howToSign;

    HmacAuthenticator(String source, List<String> secrets, String header, String timestampHeader, Duration tolerance,
                      int replayCapacity, Clock clock) {
        if (secrets.isEmpty()) {
            throw new IllegalArgumentException("at least one secret is needed");
        }
        this.source = source;
        this.keys = secrets.stream().map(Hmacs::key).toList();
        this.header = header;
        this.timestampHeader = timestampHeader;
        this.tolerance = tolerance;
        this.clock = clock;
        this.replays = new ReplayCache(source, replayCapacity);
        this.challenge = "HMAC-SHA256 realm=\"" + REALM + "\", headers=\"" + timestampHeader + " " + header + "\"";
        this.howToSign = "send " + timestampHeader + ": <unix seconds> and " + header + ": " + PREFIX
                + "<hex of HMAC-SHA256(secret, timestamp + \".\" + body)>, computed over the exact body bytes";
    }

    @Override
    public AuthResult check(Webhook webhook) {
        Optional<String> timestamp = webhook.header(timestampHeader);
        List<String> signatureValues = webhook.headerValues(header);
        if (timestamp.isEmpty() || signatureValues.isEmpty()) {
            return AuthResult.failure(AuthResult.MISSING_CREDENTIALS, "Source " + source
                    + " needs signed webhooks: " + howToSign + ".", challenge);
        }
        String ts = timestamp.get().strip();
        if (!UNIX_SECONDS.matcher(ts).matches()) {
            return AuthResult.failure(AuthResult.BAD_CREDENTIALS, timestampHeader
                    + " must be the signing time in unix seconds (digits only); " + howToSign + ".", challenge);
        }
        List<byte[]> presented = Hmacs.signatures(signatureValues, PREFIX);
        if (presented.isEmpty()) {
            return AuthResult.failure(AuthResult.BAD_CREDENTIALS, header + " holds no " + PREFIX
                    + "<64 hex digits> signature; " + howToSign + ".", challenge);
        }
        byte[] prefix = (ts + ".").getBytes(StandardCharsets.US_ASCII);
        List<byte[]> expected = keys.stream().map(key -> Hmacs.hmac(key, prefix, webhook.body())).toList();
        if (!Hmacs.anyEqual(presented, expected)) {
            return AuthResult.failure(AuthResult.BAD_CREDENTIALS, "The signature does not match for source " + source
                    + ". Sign with a secret configured for it in ingest: " + howToSign
                    + ", and make sure nothing rewrites the body on the way.", challenge);
        }
        long signedAtMs = Long.parseLong(ts) * 1000;
        long nowMs = clock.millis();
        long skewMs = nowMs - signedAtMs;
        if (Math.abs(skewMs) > tolerance.toMillis()) {
            return AuthResult.failure(AuthResult.STALE_SIGNATURE, timestampHeader + " is " + Math.abs(skewMs) / 1000
                    + " s " + (skewMs > 0 ? "behind" : "ahead of") + " ingest's clock; at most "
                    + tolerance.toSeconds() + " s is accepted. Sign every request, and every retry, with the "
                    + "current time, and keep the sender's clock synchronised (NTP).", challenge);
        }
        if (!replays.add(replayKey(prefix, webhook.body()), signedAtMs + tolerance.toMillis(), nowMs)) {
            return AuthResult.failure(AuthResult.REPLAYED_SIGNATURE, "This signed request (same " + timestampHeader
                    + " and body) was already accepted. To send it again, sign it afresh with the current time; "
                    + "a repeat of an accepted request is refused for " + tolerance.toSeconds() + " s.", challenge);
        }
        return AuthResult.success();
    }

    @Override
    public void release(Webhook webhook) {
        webhook.header(timestampHeader).map(String::strip).filter(ts -> UNIX_SECONDS.matcher(ts).matches())
                .ifPresent(ts -> replays.remove(replayKey((ts + ".").getBytes(StandardCharsets.US_ASCII),
                        webhook.body())));
    }

    private static String replayKey(byte[] prefix, byte[] body) {
        return HexFormat.of().formatHex(Hmacs.sha256(prefix, body));
    }

    /** Remembered signed messages, for tests. */
    int remembered() {
        return replays.size(clock.millis());
    }

    @Override
    public String describe() {
        return "hmac (" + keys.size() + (keys.size() == 1 ? " secret, " : " secrets, ") + header + " over "
                + timestampHeader + ".body, tolerance " + tolerance.toSeconds() + " s)";
    }
}
