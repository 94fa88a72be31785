package io.reflex.connectors.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.reflex.connectors.spi.Connector;
import io.reflex.connectors.spi.Outcome;
import io.reflex.connectors.spi.Reconciliation;
import io.reflex.model.Action;
import io.reflex.model.ActionMode;
import io.reflex.model.ActionType;
import io.reflex.model.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls configured URLs: {@code notify} (a chat or paging webhook), {@code escalate} (the
 * endpoint named by {@code escalateTo}) and {@code run_script} (triggers an external runbook).
 *
 * <p>Which URL is called is decided by configuration only: {@code notify} and
 * {@code run_script} name an endpoint with their target's name ({@code channel:oncall} calls
 * endpoint {@code oncall}), {@code escalate} always calls {@code escalateTo}. Alert data only
 * fills the body's strings, JSON-escaped.
 *
 * <p>Secrets (header values, {@code ${env:..}} and {@code ${file:..}} in the body, the URL) are
 * never logged, and are cut out of everything an outcome says, response excerpts included.
 *
 * <p>Thread safe: one {@link HttpClient} serves every worker.
 */
public final class HttpConnector implements Connector {

    public static final String NAME = "http";
    /** How much of a response body an outcome quotes. */
    static final int EXCERPT_CHARS = 200;
    /** How much of a response body is kept at all; the rest is read and dropped. */
    static final int READ_LIMIT_BYTES = 4096;
    /** Secrets shorter than this are not cut out of response excerpts: that would mangle ordinary text. */
    static final int MIN_REDACTED_LENGTH = 4;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private static final Logger LOG = LoggerFactory.getLogger(HttpConnector.class);

    private final String name;
    private final HttpSettings settings;
    private final Secrets secrets;
    private final Clock clock;
    private final HttpClient client;
    private volatile boolean closed;

    public HttpConnector(HttpSettings settings, Secrets secrets, Clock clock) {
        this(NAME, settings, secrets, clock);
    }

    public HttpConnector(String name, HttpSettings settings, Secrets secrets, Clock clock) {
        this.name = Objects.requireNonNull(name, "name");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.secrets = Objects.requireNonNull(secrets, "secrets");
        this.clock = Objects.requireNonNull(clock, "clock");
        // No redirects: a redirect would send our headers (credentials) to a URL nobody configured.
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(CONNECT_TIMEOUT)
                .build();
    }

    @Override
    public String name() {
        return name;
    }

    /** The configured endpoint names. */
    public java.util.Set<String> endpoints() {
        return settings.endpoints().keySet();
    }

    @Override
    public Outcome execute(Action action) throws InterruptedException {
        Objects.requireNonNull(action, "action");
        final Selection selection = select(action);
        if (selection.refusal != null) {
            return selection.refusal;
        }
        final Endpoint endpoint = selection.endpoint;
        final String verb = action.type().wireName();
        if (closed) {
            return Outcome.failed("http connector is shut down; nothing was sent to " + endpoint.describe(), false);
        }
        if (action.mode() != ActionMode.EXECUTE) {
            return Outcome.succeeded(action.mode() + ": would " + endpoint.method() + " " + verb + " to "
                    + endpoint.describe() + "; nothing was sent");
        }
        final Duration budget = Duration.between(clock.instant(), action.deadline());
        if (budget.isNegative() || budget.isZero()) {
            return Outcome.failed("the deadline " + action.deadline() + " passed before " + verb + " via "
                    + endpoint.describe() + " began; nothing was sent", false);
        }

        final List<String> used = new ArrayList<>();
        final HttpRequest request;
        try {
            request = request(endpoint, action, min(endpoint.timeout(), budget), used);
        } catch (Secrets.SecretException e) {
            return Outcome.failed(verb + " via " + endpoint.describe() + " failed: a secret it needs cannot be read: "
                    + e.getMessage() + ". Nothing was sent; fix the secret, then retry", false);
        } catch (IllegalArgumentException e) {
            // A header value java.net.http refuses (control characters from a secret file).
            return Outcome.failed(verb + " via " + endpoint.describe() + " failed: the request cannot be built ("
                    + redact(e.getMessage(), endpoint, used) + "). Nothing was sent; check endpoints." + endpoint.name()
                    + ".headers", false);
        }
        LOG.info("{} for action {} (incident {}) via {}, deadline in {}", verb, action.id(), action.incidentId(),
                endpoint.describe(), seconds(budget));
        final Outcome outcome = send(endpoint, action, request, min(endpoint.timeout(), budget), used);
        LOG.info("action {} via {}: {} - {}", action.id(), endpoint.describe(), outcome.status(), outcome.detail());
        return outcome;
    }

