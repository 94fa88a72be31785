package io.reflex.ingest.auth;

import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.crypto.spec.SecretKeySpec;

/**
 * Tells whether a presented token is one of the accepted ones without its length or content
 * showing in the time taken: both sides are compared as HMACs under a key drawn at start-up, so
 * every comparison is of 32 bytes, and every accepted token is compared.
 */
final class CredentialMatcher {
    private final SecretKeySpec key = Hmacs.randomKey();
    private final List<byte[]> accepted;

    CredentialMatcher(List<String> accepted) {
        if (accepted.isEmpty()) {
            throw new IllegalArgumentException("at least one accepted credential is needed");
        }
        this.accepted = accepted.stream().map(this::digest).toList();
    }

    boolean matches(String presented) {
        return Hmacs.anyEqual(List.of(digest(presented)), accepted);
    }

    int size() {
        return accepted.size();
    }

    private byte[] digest(String value) {
        return Hmacs.hmac(key, value.getBytes(StandardCharsets.UTF_8));
    }
}
