package io.reflex.app.auth;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Which {@link Permission} a call to {@code /api} needs, by method and path. Every read needs
 * {@code view}; so do the calls that only compute (validate, test, replay, explain). A change the
 * table does not name needs {@code admin}: a new endpoint stays closed until it is classified here.
 */
public final class PermissionTable {
    /** One row: a method, a path with {@code {param}} segments, the permission it needs. */
    public record Entry(String method, String path, Permission permission) {
        boolean matches(String requestMethod, String requestPath) {
            return method.equals(requestMethod) && regex(path).matcher(requestPath).matches();
        }

        private static Pattern regex(String path) {
            StringBuilder regex = new StringBuilder();
            for (String segment : path.substring(1).split("/")) {
                regex.append('/').append(segment.startsWith("{") ? "[^/]+" : Pattern.quote(segment));
            }
            return Pattern.compile(regex.toString());
        }
    }

    /** The changes and computations of the contract; every GET needs {@code view} and is not listed. */
    public static final List<Entry> ENTRIES = List.of(
            new Entry("POST", "/api/rules/validate", Permission.VIEW),
            new Entry("POST", "/api/rules/test", Permission.VIEW),
            new Entry("POST", "/api/rules/replay", Permission.VIEW),
            new Entry("POST", "/api/rules/explain", Permission.VIEW),
            new Entry("POST", "/api/rules", Permission.DEPLOY),
            new Entry("POST", "/api/rules/rollback/{version}", Permission.DEPLOY),
            new Entry("POST", "/api/rules/shadow/promote", Permission.DEPLOY),
            new Entry("DELETE", "/api/rules/shadow", Permission.DEPLOY),
            new Entry("POST", "/api/actions/{id}/approve", Permission.APPROVE),
            new Entry("POST", "/api/actions/{id}/reject", Permission.APPROVE),
            new Entry("POST", "/api/pause", Permission.PAUSE),
            new Entry("POST", "/api/resume", Permission.PAUSE),
            new Entry("POST", "/api/guardrails/release/{target}", Permission.PAUSE),
            new Entry("POST", "/api/silences", Permission.SILENCE),
            new Entry("DELETE", "/api/silences/{id}", Permission.SILENCE),
            new Entry("POST", "/api/drills", Permission.DRILL));

    private PermissionTable() {
    }

    /**
     * @param method the HTTP method, any case
     * @param path   the request path without the query (as {@link #canonical} makes it)
     */
    public static Permission required(String method, String path) {
        String m = method.toUpperCase(Locale.ROOT);
        if (m.equals("GET") || m.equals("HEAD")) {
            return Permission.VIEW;
        }
        String p = canonical(path);
        for (Entry entry : ENTRIES) {
            if (entry.matches(m, p)) {
                return entry.permission();
            }
        }
        return Permission.ADMIN;
    }

    /**
     * The path as the table and the {@code /api} check compare it: lower case, repeated slashes
     * and a trailing slash dropped. The router may be more lenient than an exact match (a
     * trailing slash, {@code //}); this makes such spellings fall under the same rule, never
     * under none.
     */
    public static String canonical(String path) {
        String p = path == null || path.isEmpty() ? "/" : path.toLowerCase(Locale.ROOT).replaceAll("/{2,}", "/");
        return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

    /** Whether the path is under {@code /api} and so needs a token. */
    public static boolean isApi(String path) {
        String p = canonical(path);
        return p.equals("/api") || p.startsWith("/api/");
    }
}