    /**
     * A webhook keeps no state Reflex can read back, so whether an interrupted call got through
     * cannot be told: a person checks the receiving side. Actions this connector would refuse, and
     * rehearsals, never sent anything.
     */
    @Override
    public Reconciliation reconcile(Action action, Instant startedAt) {
        Objects.requireNonNull(action, "action");
        final Selection selection = select(action);
        if (selection.refusal != null) {
            return Reconciliation.notApplied("the http connector refuses this action, so it sent nothing: "
                    + selection.refusal.detail());
        }
        if (action.mode() != ActionMode.EXECUTE) {
            return Reconciliation.notApplied(action.mode() + " actions send nothing");
        }
        return Reconciliation.unknown(action.type().wireName() + " via " + selection.endpoint.describe()
                + " started at " + startedAt + " has no result, and an HTTP endpoint cannot be asked whether it"
                + " got the call; check the receiving system before sending it again");
    }

    @Override
    public void close() {
        closed = true;
    }

    // --- choosing the endpoint ---------------------------------------------------------------

    private record Selection(Endpoint endpoint, Outcome refusal) {
    }

    private Selection select(Action action) {
        final ActionType type = action.type();
        if (!HttpSettings.SUPPORTED.contains(type)) {
            return refuse("http connector cannot " + type.wireName() + "; it supports "
                    + HttpSettings.SUPPORTED.stream().map(ActionType::wireName).collect(Collectors.joining(", ")));
        }
        final String endpointName;
        if (type == ActionType.ESCALATE) {
            // The target of an escalation is the resource, never an endpoint.
            if (settings.escalateTo().isEmpty()) {
                return refuse("escalate calls the endpoint named by connectors." + name + ".escalateTo, which is not"
                        + " set (endpoints: " + configured() + "); nothing was sent");
            }
            endpointName = settings.escalateTo().get();
        } else {
            endpointName = action.target().name();
            if (!HttpSettings.NAME.matcher(endpointName).matches()) {
                return refuse("endpoint name " + HttpSettings.quote(endpointName) + " is not allowed: a name starts with"
                        + " a letter or digit, has at most 63 characters, and uses only letters, digits, '_', '.'"
                        + " and '-'; nothing was sent");
            }
        }
        final Endpoint endpoint = settings.endpoints().get(endpointName);
        if (endpoint == null) {
            return refuse("no endpoint '" + endpointName + "' is configured for the http connector (configured: "
                    + configured() + "); nothing was sent. To add it, configure connectors." + name + ".endpoints."
                    + endpointName);
        }
        if (!endpoint.actions().contains(type)) {
            return refuse("endpoint " + endpointName + " does not take " + type.wireName() + " (it takes "
                    + endpoint.actions().stream().map(ActionType::wireName).sorted().collect(Collectors.joining(", "))
                    + "); nothing was sent. To allow it, add " + type.wireName() + " to connectors." + name
                    + ".endpoints." + endpointName + ".actions");
        }
        return new Selection(endpoint, null);
    }

    private static Selection refuse(String detail) {
        return new Selection(null, Outcome.refused(detail));
    }

    private String configured() {
        return settings.endpoints().isEmpty() ? "none" : String.join(", ", settings.endpoints().keySet());
    }

    // --- the request -------------------------------------------------------------------------

