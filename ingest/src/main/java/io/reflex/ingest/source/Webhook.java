package io.reflex.ingest.source;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One incoming webhook, as authenticators and adapters see it: the raw body (signatures are
 * computed over these exact bytes), the headers, and the path parameters.
 *
 * @param source     the source it was posted to ({@code alertmanager}, {@code grafana}, … or the
 *                   {@code {source}} of {@code /hooks/generic/{source}})
 * @param headers    header name (any case) to its values
 * @param pathParams e.g. {@code source} for the generic hook
 */
public record Webhook(String source, Map<String, List<String>> headers, byte[] body, Map<String, String> pathParams) {

    public Webhook {
        TreeMap<String, List<String>> caseless = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.forEach((name, values) -> caseless.merge(name, List.copyOf(values), (a, b) -> {
            List<String> all = new java.util.ArrayList<>(a);
            all.addAll(b);
            return List.copyOf(all);
        }));
        headers = java.util.Collections.unmodifiableMap(caseless);
        body = body == null ? new byte[0] : body;
        pathParams = pathParams == null ? Map.of() : Map.copyOf(pathParams);
    }

    /** The first value of a header, whatever the case of its name. */
    public Optional<String> header(String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    public List<String> headerValues(String name) {
        return headers.getOrDefault(name, List.of());
    }

    /** The media type of the body without parameters, lower case ({@code application/json}), or empty. */
    public String mediaType() {
        String type = header("Content-Type").orElse("");
        int semicolon = type.indexOf(';');
        return (semicolon < 0 ? type : type.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }

    /** Convenience for tests and adapters that need only a body. */
    public static Webhook of(String source, String contentType, byte[] body) {
        return new Webhook(source, Map.of("Content-Type", List.of(contentType)), body, Map.of());
    }
}
