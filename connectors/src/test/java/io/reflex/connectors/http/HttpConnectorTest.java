package io.reflex.connectors.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflex.connectors.spi.Outcome;
import io.reflex.connectors.spi.Reconciliation;
import io.reflex.model.Action;
import io.reflex.model.ActionMode;
import io.reflex.model.ActionStatus;
import io.reflex.model.ActionType;
import io.reflex.model.Json;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the http connector decides before it sends anything. Every endpoint points at port 9
 * (discard) on loopback, where nothing listens here: a test that sent a request would fail
 * with "cannot connect" instead of the refusal it expects.
 */
class HttpConnectorTest {

    private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final Secrets SECRETS = new Secrets(Map.of("TOKEN", "tok-123456")::get);

    private final HttpConnector connector = new HttpConnector(HttpSettings.parse("http", Map.of(
            "escalateTo", "pager",
            "endpoints", Map.of(
                    "oncall", Map.of("url", "http://127.0.0.1:9/oncall",
                            "body", "{\"text\": \"${params.message}\", \"incident\": \"${incidentId}\","
                                    + " \"meta\": {\"rule\": \"${rule} v${rule.version}\", \"on\": [\"${target}\","
                                    + " \"${resourceKey}\", \"${params.none}\", \"${labels.zone}\"]}, \"n\": 1}"),
                    "pager", Map.of("url", "http://127.0.0.1:9/pager", "actions", List.of("escalate")),
                    "runbook", Map.of("url", "http://127.0.0.1:9/runbook", "actions", List.of("run_script")))),
            SECRETS), SECRETS, CLOCK);

    @AfterEach
    void close() {
        connector.close();
    }

    @ParameterizedTest
    @EnumSource(value = ActionType.class, names = {"NOTIFY", "ESCALATE", "RUN_SCRIPT"}, mode = EnumSource.Mode.EXCLUDE)
    void otherActionTypesAreRefused(ActionType type) throws InterruptedException {
        final Outcome outcome = connector.execute(HttpActions.action(type, "channel", "oncall", Map.of(),
                ActionMode.EXECUTE, NOW, Duration.ofSeconds(30)));

        assertThat(outcome).isEqualTo(Outcome.refused("http connector cannot " + type.wireName()
                + "; it supports notify, escalate, run_script"));
    }