    private HttpRequest request(Endpoint endpoint, Action action, Duration timeout, List<String> used) {
        final String body = body(endpoint.body(), action, used);
        final HttpRequest.Builder builder = HttpRequest.newBuilder(endpoint.url())
                .method(endpoint.method(), HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .timeout(timeout);
        boolean contentType = false;
        for (Map.Entry<String, Template> header : endpoint.headers().entrySet()) {
            builder.header(header.getKey(), header.getValue().render(reference -> secret(reference, used)));
            contentType |= header.getKey().equalsIgnoreCase("Content-Type");
        }
        if (!contentType) {
            builder.header("Content-Type", "application/json");
        }
        return builder.build();
    }

    /** The body with every placeholder filled; Jackson writes the strings, so every value is JSON-escaped. */
    String body(JsonNode template, Action action, List<String> used) {
        final JsonNode filled = fill(template.deepCopy(), action, used);
        try {
            return Json.MAPPER.writeValueAsString(filled);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree could not be written: " + e.getOriginalMessage(), e);
        }
    }

    private JsonNode fill(JsonNode node, Action action, List<String> used) {
        if (node.isTextual()) {
            final Template template = Template.parse(node.textValue());
            return template.hasPlaceholders()
                    ? TextNode.valueOf(template.render(expression -> value(action, expression, used))) : node;
        }
        if (node.isObject()) {
            final ObjectNode object = (ObjectNode) node;
            final List<String> names = new ArrayList<>();
            for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
                names.add(it.next());
            }
            for (String field : names) {
                object.set(field, fill(object.get(field), action, used));
            }
        } else if (node.isArray()) {
            final ArrayNode array = (ArrayNode) node;
            for (int i = 0; i < array.size(); i++) {
                array.set(i, fill(array.get(i), action, used));
            }
        }
        return node;
    }

    private String value(Action action, String expression, List<String> used) {
        if (Secrets.isReference(expression)) {
            return secret(expression, used);
        }
        if (expression.startsWith("params.")) {
            return action.params().getOrDefault(expression.substring("params.".length()), "");
        }
        if (expression.startsWith("labels.")) {
            return action.labels().getOrDefault(expression.substring("labels.".length()), "");
        }
        return switch (expression) {
            case "actionId" -> action.id();
            case "incidentId" -> action.incidentId();
            case "type" -> action.type().wireName();
            case "mode" -> action.mode().name();
            case "target" -> action.target().key();
            case "target.kind" -> action.target().kind();
            case "target.name" -> action.target().name();
            case "target.connector" -> action.target().connector();
            case "rule" -> action.rule().name();
            case "rule.version" -> Long.toString(action.rule().version());
            case "createdAt" -> action.createdAt().toString();
            case "deadline" -> action.deadline().toString();
            case "resourceKey" -> action.resourceKey() == null ? "" : action.resourceKey();
            // The settings checked every placeholder; one missing here is a bug in this class.
            default -> throw new IllegalStateException("placeholder ${" + expression + "} is not known");
        };
    }

    private String secret(String reference, List<String> used) {
        final String value = secrets.resolve(reference);
        used.add(value);
        return value;
    }

    // --- the call ----------------------------------------------------------------------------

    private Outcome send(Endpoint endpoint, Action action, HttpRequest request, Duration timeout, List<String> used)
            throws InterruptedException {
        final String verb = action.type().wireName();
        final String via = verb + " via " + endpoint.describe();
        final long began = System.nanoTime();
        final CompletableFuture<HttpResponse<byte[]>> call = client.sendAsync(request, info -> excerptSubscriber());
        final HttpResponse<byte[]> response;
        try {
            // The request timeout covers the wait for the headers only; this bounds the body too.
            response = call.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            call.cancel(true);
            return Outcome.failed(via + " failed: no complete answer within " + seconds(timeout) + "; it may or may"
                    + " not have been received. Retry may help", true);
        } catch (InterruptedException e) {
            call.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            return failure(via, endpoint, timeout, e.getCause() == null ? e : e.getCause(), used);
        }
        final int status = response.statusCode();
        final String answer = "HTTP " + status + " after " + seconds(Duration.ofNanos(System.nanoTime() - began))
                + excerpt(response.body(), endpoint, used);
        if (endpoint.expects(status)) {
            return Outcome.succeeded(verb + " sent via " + endpoint.describe() + ": " + answer);
        }
        if (status >= 300 && status < 400) {
            return Outcome.failed(via + " failed: " + answer + ". Redirects are not followed (they would carry the"
                    + " headers elsewhere); configure the final URL in connectors." + name + ".endpoints."
                    + endpoint.name() + ".url", false);
        }
        if (status >= 500 || status == 408 || status == 429) {
            return Outcome.failed(via + " failed: " + answer + ". The receiver is unavailable or busy; retry may help",
                    true);
        }
        return Outcome.failed(via + " failed: " + answer + ". The receiver refused the request; sending it again"
                + " will not help: check connectors." + name + ".endpoints." + endpoint.name()
                + " (url, headers, body" + (endpoint.expectedStatuses().isEmpty() ? "" : ", expectedStatuses") + ")",
                false);
    }

