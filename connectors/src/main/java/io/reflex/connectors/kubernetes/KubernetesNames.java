package io.reflex.connectors.kubernetes;

import java.util.regex.Pattern;

/**
 * Kubernetes object names as the API server accepts them (DNS-1123), checked before any
 * request: target names come from alert labels, that is from outside, and a name such as
 * {@code x; touch /tmp/pwned}, {@code $(id)} or {@code ../kube-system} must never reach a
 * URL path. The API server would reject most of them too; refusing here keeps the refusal
 * clear and the request log empty.
 */
public final class KubernetesNames {

    /** DNS-1123 label: namespaces, label values we write. */
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    /** DNS-1123 subdomain: deployments, pods, nodes. */
    private static final Pattern SUBDOMAIN = Pattern.compile(
            "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final int SUBDOMAIN_MAX = 253;

    private KubernetesNames() {
    }

    public static boolean isLabel(String value) {
        return value != null && LABEL.matcher(value).matches();
    }

    public static boolean isSubdomain(String value) {
        return value != null && value.length() <= SUBDOMAIN_MAX && SUBDOMAIN.matcher(value).matches();
    }

    public static String whyNotLabel(String what, String value) {
        if (value == null || value.isEmpty()) {
            return what + " is empty";
        }
        return what + " " + quote(value) + " is not a valid Kubernetes name (DNS-1123 label): at most 63 lowercase"
                + " letters, digits and '-', starting and ending with a letter or digit";
    }

    public static String whyNotSubdomain(String what, String value) {
        if (value == null || value.isEmpty()) {
            return what + " is empty";
        }
        return what + " " + quote(value) + " is not a valid Kubernetes name (DNS-1123 subdomain): at most 253"
                + " lowercase letters, digits, '-' and '.', each dot-separated part starting and ending with a letter"
                + " or digit; no spaces, slashes or shell characters";
    }

    /**
     * The value as it may appear in a detail or a log line: quoted, control characters escaped
     * and cut short, since an alert sender may have chosen it.
     */
    public static String quote(String value) {
        if (value == null) {
            return "null";
        }
        final StringBuilder out = new StringBuilder("'");
        final int limit = Math.min(value.length(), 80);
        for (int i = 0; i < limit; i++) {
            final char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\x%02x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (value.length() > limit) {
            out.append("...(").append(value.length()).append(" chars)");
        }
        return out.append('\'').toString();
    }
}
