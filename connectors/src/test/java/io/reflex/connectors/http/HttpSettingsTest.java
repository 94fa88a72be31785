package io.reflex.connectors.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reflex.connectors.spi.ConnectorConfigException;
import io.reflex.model.ActionType;
import io.reflex.model.Json;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HttpSettingsTest {

    private static final String TOKEN = "tok-9f8e7d6c5b4a";
    private static final Secrets SECRETS = new Secrets(Map.of("ONCALL_TOKEN", TOKEN,
            "CHAT_URL", "https://chat.example.com/hooks/T000/B000/" + TOKEN, "BAD_URL", "ftp://" + TOKEN)::get);

    private static List<String> problemsOf(Map<String, ?> settings) {
        try {
            HttpSettings.parse("http", settings, SECRETS);
        } catch (ConnectorConfigException e) {
            return e.problems();
        }
        throw new AssertionError("expected configuration problems for " + settings);
    }

    private static Map<String, Object> endpoints(Map<String, ?> endpoints) {
        final Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("endpoints", endpoints);
        return settings;
    }

    @Test
    void readsAFullEndpoint() throws Exception {
        final HttpSettings settings = HttpSettings.parse("http", Map.of(
                "escalateTo", "oncall",
                "endpoints", Map.of("oncall", Map.of(
                        "url", "https://pager.example.com/v1/events",
                        "method", "put",
                        "headers", Map.of("Authorization", "Bearer ${env:ONCALL_TOKEN}", "X-Team", "sre"),
                        "body", "{\"summary\": \"${params.message}\", \"links\": [\"${incidentId}\"]}",
                        "timeout", "3s",
                        "expectedStatuses", List.of(200, "202"),
                        "actions", List.of("escalate", "run_script")))), SECRETS);

        assertThat(settings.escalateTo()).hasValue("oncall");
        final Endpoint oncall = settings.endpoints().get("oncall");
        assertThat(oncall.url()).isEqualTo(URI.create("https://pager.example.com/v1/events"));
        assertThat(oncall.method()).isEqualTo("PUT");
        assertThat(oncall.headers()).containsOnlyKeys("Authorization", "X-Team");
        assertThat(oncall.body()).isEqualTo(Json.MAPPER.readTree("{\"summary\": \"${params.message}\", \"links\":"
                + " [\"${incidentId}\"]}"));
        assertThat(oncall.timeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(oncall.expectedStatuses()).containsExactlyInAnyOrder(200, 202);
        assertThat(oncall.actions()).containsExactlyInAnyOrder(ActionType.ESCALATE, ActionType.RUN_SCRIPT);
        assertThat(oncall.toString()).doesNotContain("v1/events").doesNotContain(TOKEN);
    }

    @Test
    void onlyTheUrlIsRequired() {
        final HttpSettings settings = HttpSettings.parse("http",
                endpoints(Map.of("chat", Map.of("url", "${env:CHAT_URL}"))), SECRETS);

        final Endpoint chat = settings.endpoints().get("chat");
        assertThat(chat.url().getHost()).isEqualTo("chat.example.com");
        assertThat(chat.describe()).isEqualTo("endpoint chat (https://chat.example.com)");
        assertThat(chat.method()).isEqualTo("POST");
        assertThat(chat.timeout()).isEqualTo(HttpSettings.DEFAULT_TIMEOUT);
        assertThat(chat.expectedStatuses()).isEmpty();
        assertThat(chat.expects(204)).isTrue();
        assertThat(chat.expects(302)).isFalse();
        assertThat(chat.actions()).containsExactlyInAnyOrder(ActionType.NOTIFY, ActionType.ESCALATE);
        assertThat(chat.body().fieldNames()).toIterable()
                .containsExactly("incidentId", "actionId", "type", "target", "message", "reason");
        assertThat(settings.escalateTo()).isEmpty();
    }

    @Test
    void aBodyMayBeAYamlMap() {
        final HttpSettings settings = HttpSettings.parse("http", endpoints(Map.of("chat", Map.of(
                "url", "http://127.0.0.1:9/hook",
                "body", Map.of("text", "${params.message}", "tags", List.of("reflex", "${rule}"), "count", 1)))),
                SECRETS);

        assertThat(settings.endpoints().get("chat").body().toString())
                .isEqualTo(Json.MAPPER.valueToTree(Map.of("text", "${params.message}", "tags",
                        List.of("reflex", "${rule}"), "count", 1)).toString());
    }

    @Test
    void reportsEveryProblemAtOnceWithoutEchoingSecrets() {
        final Map<String, Object> broken = new LinkedHashMap<>();
        broken.put("url", "${env:BAD_URL}");
        broken.put("method", "DELETE");
        broken.put("headers", Map.of("Authorization", "Bearer ${env:MISSING_TOKEN}", "Host", "x", "X-Incident",
                "${incidentId}"));
        broken.put("body", "{\"text\": ${params.message}}");
        broken.put("timeout", "soon");
        broken.put("expectedStatuses", List.of(200, 999));
        broken.put("actions", List.of("notify", "restart_service"));
        broken.put("retries", 3);
        final Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("endpoints", Map.of("oncall", broken, "chat", Map.of("url", "http://user:" + TOKEN
                + "@chat.example.com/"), "../x", Map.of("url", "http://127.0.0.1:9/")));
        settings.put("escalateTo", "pager");
        settings.put("proxy", "http://proxy:3128");

        final List<String> problems = new ArrayList<>(problemsOf(settings));

        // Jackson words the syntax error itself; the position and the hint are ours.
        assertThat(problems).filteredOn(p -> p.startsWith("connectors.http.endpoints.oncall.body: "))
                .singleElement().asString()
                .startsWith("connectors.http.endpoints.oncall.body: not valid JSON (line 1, column 10: ")
                .endsWith("); write JSON with placeholders inside strings, e.g. '{\"text\": \"${params.message}\"}'");
        problems.removeIf(p -> p.startsWith("connectors.http.endpoints.oncall.body: "));
        assertThat(problems).containsExactlyInAnyOrder(
                "connectors.http.proxy: unknown key; expected one of [endpoints, escalateTo]",
                "connectors.http.endpoints.oncall.retries: unknown key; expected one of [actions, body,"
                        + " expectedStatuses, headers, method, timeout, url]",
                "connectors.http.endpoints.oncall.url: scheme must be http or https; must be an http(s) URL like"
                        + " https://hooks.example.com/notify, or ${env:NAME} holding one",
                "connectors.http.endpoints.oncall.method: must be one of [PATCH, POST, PUT], not 'DELETE'",
                "connectors.http.endpoints.oncall.headers.Authorization: environment variable MISSING_TOKEN is not set",
                "connectors.http.endpoints.oncall.headers.Host: is set by the HTTP client itself and cannot be configured",
                "connectors.http.endpoints.oncall.headers.X-Incident: only ${env:NAME} and ${file:/path} may appear in"
                        + " a header, not ${incidentId}",
                "connectors.http.endpoints.oncall.timeout: must be a positive duration such as 10s, 500ms or PT10S,"
                        + " not a string",
                "connectors.http.endpoints.oncall.expectedStatuses: 999 is not an HTTP status (100-599)",
                "connectors.http.endpoints.oncall.actions: 'restart_service' is not an action type this connector"
                        + " carries out; use one of [notify, escalate, run_script]",
                "connectors.http.endpoints.chat.url: must not carry credentials (user:password@); put them in a header"
                        + " such as Authorization: \"Basic ${env:NAME}\"",
                "connectors.http.endpoints.../x: endpoint name is not allowed: a name starts with a letter or digit,"
                        + " has at most 63 characters, and uses only letters, digits, '_', '.' and '-'",
                "connectors.http.escalateTo: must name one of the endpoints ([../x, chat, oncall]), not 'pager'");
        assertThat(String.join("\n", problems)).doesNotContain(TOKEN);
    }

    @Test
    void bodyPlaceholdersMustBeKnownAndInsideValues() {
        final List<String> problems = problemsOf(endpoints(Map.of("chat", Map.of(
                "url", "http://127.0.0.1:9/",
                "body", "{\"text\": \"${message}\", \"${incidentId}\": \"x\", \"ok\": [\"${params.message}\","
                        + " \"${file:/nonexistent/reflex-secret}\", \"${rule\"]}"))));

        assertThat(problems).containsExactly(
                "connectors.http.endpoints.chat.body.text: unknown placeholder ${message}; known: actionId,"
                        + " incidentId, type, mode, target, target.kind, target.name, target.connector, rule,"
                        + " rule.version, createdAt, deadline, resourceKey, params.<key>, labels.<key>, env:NAME,"
                        + " file:/path",
                "connectors.http.endpoints.chat.body.${incidentId}: placeholders go in values, not in field names",
                "connectors.http.endpoints.chat.body.ok[1]: ${file:/nonexistent/reflex-secret}: file"
                        + " /nonexistent/reflex-secret cannot be read (NoSuchFileException)",
                "connectors.http.endpoints.chat.body.ok[2]: '${' at character 0 has no closing '}'");
    }

    @Test
    void alertDataNeverChoosesTheUrl() {
        assertThat(problemsOf(endpoints(Map.of("chat", Map.of("url", "http://${target.name}.example.com/")))))
                .containsExactly("connectors.http.endpoints.chat.url: only ${env:NAME} and ${file:/path} may appear in"
                        + " a URL, not ${target.name}: alert data never chooses where Reflex sends requests");
    }

    @Test
    void escalateToMustAllowEscalations() {
        assertThat(problemsOf(Map.of("escalateTo", "runbook", "endpoints", Map.of("runbook", Map.of(
                "url", "http://127.0.0.1:9/", "actions", List.of("run_script"))))))
                .containsExactly("connectors.http.escalateTo: endpoint runbook does not allow escalate; add it to"
                        + " endpoints.runbook.actions");
    }

    @Test
    void withoutEndpointsTheConnectorIsUseless() {
        assertThat(problemsOf(Map.of())).containsExactly("connectors.http.endpoints: must be a map from endpoint name"
                + " to its settings (url, headers, body...), not empty; without endpoints this connector can call"
                + " nothing");
        assertThatThrownBy(() -> new HttpConnectorProvider(SECRETS).create(new io.reflex.connectors.spi.ConnectorContext(
                Map.of("endpoints", List.of("oncall")), java.nio.file.Path.of("unused"), java.time.Clock.systemUTC())))
                .isInstanceOf(ConnectorConfigException.class)
                .hasMessageContaining("connectors.http.endpoints: must be a map");
        assertThat(Optional.of(HttpConnector.NAME)).hasValue(new HttpConnectorProvider().name());
    }
}
