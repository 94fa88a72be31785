package io.reflex.connectors.process;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/** One GET against a health URL: 2xx is healthy, anything else is a reason for people. */
final class HealthProbe {

    private final HttpClient client;

    HealthProbe() {
        // HTTP/1.1: no h2c upgrade dance with small embedded servers; no redirects: a health
        // endpoint that redirects (to a login page, say) is not answering for the service.
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(2))
                .build();
    }

    /** @return null when healthy, otherwise what went wrong ("answered HTTP 503", "connection refused") */
    String check(URI uri, Duration timeout) throws InterruptedException {
        final HttpRequest request = HttpRequest.newBuilder(uri).GET().timeout(timeout).build();
        try {
            final int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            return status >= 200 && status < 300 ? null : "answered HTTP " + status;
        } catch (HttpTimeoutException e) {
            return "no answer within " + ProcessConnector.seconds(timeout);
        } catch (ConnectException e) {
            return "connection refused" + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")");
        } catch (IOException e) {
            return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        }
    }
}
