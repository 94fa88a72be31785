package io.reflex.app.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.reflex.app.Reflex;
import io.reflex.app.config.CliOverrides;
import io.reflex.app.config.ConfigLoader;
import io.reflex.app.config.ReflexConfig;
import io.reflex.app.demo.Demo;
import io.reflex.model.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The web console in a real headless Chromium against a real Reflex ({@code ./reflex up}'s
 * way: the embedded broker, every role, the demo-shop process), with two API tokens: an admin
 * and a viewer. Everything the browser sees comes over HTTP from that Reflex: alerts go in
 * through the webhook, the page follows them live over {@code /api/stream}.
 *
 * <p>It also takes the README's screenshots ({@code docs/screenshots/timeline.png} and
 * {@code rule-editor.png}, 1280x800), so they show the console as it is.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserIT {
    private static final Duration BOUND = Duration.ofSeconds(60);
    private static final String ADMIN_TOKEN = "admin-test-token";
    private static final String VIEWER_TOKEN = "viewer-test-token";
    private static final String ISOLATE_RULE = "isolate a compromised host";
    private static final String GUARDED_RESTART_RULE = "restart a degraded shop once a person agrees";
    /**
     * Rules whose actions wait for a person: isolateHost needs approval by default (no connector
     * here can isolate a host), and a restart of demo-shop that asks for approval (the process
     * connector runs it once approved).
     */
    private static final String APPROVAL_RULES = """

            rule "%s"
            when
                $a : AlertEvent(name == "HostCompromised", status == AlertStatus.FIRING, label("host") != null)
            then
                remediate.isolateHost($a, $a.label("host"));
            end

            rule "%s"
            when
                $a : AlertEvent(name == "ShopDegraded", status == AlertStatus.FIRING, label("service") != null)
            then
                remediate.restartService($a, $a.label("service"), true);
            end
            """.formatted(ISOLATE_RULE, GUARDED_RESTART_RULE);
    private static final Path SCREENSHOTS = Path.of(System.getProperty("basedir", "."))
            .toAbsolutePath().normalize().resolveSibling("docs").resolve("screenshots");

    private static final List<String> TERMINAL = List.of("SUCCEEDED", "FAILED", "TIMED_OUT", "REJECTED", "SKIPPED");

    private final HttpClient http = HttpClient.newHttpClient();
    private Path dataDir;
    private Reflex reflex;
    private Browser browser;
    private String base;
    private String serviceIncident;

    @BeforeAll
    void start(@TempDir Path dir) throws IOException {
        String missing = Browser.missingBinaries();
        Assumptions.assumeTrue(missing == null, missing);
        Path config = dir.resolve("reflex.yaml");
        Files.writeString(config, """
                auth:
                  tokens:
                    - {name: admin, role: admin, token: %s}
                    - {name: val, role: viewer, token: %s}
                """.formatted(ADMIN_TOKEN, VIEWER_TOKEN));
        dataDir = dir.resolve("data");
        ReflexConfig loaded = new ConfigLoader(new Demo())
                .load(new CliOverrides(config, 0, dataDir, null, null, false), Map.of());
        reflex = new Reflex(loaded, Clock.systemUTC()).start();
        base = "http://127.0.0.1:" + reflex.httpPort();
        await("Reflex healthy").atMost(BOUND).until(() -> get("/health", null).statusCode() == 200);
        browser = new Browser(Files.createDirectories(dir.resolve("chromium-profile")), BOUND);
    }

    @AfterAll
    void stop() {
        try {
            if (browser != null) {
                browser.close();
            }
        } finally {
            if (reflex != null) {
                reflex.close();
            }
        }
    }

    @Test
    @Order(1)
    void anAlertPostedToTheWebhookAppearsLiveWithoutAReload() throws Exception {
        browser.open(base + "/");
        browser.byTestId("login-token").sendKeys("not-a-token");
        browser.byTestId("login-submit").click();
        assertThat(browser.byTestId("login-error").getText()).contains("did not accept");
        login(ADMIN_TOKEN);
        assertThat(browser.byTestId("whoami").getText()).isEqualTo("admin · admin");
        browser.go("#/incidents");
        browser.until("the incident list follows /api/stream", d ->
                d.findElement(Browser.testId("stream-state")).getAttribute("class").contains("on"));
        // Set after the page loaded: a reload would lose it.
        browser.js("window.reflexTestMarker = 'same page'");

        awaitDemoShopRunning();
        HttpResponse<String> posted = postHook(alertmanager("ServiceDown", Map.of("service", Demo.SERVICE), false));
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);

        WebElement row = browser.until("the ServiceDown incident listed live", d -> d
                .findElements(By.cssSelector("[data-testid='incident-row']")).stream()
                .filter(r -> r.getText().contains("service:" + Demo.SERVICE)).findFirst().orElse(null));
        serviceIncident = row.getAttribute("data-id");
        assertThat(browser.js("return window.reflexTestMarker")).isEqualTo("same page");
        assertThat(row.getText()).contains("ServiceDown");
    }

    @Test
    @Order(2)
    void itsTimelineShowsTheRuleTheActionAndItsResult() throws Exception {
        assertThat(serviceIncident).as("the incident of the first test").isNotNull();
        WebElement row = browser.until("its row", d -> d.findElement(
                By.cssSelector("[data-testid='incident-row'][data-id='" + serviceIncident + "']")));
        row.findElement(Browser.testId("incident-link")).click();
        browser.until("the timeline with the action's result", d -> !d.findElements(
                By.cssSelector("[data-testid='timeline-entry'][data-kind='ACTION_RESULT']")).isEmpty());
        // Resolve it, so the timeline shows the whole story including time to recover.
        postHook(alertmanager("ServiceDown", Map.of("service", Demo.SERVICE), true));
        browser.until("the resolution, live", d -> !d.findElements(
                By.cssSelector("[data-testid='timeline-entry'][data-kind='RESOLVED']")).isEmpty());

        List<String> kinds = browser.driver().findElements(Browser.testId("timeline-entry")).stream()
                .map(e -> e.getAttribute("data-kind")).toList();
        assertThat(kinds).startsWith("ALERT_RECEIVED", "RULE_FIRED").contains("ACTION_DISPATCHED", "ACTION_RESULT");
        assertThat(kinds.indexOf("ACTION_DISPATCHED")).isLessThan(kinds.indexOf("ACTION_RESULT"));
        WebElement fired = entry("RULE_FIRED");
        assertThat(fired.getText()).contains("restart service on ServiceDown");
        assertThat(entry("ACTION_RESULT").getText()).containsIgnoringCase("succeeded");
        assertThat(entry("ALERT_RECEIVED").findElement(Browser.testId("ref-source")).getText())
                .contains("alertmanager");
        WebElement action = browser.byTestId("incident-action");
        assertThat(action.getAttribute("data-status")).isEqualTo("SUCCEEDED");
        assertThat(action.getText()).contains("restart_service");
        for (String phase : List.of("decide", "act", "recover")) {
            assertThat(browser.byTestId("phase-" + phase).getAttribute("data-ms")).as(phase).isNotEmpty();
        }
        assertThat(browser.driver().findElements(Browser.testId("timeline-gap"))).hasSize(kinds.size() - 1);
        browser.js("window.scrollTo(0, 0)");
        browser.screenshot(SCREENSHOTS.resolve("timeline.png"));
    }

    @Test
    @Order(3)
    void aRuleWithAnErrorShowsItAtItsLineAndCannotBeDeployed() throws Exception {
        browser.go("#/rules");
        WebElement editor = browser.byTestId("rule-editor");
        browser.until("the active package in the editor", d -> editor.getAttribute("value").contains("package "));
        awaitValidity("valid");
        WebElement deploy = browser.byTestId("deploy");
        assertThat(deploy.isEnabled()).as("deploy of a valid package, as admin").isTrue();
        long activeBefore = activeVersion();

        // The demo package with a closing parenthesis missing in its first rule's condition, then typed into.
        String broken = editor.getAttribute("value")
                .replace("label(\"service\") != null)\nthen", "label(\"service\") != null\nthen");
        assertThat(broken).isNotEqualTo(editor.getAttribute("value"));
        browser.js("arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input'))", editor, broken);
        editor.sendKeys("\n// edited in the browser");
        String typed = broken + "\n// edited in the browser";
        JsonNode expected = Json.MAPPER.readTree(post("/api/rules/validate", typed, ADMIN_TOKEN).body()).path("errors").get(0);
        int line = expected.path("line").asInt();
        assertThat(line).as("the validator places the error on a line of the package").isPositive();

        awaitValidity("invalid");
        WebElement marker = browser.until("a gutter marker", d -> d.findElement(Browser.testId("gutter-error")));
        assertThat(marker.getAttribute("data-line")).isEqualTo(Integer.toString(line));
        assertThat(marker.getAttribute("textContent")).endsWith(Integer.toString(line));
        assertThat(marker.getAttribute("title")).contains(expected.path("message").asText());
        WebElement message = browser.byTestId("rule-error");
        assertThat(message.getText()).startsWith(line + ":").contains(expected.path("message").asText());
        assertThat(deploy.isEnabled()).as("deploy while the package has errors").isFalse();
        assertThat(deploy.getAttribute("title")).contains("errors");
        message.click(); // brings the line into view in the editor, as a user would
        browser.until("the editor scrolled to line " + line, d -> marker.isDisplayed());
        browser.screenshot(SCREENSHOTS.resolve("rule-editor.png"));

        // Even sent past the disabled button, the server refuses it, and nothing changes.
        List<?> answer = fetchFromPage("POST", "/api/rules", typed);
        assertThat(answer.get(0)).isEqualTo(422L);
        assertThat(activeVersion()).isEqualTo(activeBefore);
    }

    @Test
    @Order(4)
    void anActionNeedingApprovalIsApprovedFromThePageAndThenRuns() throws Exception {
        deployWithApprovalRule();
        postHook(alertmanager("ShopDegraded", Map.of("service", "demo-shop"), false));
        browser.go("#/approvals");
        WebElement row = awaitApprovalRow("service:demo-shop");
        String actionId = row.getAttribute("data-action-id");
        assertThat(row.getAttribute("data-status")).isEqualTo("AWAITING_APPROVAL");
        assertThat(row.getText()).contains("restart_service").contains(GUARDED_RESTART_RULE);

        row.findElement(Browser.testId("approve")).click();
        browser.byTestId("dialog-input").sendKeys("checked with the host owner");
        browser.byTestId("dialog-ok").click();
        assertThat(browser.byTestId("decision-ok").getText()).contains("Approved");

        // It ran: the process connector restarted demo-shop once the approval came.
        WebElement doneRow = browser.until("the approved action's result", d -> d
                .findElements(By.cssSelector("[data-testid='action-row'][data-action-id='" + actionId + "']")).stream()
                .filter(r -> TERMINAL.contains(r.getAttribute("data-status")))
                .findFirst().orElse(null));
        assertThat(doneRow.getAttribute("data-status")).isEqualTo("SUCCEEDED");
        assertThat(doneRow.getText()).contains("by admin").contains("checked with the host owner");
        String incident = action(actionId).path("incidentId").asText();
        browser.go("#/incidents/" + incident);
        List<String> kinds = browser.until("the approval, then the result on the timeline", d -> {
            List<String> seen = d.findElements(Browser.testId("timeline-entry")).stream()
                    .map(e -> e.getAttribute("data-kind")).toList();
            return seen.contains("ACTION_RESULT") ? seen : null;
        });
        assertThat(kinds.indexOf("APPROVAL")).isBetween(0, kinds.lastIndexOf("ACTION_RESULT"));
        assertThat(browser.driver().findElements(Browser.testId("timeline-entry")).stream().map(WebElement::getText))
                .anyMatch(text -> text.contains("approved by admin"));
    }

    @Test
    @Order(5)
    void aViewerCannotDeployOrApprove() throws Exception {
        postHook(alertmanager("HostCompromised", Map.of("host", "web-10"), false));
        browser.byTestId("logout").click();
        login(VIEWER_TOKEN);
        assertThat(browser.byTestId("whoami").getText()).isEqualTo("val · viewer");

        browser.go("#/approvals");
        WebElement row = awaitApprovalRow("host:web-10");
        String actionId = row.getAttribute("data-action-id");
        for (String button : List.of("approve", "reject")) {
            WebElement b = row.findElement(Browser.testId(button));
            assertThat(b.isEnabled()).as(button).isFalse();
            assertThat(b.getAttribute("title")).contains("operator");
        }
        WebElement pause = browser.byTestId("pause");
        assertThat(pause.isEnabled()).isFalse();
        assertThat(pause.getAttribute("title")).contains("operator");

        browser.go("#/rules");
        WebElement editor = browser.byTestId("rule-editor");
        browser.until("a package in the editor", d -> editor.getAttribute("value").contains("package "));
        browser.js("arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input'))", editor,
                demoDrl());
        awaitValidity("valid"); // a viewer may validate
        WebElement deploy = browser.byTestId("deploy");
        assertThat(deploy.isEnabled()).isFalse();
        assertThat(deploy.getAttribute("title")).contains("author");
        assertThat(browser.byTestId("deploy-shadow").isEnabled()).isFalse();

        // The server, not the page, is what refuses: the same calls from the page get 403.
        long activeBefore = activeVersion();
        List<?> deployAnswer = fetchFromPage("POST", "/api/rules", demoDrl());
        assertThat(deployAnswer.get(0)).isEqualTo(403L);
        assertThat((String) deployAnswer.get(1)).contains("forbidden");
        List<?> approveAnswer = fetchFromPage("POST", "/api/actions/" + actionId + "/approve", "{}");
        assertThat(approveAnswer.get(0)).isEqualTo(403L);
        assertThat(activeVersion()).isEqualTo(activeBefore);
        assertThat(action(actionId).path("status").asText()).isEqualTo("AWAITING_APPROVAL");
    }

    @Test
    @Order(6)
    void anAlertNoRuleActedOnIsExplainedAndRuleTestsAndDiffsRunFromTheRulesView() throws Exception {
        browser.byTestId("logout").click();
        login(ADMIN_TOKEN);
        postHook(alertmanager("ServiceDown", Map.of("instance", "web-7"), false));
        browser.go("#/incidents");
        browser.byTestId("filter-q").sendKeys("web-7");
        WebElement row = browser.until("the unmatched incident, alone in the search's results", d -> {
            List<WebElement> rows = d.findElements(Browser.testId("incident-row"));
            return rows.size() == 1 && rows.get(0).getText().contains("host:web-7") ? rows.get(0) : null;
        });
        browser.go("#/incidents/" + row.getAttribute("data-id"));
        WebElement why = browser.byTestId("why-no-rule");
        // The demo's restart rule mentions ServiceDown but needs a service label this alert lacks.
        browser.until("the nearest rule named", d -> why.getText().contains("restart service on ServiceDown"));
        assertThat(why.getText()).contains("No rule of the active version");
        screenshotForReview("incident-unmatched");

        browser.go("#/rules");
        WebElement editor = browser.byTestId("rule-editor");
        browser.js("arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input'))", editor, demoDrl());
        awaitValidity("valid");
        browser.byTestId("tab-tests").click();
        browser.byTestId("tests-run").click();
        WebElement result = browser.byTestId("tests-result");
        browser.until("the example test passing", d -> result.getText().contains("1 passed, 0 failed"));
        browser.byTestId("tab-diff").click();
        browser.byTestId("diff-show").click();
        // From the version before to the active one: the approval rule the fourth test added.
        browser.byTestId("diff-summary");
        assertThat(browser.driver().findElements(Browser.testId("diff-add")).stream().map(WebElement::getText))
                .contains("+ rule \"" + ISOLATE_RULE + "\"");
        assertThat(browser.driver().findElements(Browser.testId("diff-del"))).isEmpty();
        screenshotForReview("rules-diff");
        browser.go("#/approvals");
        browser.byTestId("kill-switch");
        screenshotForReview("approvals");
        browser.go("#/status");
        browser.until("the status", d -> !d.findElement(Browser.testId("status-health")).getText().isEmpty());
        screenshotForReview("status");
        browser.byTestId("theme-toggle").click();
        browser.go("#/incidents");
        browser.byTestId("filter-clear").click();
        browser.byTestId("incident-row");
        screenshotForReview("incidents-dark");
    }

    /** Views as the test left them, for a person reviewing a run: target/console-screenshots/. */
    private void screenshotForReview(String name) {
        browser.screenshot(Path.of(System.getProperty("basedir", ".")).resolve("target").resolve("console-screenshots")
                .resolve(name + ".png"));
    }

    // --- page steps ---------------------------------------------------------------------------

    private void login(String token) {
        browser.open(base + "/");
        browser.byTestId("login-token").sendKeys(token);
        browser.byTestId("login-submit").click();
        browser.until("logged in", d -> !d.findElement(Browser.testId("whoami")).getText().isEmpty());
    }

    private void awaitValidity(String state) {
        browser.until("the editor's package " + state, d ->
                state.equals(d.findElement(Browser.testId("validity")).getAttribute("data-state")));
    }

    private WebElement awaitApprovalRow(String target) {
        return browser.until("an action on " + target + " awaiting approval", d -> d
                .findElements(Browser.testId("approval-row")).stream()
                .filter(r -> r.getText().contains(target)).findFirst().orElse(null));
    }

    private WebElement entry(String kind) {
        return browser.driver().findElement(By.cssSelector("[data-testid='timeline-entry'][data-kind='" + kind + "']"));
    }

    /** A request from the page itself, with the token it logged in with: [status, body]. */
    private List<?> fetchFromPage(String method, String path, String body) {
        return (List<?>) browser.jsAsync("""
                const done = arguments[arguments.length - 1];
                fetch(arguments[1], {method: arguments[0], body: arguments[2], headers: {
                    'Authorization': 'Bearer ' + sessionStorage.getItem('reflex.token'),
                    'Content-Type': 'text/plain'}})
                  .then(r => r.text().then(t => done([r.status, t])))
                  .catch(e => done([0, String(e)]));
                """, method, path, body);
    }

    // --- Reflex over HTTP -----------------------------------------------------------------------

    private void deployWithApprovalRule() throws Exception {
        HttpResponse<String> deployed = post("/api/rules", demoDrl() + APPROVAL_RULES, ADMIN_TOKEN);
        assertThat(deployed.statusCode()).as(deployed.body()).isEqualTo(201);
    }

    private String demoDrl() throws IOException {
        try (var in = getClass().getResourceAsStream("/io/reflex/rules/demo/demo.drl")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private long activeVersion() throws Exception {
        return Json.MAPPER.readTree(get("/api/rules", ADMIN_TOKEN).body()).path("active").asLong();
    }

    private JsonNode action(String actionId) throws Exception {
        for (JsonNode item : Json.MAPPER.readTree(get("/api/actions", ADMIN_TOKEN).body())) {
            if (item.path("actionId").asText().equals(actionId)) {
                return item;
            }
        }
        throw new AssertionError("no action " + actionId + " in GET /api/actions");
    }

    private void awaitDemoShopRunning() {
        // The demo starts demo-shop with Reflex; restarting it before it runs would test nothing.
        Path pidFile = dataDir.resolve("run").resolve(Demo.SERVICE + ".pid");
        await("demo-shop running").atMost(BOUND).until(() -> Files.exists(pidFile) && ProcessHandle
                .of(Long.parseLong(Files.readString(pidFile).trim())).map(ProcessHandle::isAlive).orElse(false));
    }

    private static String alertmanager(String name, Map<String, String> labels, boolean resolved) {
        JsonNodeFactory json = JsonNodeFactory.instance;
        ObjectNode body = json.objectNode().put("version", "4").put("receiver", "reflex")
                .put("status", resolved ? "resolved" : "firing");
        ObjectNode alert = body.putArray("alerts").addObject().put("status", resolved ? "resolved" : "firing");
        ObjectNode labelNode = alert.putObject("labels").put("alertname", name);
        labels.forEach(labelNode::put);
        alert.putObject("annotations").put("summary", name + " posted by the console's browser test");
        alert.put("startsAt", Instant.now().minusSeconds(5).truncatedTo(ChronoUnit.MILLIS).toString());
        alert.put("endsAt", resolved ? Instant.now().toString() : "0001-01-01T00:00:00Z");
        alert.put("fingerprint", Integer.toHexString((name + labels).hashCode()));
        body.set("commonLabels", labelNode.deepCopy());
        body.put("groupKey", "{}:{alertname=\"" + name + "\"}");
        return body.toString();
    }

    private HttpResponse<String> postHook(String body) throws Exception {
        return post("/hooks/alertmanager", body, null);
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET(), token);
    }

    private HttpResponse<String> post(String path, String body, String token) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(body)), token);
    }

    private HttpResponse<String> send(HttpRequest.Builder request, String token) throws Exception {
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
