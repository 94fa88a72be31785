package io.reflex.ingest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * Stable identities of alert series when the sender gives none: the same labels always give the
 * same 16 hex digits (the length of Alertmanager's own fingerprints), whatever their order.
 */
public final class Fingerprints {
    private Fingerprints() {
    }

    /** The fingerprint of a label set. */
    public static String ofLabels(Map<String, String> labels) {
        return of("labels", labels);
    }

    /**
     * A fingerprint of {@code scope} and a label set, e.g. a probe name and the probe's labels.
     * Separators keep ({@code "a=b"}) and ({@code "a", "b"}) apart.
     */
    public static String of(String scope, Map<String, String> labels) {
        MessageDigest sha = sha256();
        update(sha, scope);
        sha.update((byte) 0x1d);
        for (Map.Entry<String, String> label : new TreeMap<>(labels).entrySet()) {
            update(sha, label.getKey());
            sha.update((byte) 0x1e);
            update(sha, label.getValue());
            sha.update((byte) 0x1f);
        }
        return HexFormat.of().formatHex(sha.digest(), 0, 8);
    }

    private static void update(MessageDigest sha, String text) {
        sha.update(String.valueOf(text).getBytes(StandardCharsets.UTF_8));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }
}
