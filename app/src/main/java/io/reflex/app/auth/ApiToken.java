package io.reflex.app.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * One API token with its secret resolved. {@link #toString()} never shows the secret, so a token
 * can be logged or end up in an exception message without leaking it.
 *
 * @param name   who uses it; recorded as the actor of every change made with it
 * @param secret what the caller sends as {@code Authorization: Bearer <secret>}
 */
public record ApiToken(String name, ApiRole role, String secret) {
    public ApiToken {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("an API token needs a name");
        }
        if (role == null) {
            throw new IllegalArgumentException("API token '" + name + "' needs a role");
        }
        if (secret == null || secret.isBlank()) {
            throw new IllegalArgumentException("API token '" + name + "' has an empty secret");
        }
    }

    /**
     * SHA-256 of the secret. Comparing digests with {@link MessageDigest#isEqual} takes the same
     * time whatever the presented token is, including its length.
     */
    byte[] digest() {
        return sha256(secret);
    }

    static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "ApiToken[name=" + name + ", role=" + role.id() + ", secret=****]";
    }
}
