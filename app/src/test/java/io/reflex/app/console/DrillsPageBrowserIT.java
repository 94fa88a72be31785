package io.reflex.app.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reflex.app.Reflex;
import io.reflex.app.config.CliOverrides;
import io.reflex.app.config.ConfigLoader;
import io.reflex.app.config.ReflexConfig;
import io.reflex.app.demo.Demo;
import io.reflex.app.demo.DemoDrill;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
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
 * The console's Drills page in a real headless Chromium against a real Reflex as {@code ./reflex
 * up} runs it: a viewer sees the demo drill but may not run it; an admin runs it from the page,
 * which really kills demo-shop, and the run page shows it passing with its four phases. It takes
 * {@code docs/screenshots/drill-report.png} (1280x800).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DrillsPageBrowserIT {
    private static final Duration BOUND = Duration.ofSeconds(60);
    /** The demo drill ends once demo-shop is healed (seconds), at worst at its timeout of 2 minutes. */
    private static final Duration DRILL_BOUND = Duration.ofMinutes(3);
    private static final String ADMIN_TOKEN = "admin-drill-page-token";
    private static final String VIEWER_TOKEN = "viewer-drill-page-token";
    private static final Path SCREENSHOTS = Path.of(System.getProperty("basedir", "."))
            .toAbsolutePath().normalize().resolveSibling("docs").resolve("screenshots");

    private final HttpClient http = HttpClient.newHttpClient();
    private Reflex reflex;
    private Browser browser;
    private String base;
    private Path dataDir;

    @BeforeAll
    void start(@TempDir Path dir) throws IOException {
        String missing = Browser.missingBinaries();
        Assumptions.assumeTrue(missing == null, missing);
        Path config = Files.writeString(dir.resolve("reflex.yaml"), """
                auth:
                  tokens:
                    - {name: admin, role: admin, token: %s}
                    - {name: val, role: viewer, token: %s}
                """.formatted(ADMIN_TOKEN, VIEWER_TOKEN));
        dataDir = dir.resolve("data");
        ReflexConfig loaded = new ConfigLoader(new Demo())
                .load(new CliOverrides(config, 0, dataDir, null, null, false), Map.of());
        String health = loaded.ingest().probes().stream().filter(p -> p.name().equals(Demo.SERVICE)).findFirst()
                .orElseThrow().url();
        reflex = new Reflex(loaded, Clock.systemUTC()).start();
        base = "http://127.0.0.1:" + reflex.httpPort();
        await("Reflex healthy").atMost(BOUND).until(() -> status(base + "/health") == 200);
        await("demo-shop healthy").atMost(BOUND).until(() -> status(health) == 200);
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
    void aViewerSeesTheDemoDrillButMayNotRunIt() {
        login(VIEWER_TOKEN);
        browser.byTestId("nav-drills").click();
        WebElement row = demoRow();
        assertThat(row.getText()).contains("kill-demo-shop", "restart_service service:demo-shop", "30 s");
        WebElement run = row.findElement(Browser.testId("drill-run-button"));
        assertThat(run.isEnabled()).isFalse();
        assertThat(run.getAttribute("title")).contains("Needs role operator");
        assertThat(row.findElement(Browser.testId("drill-run-denied")).getText()).isEqualTo("needs role operator");
        assertThat(browser.byTestId("drills-warning").getText()).contains("injects a real fault");
        assertThat(browser.byTestId("drill-runs-empty").getText()).contains("No drill has run yet");
    }

    @Test
    @Order(2)
    void anAdminRunsTheDemoDrillFromThePageAndSeesItPassWithItsFourPhases() throws IOException {
        browser.byTestId("logout").click();
        login(ADMIN_TOKEN);
        browser.go("#/drills");
        long before = demoShopPid();
        WebElement run = demoRow().findElement(Browser.testId("drill-run-button"));
        assertThat(run.isEnabled()).isTrue();
        run.click();
        assertThat(browser.byTestId("dialog-text").getText()).contains("injects a real fault");
        browser.byTestId("dialog-ok").click();

        browser.until("the run page", d -> d.getCurrentUrl().contains("#/drills/runs/drill-kill-demo-shop-"));
        browser.until("the drill ends", DRILL_BOUND, d -> {
            List<WebElement> status = d.findElements(Browser.testId("drill-run-status"));
            return !status.isEmpty() && status.get(0).getAttribute("data-status").matches("PASSED|FAILED");
        });
        WebElement verdict = browser.byTestId("drill-verdict");
        assertThat(verdict.getAttribute("data-passed")).as(verdict.getText()).isEqualTo("true");
        assertThat(verdict.getText()).startsWith("Passed: recovered in");
        for (String phase : List.of("detect", "decide", "act", "recover")) {
            WebElement box = browser.byTestId("drill-phase-" + phase);
            assertThat(box.getAttribute("data-ms")).as(phase).isNotEmpty();
        }
        assertThat(browser.byTestId("drill-phase-recover").getText()).contains("SLO 30 s");
        assertThat(browser.byTestId("drill-rules").getText()).contains(DemoDrill.RULE);
        assertThat(browser.byTestId("drill-expected").getText()).contains("restart_service service:demo-shop");
        assertThat(browser.byTestId("drill-progress").getText()).contains("queued from kill-demo-shop.yaml");
        String incident = browser.byTestId("drill-incident-link").getAttribute("href");
        assertThat(incident).contains("#/incidents/");
        assertThat(demoShopPid()).as("demo-shop was really killed and restarted").isNotEqualTo(before);
        browser.screenshot(SCREENSHOTS.resolve("drill-report.png"));

        browser.byTestId("back").click();
        browser.until("the run listed as passed", d -> d.findElements(By.cssSelector(
                "[data-testid='drill-run-row'][data-status='PASSED']")).size() == 1);

        browser.go(incident.substring(incident.indexOf('#')));
        browser.until("the drill's incident timeline", d -> !d.findElements(Browser.testId("incident-title")).isEmpty());
    }

    @Test
    @Order(3)
    void anAdminRunsAGameDayFromThePageAndSeesItsTotalsAndItsDrillRuns() throws IOException {
        Path drills = dataDir.resolve("drills");
        Files.writeString(drills.resolve("page-dry-run.yaml"), """
                name: page-dry-run
                mode: dry-run
                fault: {type: kill, service: %s}
                alert: {name: ServiceDown, labels: {service: %s}}
                expect: {rule: "%s", action: restart_service, target: "service:%s"}
                slo: 30s
                timeout: 1m
                """.formatted(Demo.SERVICE, Demo.SERVICE, DemoDrill.RULE, Demo.SERVICE));
        Files.writeString(drills.resolve("page-gameday.yaml"), """
                name: page
                drills:
                  - {file: page-dry-run.yaml, repeat: 2, pauseBetween: 1s}
                """);
        browser.go("#/drills");
        WebElement row = browser.until("the GameDay's row", d -> d.findElements(By.cssSelector(
                "[data-testid='drill-file-row'][data-file='page-gameday.yaml']")).stream().findFirst().orElse(null));
        assertThat(row.getAttribute("data-kind")).isEqualTo("gameday");
        assertThat(row.findElement(Browser.testId("gameday-mark")).getText()).isEqualTo("GameDay");
        assertThat(row.getText()).contains("2 drill runs");
        row.findElement(Browser.testId("drill-run-button")).click();
        assertThat(browser.byTestId("dialog-text").getText()).contains("runs 2 drills");
        browser.byTestId("dialog-ok").click();

        browser.until("the GameDay page", d -> d.getCurrentUrl().contains("#/drills/runs/gameday-page-"));
        browser.until("the GameDay ends", DRILL_BOUND, d -> {
            List<WebElement> status = d.findElements(Browser.testId("gameday-status"));
            return !status.isEmpty() && status.get(0).getAttribute("data-status").matches("PASSED|FAILED");
        });
        assertThat(browser.byTestId("gameday-status").getAttribute("data-status"))
                .as(browser.byTestId("gameday").getText()).isEqualTo("PASSED");
        assertThat(browser.byTestId("gameday-total-runs").getText()).contains("2 of 2");
        assertThat(browser.byTestId("gameday-total-passed").getText()).contains("2 / 0");
        // Dry runs inject nothing real: no coverage figure.
        assertThat(browser.byTestId("gameday-total-coverage").getText()).contains("—");
        assertThat(browser.byTestId("html-report-link").getAttribute("data-href")).endsWith("/report.html");
        List<WebElement> runs = browser.until("its drill runs", d -> {
            List<WebElement> rows = d.findElements(Browser.testId("gameday-run-row"));
            return rows.size() == 2 ? rows : null;
        });
        assertThat(runs.get(0).getText()).contains("page-dry-run", "dry-run");
        browser.screenshot(SCREENSHOTS.resolve("gameday.png"));

        runs.get(0).click();
        browser.until("the run page", d -> !d.findElements(Browser.testId("drill-run-gameday")).isEmpty());
        assertThat(browser.byTestId("drill-verdict").getAttribute("data-passed")).isEqualTo("true");

        browser.byTestId("back").click();
        browser.until("the GameDay listed as passed", d -> d.findElements(By.cssSelector(
                "[data-testid='gameday-row'][data-status='PASSED']")).size() == 1);
        assertThat(browser.byTestId("gameday-counts").getText()).isEqualTo("2 passed / 0 failed");
    }

    private WebElement demoRow() {
        return browser.until("the demo drill's row", d -> d.findElements(By.cssSelector(
                "[data-testid='drill-file-row'][data-file='" + DemoDrill.FILE + "']")).stream().findFirst().orElse(null));
    }

    private void login(String token) {
        browser.open(base + "/");
        browser.byTestId("login-token").sendKeys(token);
        browser.byTestId("login-submit").click();
        browser.until("logged in", d -> !d.findElement(Browser.testId("whoami")).getText().isEmpty());
    }

    private long demoShopPid() throws IOException {
        return Long.parseLong(Files.readString(dataDir.resolve("run").resolve(Demo.SERVICE + ".pid")).trim());
    }

    private int status(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
