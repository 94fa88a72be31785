package io.reflex.connectors.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflex.model.ActionType;
import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One configured URL, as read from {@code connectors.http.endpoints.<name>}.
 *
 * @param url              fixed by configuration (alert data never changes it); may hold a
 *                         secret (a chat webhook URL is one), so it is never printed: details
 *                         name the endpoint and the host only
 * @param method           POST, PUT or PATCH
 * @param headers          header name to value template; values may hold {@code ${env:NAME}} and
 *                         {@code ${file:/path}} references, resolved at each call and never printed
 * @param body             the JSON body; its strings may hold action placeholders, see {@link HttpSettings}
 * @param timeout          the longest a call may take, connect to last byte of the answer
 * @param expectedStatuses the statuses that mean success; empty for any 2xx
 * @param actions          the action types allowed to call it
 */
record Endpoint(String name, URI url, String method, Map<String, Template> headers, JsonNode body, Duration timeout,
                Set<Integer> expectedStatuses, Set<ActionType> actions) {

    Endpoint {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(method, "method");
        headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        body = body.deepCopy();
        Objects.requireNonNull(timeout, "timeout");
        expectedStatuses = Set.copyOf(expectedStatuses);
        actions = Set.copyOf(actions);
    }

    boolean expects(int status) {
        return expectedStatuses.isEmpty() ? status >= 200 && status < 300 : expectedStatuses.contains(status);
    }

    /** How details and logs name it: never the full URL, whose path or query may be a secret. */
    String describe() {
        return "endpoint " + name + " (" + url.getScheme() + "://" + url.getHost()
                + (url.getPort() < 0 ? "" : ":" + url.getPort()) + ")";
    }

    @Override
    public String toString() {
        return "Endpoint[" + describe() + ", " + method + ", headers=" + headers.keySet() + ", timeout=" + timeout
                + ", expectedStatuses=" + (expectedStatuses.isEmpty() ? "2xx" : expectedStatuses) + ", actions="
                + actions + "]";
    }
}
