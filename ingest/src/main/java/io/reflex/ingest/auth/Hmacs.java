package io.reflex.ingest.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HMAC-SHA256 and constant-time comparison, shared by the schemes. */
final class Hmacs {
    static final String ALGORITHM = "HmacSHA256";
    /** Bytes of an HMAC-SHA256; a hex signature is twice as many characters. */
    static final int LENGTH = 32;

    private Hmacs() {
    }

    static SecretKeySpec key(String secret) {
        return new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM);
    }

    /** A fresh random key, for comparing tokens through their HMACs. */
    static SecretKeySpec randomKey() {
        byte[] bytes = new byte[LENGTH];
        new SecureRandom().nextBytes(bytes);
        return new SecretKeySpec(bytes, ALGORITHM);
    }

    static byte[] hmac(SecretKeySpec key, byte[]... parts) {
        Mac mac;
        try {
            // Mac instances are not thread-safe; getting one per call is cheap next to a webhook.
            mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(ALGORITHM + " is not available; every Java runtime must provide it", e);
        }
        for (byte[] part : parts) {
            mac.update(part);
        }
        return mac.doFinal();
    }

    static byte[] sha256(byte[]... parts) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (byte[] part : parts) {
                digest.update(part);
            }
            return digest.digest();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available; every Java runtime must provide it", e);
        }
    }

    /**
     * True when any presented value equals any expected one. Every pair is compared, in constant
     * time, so the time taken tells nothing about which one matched or how much of it.
     */
    static boolean anyEqual(List<byte[]> presented, List<byte[]> expected) {
        boolean match = false;
        for (byte[] p : presented) {
            for (byte[] e : expected) {
                match |= MessageDigest.isEqual(p, e);
            }
        }
        return match;
    }

    /**
     * The signatures of a header such as {@code v1=<hex>,v1=<hex>} or {@code sha256=<hex>}: the
     * comma-separated entries (over every occurrence of the header) that start with the prefix
     * (any case) and carry 64 hex digits, decoded. Other entries are skipped, as the senders'
     * own verifiers do, so a future signature version next to the current one does no harm.
     */
    static List<byte[]> signatures(List<String> headerValues, String prefix) {
        List<byte[]> signatures = new ArrayList<>();
        String lowerPrefix = prefix.toLowerCase(Locale.ROOT);
        for (String value : headerValues) {
            for (String entry : value.split(",")) {
                String trimmed = entry.trim();
                if (!trimmed.toLowerCase(Locale.ROOT).startsWith(lowerPrefix)) {
                    continue;
                }
                String hex = trimmed.substring(prefix.length()).trim();
                if (hex.length() != 2 * LENGTH) {
                    continue;
                }
                try {
                    signatures.add(HexFormat.of().parseHex(hex));
                } catch (IllegalArgumentException notHex) {
                    // skipped like any other entry that is not a signature of this version
                }
            }
        }
        return signatures;
    }
}
