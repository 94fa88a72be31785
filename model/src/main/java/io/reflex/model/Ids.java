package io.reflex.model;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Deterministic identifiers. The same inputs always give the same id, so a webhook
 * delivered twice, or a decision replayed after a crash, carries the id it had the first
 * time, and downstream stages can drop the repeat.
 */
public final class Ids {
    private Ids() {
    }

    /** {@code prefix-} followed by 16 hex digits of SHA-256 over the parts. */
    public static String stable(String prefix, Object... parts) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (Object part : parts) {
                sha.update(String.valueOf(part).getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0x1f); // unit separator: ("ab","c") and ("a","bc") differ
            }
            return prefix + "-" + HexFormat.of().formatHex(sha.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }
}