    private Outcome failure(String via, Endpoint endpoint, Duration timeout, Throwable cause, List<String> used) {
        if (cause instanceof HttpTimeoutException) {
            return Outcome.failed(via + " failed: no answer within " + seconds(timeout) + "; retry may help", true);
        }
        if (cause instanceof ConnectException) {
            return Outcome.failed(via + " failed: cannot connect" + because(cause, endpoint, used)
                    + "; retry may help", true);
        }
        if (cause instanceof IOException) {
            return Outcome.failed(via + " failed: " + cause.getClass().getSimpleName()
                    + because(cause, endpoint, used) + "; retry may help", true);
        }
        return Outcome.failed(via + " failed: " + cause.getClass().getSimpleName() + because(cause, endpoint, used),
                false);
    }

    /** " (message)" with secrets and the URL cut out, or nothing when the exception has no message. */
    private static String because(Throwable cause, Endpoint endpoint, List<String> used) {
        return cause.getMessage() == null || cause.getMessage().isBlank() ? ""
                : " (" + redact(cause.getMessage(), endpoint, used) + ")";
    }

    /** "; response: ..." with the first characters of the body, on one line, secrets cut out; or nothing. */
    private static String excerpt(byte[] body, Endpoint endpoint, List<String> used) {
        if (body == null || body.length == 0) {
            return "";
        }
        final String text = redact(new String(body, StandardCharsets.UTF_8), endpoint, used);
        final StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length() && out.length() < EXCERPT_CHARS; i++) {
            final char c = text.charAt(i);
            out.append(Character.isISOControl(c) ? ' ' : c);
        }
        final String excerpt = out.toString().strip();
        return excerpt.isEmpty() ? "" : "; response: " + excerpt + (text.length() > EXCERPT_CHARS ? "..." : "");
    }

    private static String redact(String text, Endpoint endpoint, List<String> used) {
        String result = text.replace(endpoint.url().toString(), "<url of endpoint " + endpoint.name() + ">");
        for (String secret : used) {
            if (secret.length() >= MIN_REDACTED_LENGTH) {
                result = result.replace(secret, "<secret>");
            }
        }
        return result;
    }

    /** Keeps the first {@link #READ_LIMIT_BYTES} of a body and drops the rest as it arrives. */
    private static HttpResponse.BodySubscriber<byte[]> excerptSubscriber() {
        final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        final Flow.Subscriber<List<ByteBuffer>> subscriber = new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                subscription.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(List<ByteBuffer> buffers) {
                for (ByteBuffer buffer : buffers) {
                    final int take = Math.min(buffer.remaining(), READ_LIMIT_BYTES - kept.size());
                    if (take > 0) {
                        final byte[] bytes = new byte[take];
                        buffer.get(bytes);
                        kept.write(bytes, 0, take);
                    }
                }
            }

            @Override
            public void onError(Throwable throwable) {
                // The body subscriber's future fails with it; nothing to keep.
            }

            @Override
            public void onComplete() {
                // The finisher below reads what was kept.
            }
        };
        return HttpResponse.BodySubscribers.fromSubscriber(subscriber, s -> kept.toByteArray());
    }

    static String seconds(Duration duration) {
        return String.format(Locale.ROOT, "%.1fs", duration.toNanos() / 1e9);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    @Override
    public String toString() {
        return "HttpConnector[" + name + ", endpoints=" + settings.endpoints().keySet() + "]";
    }
}
