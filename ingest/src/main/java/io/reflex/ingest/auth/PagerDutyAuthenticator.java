package io.reflex.ingest.auth;

import io.reflex.ingest.source.Webhook;
import java.util.List;
import javax.crypto.spec.SecretKeySpec;

/**
 * PagerDuty v3 webhook signatures, as PagerDuty documents them ("Verifying Signatures",
 * developer.pagerduty.com): {@code X-PagerDuty-Signature: v1=<hex>[,v1=<hex>…]}, each
 * {@code hex(HMAC-SHA256(webhook secret, raw body))}, one per active secret of the subscription,
 * so several appear while PagerDuty rotates the secret. The webhook is genuine when any
 * {@code v1} signature matches under any configured secret; entries of other versions are
 * skipped, as PagerDuty's own verifier does.
 *
 * <p>No replay protection here: PagerDuty's scheme signs no timestamp, so a captured delivery
 * stays valid. What makes a replay harmless is downstream: the PagerDuty adapter derives the
 * alert id from the event id, and an alert repeated with the same id is deduplicated, so a
 * replay cannot open a second incident or change its state. Keep the endpoint on TLS so
 * deliveries cannot be captured in the first place.
 */
final class PagerDutyAuthenticator implements WebhookAuthenticator {
    static final String HEADER = "X-PagerDuty-Signature";
    static final String PREFIX = "v1=";
    static final String CHALLENGE = "HMAC-SHA256 realm=\"" + REALM + "\", headers=\"" + HEADER + "\"";

    private final String source;
    private final List<SecretKeySpec> keys;

    PagerDutyAuthenticator(String source, List<String> secrets) {
        if (secrets.isEmpty()) {
            throw new IllegalArgumentException("at least one secret is needed");
        }
        this.source = source;
        this.keys = secrets.stream().map(Hmacs::key).toList();
    }

    @Override
    public AuthResult check(Webhook webhook) {
        List<String> values = webhook.headerValues(HEADER);
        if (values.isEmpty()) {
            return AuthResult.failure(AuthResult.MISSING_CREDENTIALS, "Source " + source + " needs PagerDuty's "
                    + HEADER + " header, which PagerDuty adds to v3 webhooks. Point a v3 webhook subscription "
                    + "(Integrations > Generic Webhooks (v3)) at this URL.", CHALLENGE);
        }
        List<byte[]> presented = Hmacs.signatures(values, PREFIX);
        if (presented.isEmpty()) {
            return AuthResult.failure(AuthResult.BAD_CREDENTIALS, HEADER + " holds no v1=<64 hex digits> signature; "
                    + "source " + source + " accepts PagerDuty v3 webhook signatures only.", CHALLENGE);
        }
        List<byte[]> expected = keys.stream().map(key -> Hmacs.hmac(key, webhook.body())).toList();
        if (!Hmacs.anyEqual(presented, expected)) {
            return AuthResult.failure(AuthResult.BAD_CREDENTIALS, "No v1 signature in " + HEADER
                    + " matches the body under a secret of source " + source + ". Configure the secret PagerDuty "
                    + "showed when the webhook subscription was created, and make sure nothing rewrites the body "
                    + "on the way.", CHALLENGE);
        }
        return AuthResult.success();
    }

    @Override
    public String describe() {
        return "pagerduty (" + keys.size() + (keys.size() == 1 ? " secret)" : " secrets)");
    }
}
