package io.reflex.console;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The web UI's files, from the classpath directory {@code io/reflex/console/web/}: index.html
 * at {@code /}, every other file at {@code /console/<path>}.
 *
 * <p>Served with {@code Cache-Control: no-cache} and a content-hash {@code ETag}: the file
 * names carry no version, so a browser must revalidate (a cheap 304) or, after an upgrade, it
 * would mix old and new ES modules. Files are read once and kept; they live in the jar and do
 * not change while the process runs.
 */
final class StaticFiles {
    static final String ROOT = "io/reflex/console/web/";
    /** Plain relative paths only: no "..", no leading slash, no backslash, no percent tricks. */
    private static final Pattern SAFE_PATH = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9_.-]*(/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*");
    private static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("html", "text/html; charset=utf-8"),
            Map.entry("js", "text/javascript; charset=utf-8"),
            Map.entry("mjs", "text/javascript; charset=utf-8"),
            Map.entry("css", "text/css; charset=utf-8"),
            Map.entry("json", "application/json"),
            Map.entry("map", "application/json"),
            Map.entry("svg", "image/svg+xml"),
            Map.entry("png", "image/png"),
            Map.entry("jpg", "image/jpeg"),
            Map.entry("webp", "image/webp"),
            Map.entry("ico", "image/x-icon"),
            Map.entry("woff2", "font/woff2"),
            Map.entry("txt", "text/plain; charset=utf-8"));

    /* Bytes, not a shared Buffer: every response gets its own Buffer over them. */
    record Asset(String contentType, String etag, byte[] body) {
    }

    private final ClassLoader loader;
    private final Map<String, Asset> cache = new ConcurrentHashMap<>();

    StaticFiles(ClassLoader loader) {
        this.loader = loader;
        if (asset("index.html") == null) {
            throw new IllegalStateException(ROOT + "index.html is missing from the console jar; rebuild the console module");
        }
    }

    void mount(Router router) {
        router.get("/").handler(ctx -> serve(ctx, "index.html"));
        router.get("/console/*").handler(ctx -> {
            String path = ctx.normalizedPath();
            serve(ctx, path.startsWith("/console/") ? path.substring("/console/".length()) : "");
        });
    }

    private void serve(RoutingContext ctx, String path) {
        Asset asset = asset(path);
        if (asset == null) {
            ctx.response().setStatusCode(404).putHeader("content-type", "text/plain; charset=utf-8")
                    .end("no console file '" + path + "'; the console starts at /");
            return;
        }
        ctx.response().putHeader("cache-control", "no-cache").putHeader("etag", asset.etag())
                .putHeader("x-content-type-options", "nosniff");
        if (matches(ctx.request().getHeader("if-none-match"), asset.etag())) {
            ctx.response().setStatusCode(304).end();
            return;
        }
        ctx.response().putHeader("content-type", asset.contentType()).end(Buffer.buffer(asset.body()));
    }

    /** The file at {@code path} under the web directory, or null when there is none (or it is not servable). */
    Asset asset(String path) {
        if (!SAFE_PATH.matcher(path).matches() || path.contains("..")) {
            return null;
        }
        String type = contentType(path);
        if (type == null) {
            return null; // only known kinds of file, which also keeps directories out
        }
        Asset cached = cache.get(path);
        if (cached != null) {
            return cached;
        }
        byte[] bytes;
        try (InputStream in = loader.getResourceAsStream(ROOT + path)) {
            if (in == null) {
                return null;
            }
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + ROOT + path + " from the classpath", e);
        }
        Asset asset = new Asset(type, etag(bytes), bytes);
        cache.put(path, asset);
        return asset;
    }

    static String contentType(String path) {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? null : TYPES.get(path.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) {
            return false;
        }
        return Arrays.stream(ifNoneMatch.split(","))
                .map(String::trim)
                .map(tag -> tag.startsWith("W/") ? tag.substring(2) : tag)
                .anyMatch(tag -> tag.equals("*") || tag.equals(etag));
    }

    private static String etag(byte[] bytes) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(bytes);
            return "\"" + Base64.getUrlEncoder().withoutPadding().encodeToString(hash).substring(0, 22) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