    @Test
    void anUnknownEndpointIsRefusedNamingTheConfiguredOnes() throws InterruptedException {
        final Outcome outcome = connector.execute(HttpActions.notify("ops", "hi", NOW, Duration.ofSeconds(30)));

        assertThat(outcome).isEqualTo(Outcome.refused("no endpoint 'ops' is configured for the http connector"
                + " (configured: oncall, pager, runbook); nothing was sent. To add it, configure"
                + " connectors.http.endpoints.ops"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"x; touch /tmp/pwned", "$(id)", "`id`", "../oncall", "http://evil.example.com/",
            "oncall\nX-Injected: 1", "127.0.0.1:9"})
    void hostileEndpointNamesAreRefused(String name) throws InterruptedException {
        final Outcome outcome = connector.execute(HttpActions.notify(name, "hi", NOW, Duration.ofSeconds(30)));

        assertThat(outcome.status()).isEqualTo(ActionStatus.REJECTED);
        assertThat(outcome.detail()).contains("is not allowed").endsWith("; nothing was sent").doesNotContain("\n");
    }

    @Test
    void anEndpointTakesOnlyTheActionsItLists() throws InterruptedException {
        final Outcome notify = connector.execute(HttpActions.notify("runbook", "hi", NOW, Duration.ofSeconds(30)));
        final Outcome script = connector.execute(HttpActions.action(ActionType.RUN_SCRIPT, "runbook", "oncall",
                Map.of(), ActionMode.EXECUTE, NOW, Duration.ofSeconds(30)));

        assertThat(notify).isEqualTo(Outcome.refused("endpoint runbook does not take notify (it takes run_script);"
                + " nothing was sent. To allow it, add notify to connectors.http.endpoints.runbook.actions"));
        assertThat(script.detail()).startsWith("endpoint oncall does not take run_script (it takes escalate, notify)");
    }

    @Test
    void escalationsGoToEscalateToWhateverTheirTarget() throws InterruptedException {
        final Outcome rehearsed = connector.execute(HttpActions.action(ActionType.ESCALATE, "service", "runbook",
                Map.of("reason", "x"), ActionMode.DRY_RUN, NOW, Duration.ofSeconds(30)));
        final HttpConnector without = new HttpConnector(HttpSettings.parse("http", Map.of("endpoints",
                Map.of("oncall", Map.of("url", "http://127.0.0.1:9/"))), SECRETS), SECRETS, CLOCK);

        assertThat(rehearsed).isEqualTo(Outcome.succeeded("DRY_RUN: would POST escalate to endpoint pager"
                + " (http://127.0.0.1:9); nothing was sent"));
        assertThat(without.execute(HttpActions.escalate("oncall", "down", NOW, Duration.ofSeconds(30))))
                .isEqualTo(Outcome.refused("escalate calls the endpoint named by connectors.http.escalateTo, which is"
                        + " not set (endpoints: oncall); nothing was sent"));
    }

    @Test
    void anActionPastItsDeadlineIsNotSent() throws InterruptedException {
        final Outcome outcome = connector.execute(HttpActions.notify("oncall", "hi", NOW.minusSeconds(60),
                Duration.ofSeconds(30)));

        assertThat(outcome).isEqualTo(Outcome.failed("the deadline 2025-03-01T11:59:30Z passed before notify via"
                + " endpoint oncall (http://127.0.0.1:9) began; nothing was sent", false));
    }

    @Test
    void theBodyFillsEveryPlaceholderAndKeepsTheRest() throws Exception {
        final Action action = HttpActions.notify("oncall", "checkout is down", NOW, Duration.ofSeconds(30));

        final JsonNode body = Json.MAPPER.readTree(connector.body(endpoint("oncall"), action, new ArrayList<>()));

        assertThat(body).isEqualTo(Json.MAPPER.readTree("{\"text\": \"checkout is down\", \"incident\": \"inc-42\","
                + " \"meta\": {\"rule\": \"page-on-checkout-down v3\", \"on\": [\"channel:oncall\","
                + " \"service:checkout\", \"\", \"eu-1\"]}, \"n\": 1}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"He said \"stop\"", "line one\nline two\r\n\ttabbed", "\"}, \"admin\": true, {\"",
            "back\\slash \\\" \\u0000", "\u0000\u001f\u2028\u2029 ☃ 😀", "${env:TOKEN} ${incidentId}",
            "</script><script>alert(1)</script>"})
    void hostileMessageTextStaysOneJsonString(String message) throws Exception {
        final Action action = HttpActions.notify("oncall", message, NOW, Duration.ofSeconds(30));

        final String text = connector.body(endpoint("oncall"), action, new ArrayList<>());
        final JsonNode body = Json.MAPPER.readTree(text);

        assertThat(body.get("text").textValue()).isEqualTo(message);
        assertThat(body.fieldNames()).toIterable().containsExactly("text", "incident", "meta", "n");
        assertThat(text).doesNotContain("tok-123456");
    }

    @Test
    void reconcileCannotTellWhetherAWebhookGotThrough() {
        final Reconciliation sent = connector.reconcile(HttpActions.notify("oncall", "hi", NOW, Duration.ofSeconds(30)), NOW);
        final Reconciliation refused = connector.reconcile(HttpActions.notify("ops", "hi", NOW, Duration.ofSeconds(30)), NOW);

        assertThat(sent).isEqualTo(Reconciliation.unknown("notify via endpoint oncall (http://127.0.0.1:9) started at"
                + " 2025-03-01T12:00:00Z has no result, and an HTTP endpoint cannot be asked whether it got the call;"
                + " check the receiving system before sending it again"));
        assertThat(refused.state()).isEqualTo(Reconciliation.State.NOT_APPLIED);
        assertThat(refused.detail()).startsWith("the http connector refuses this action, so it sent nothing: no"
                + " endpoint 'ops'");
    }

    @Test
    void afterCloseNothingIsSent() throws InterruptedException {
        connector.close();

        assertThat(connector.execute(HttpActions.notify("oncall", "hi", NOW, Duration.ofSeconds(30))))
                .isEqualTo(Outcome.failed("http connector is shut down; nothing was sent to endpoint oncall"
                        + " (http://127.0.0.1:9)", false));
    }

    private JsonNode endpoint(String name) {
        return HttpSettings.parse("http", Map.of("endpoints", Map.of(name, Map.of("url", "http://127.0.0.1:9/",
                        "body", "{\"text\": \"${params.message}\", \"incident\": \"${incidentId}\", \"meta\":"
                                + " {\"rule\": \"${rule} v${rule.version}\", \"on\": [\"${target}\","
                                + " \"${resourceKey}\", \"${params.none}\", \"${labels.zone}\"]}, \"n\": 1}"))), SECRETS)
                .endpoints().get(name).body();
    }
}
