package io.reflex.ingest.auth;

import io.reflex.ingest.source.Webhook;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Webhooks as senders build them, signed here with the JDK directly rather than with the code under test. */
final class Requests {
    static final byte[] BODY = "{\"alerts\":[{\"name\":\"DiskFull\"}]}".getBytes(StandardCharsets.UTF_8);

    /** No environment and no files: for configs that give their credentials literally. */
    static final SecretSources NO_SECRETS = env(Map.of());

    private Requests() {
    }

    /** This environment, and no files, so a test never reads the disk. */
    static SecretSources env(Map<String, String> variables) {
        return new SecretSources(variables::get, path -> {
            throw new java.nio.file.NoSuchFileException(path);
        });
    }

    /** A webhook with these headers, given as name, value, name, value, … */
    static Webhook webhook(byte[] body, String... headerPairs) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put("Content-Type", List.of("application/json"));
        for (int i = 0; i < headerPairs.length; i += 2) {
            headers.put(headerPairs[i], List.of(headerPairs[i + 1]));
        }
        return new Webhook("test", headers, body, Map.of());
    }

    static Webhook webhook(String... headerPairs) {
        return webhook(BODY, headerPairs);
    }

    static String basic(String username, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    static String hmacHex(String secret, byte[]... parts) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            for (byte[] part : parts) {
                mac.update(part);
            }
            return HexFormat.of().formatHex(mac.doFinal());
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reflex's scheme: sha256=hex(HMAC(secret, timestamp + "." + body)). */
    static String reflexSignature(String secret, long timestamp, byte[] body) {
        return "sha256=" + hmacHex(secret, (timestamp + ".").getBytes(StandardCharsets.US_ASCII), body);
    }

    /** A webhook signed the Reflex way, with the default headers. */
    static Webhook signed(String secret, long timestamp, byte[] body) {
        return webhook(body, "X-Reflex-Timestamp", Long.toString(timestamp), "X-Reflex-Signature",
                reflexSignature(secret, timestamp, body));
    }
}
