package io.reflex.app.console;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The system's headless Chromium driven through the system chromedriver (Debian packages
 * {@code chromium} and {@code chromium-driver}; {@code .ci/run} installs them). Selenium's own
 * driver manager is never used: it would download drivers, which this machine cannot.
 */
final class Browser implements AutoCloseable {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final int WIDTH = 1280;
    static final int HEIGHT = 800;

    private final ChromeDriverService service;
    private final ChromeDriver driver;
    private final Duration bound;

    /** Null when a binary is missing: the reason to skip, naming what to install. */
    static String missingBinaries() {
        for (Path binary : List.of(CHROMIUM, CHROMEDRIVER)) {
            if (!Files.isExecutable(binary)) {
                return binary + " is missing: install the Debian packages chromium and chromium-driver"
                        + " (.ci/run does) to run the console's browser tests";
            }
        }
        return null;
    }

    /**
     * @param profile an empty directory for the browser's profile (a fresh one per run)
     * @param bound   how long a wait for the page may take before the test fails
     */
    Browser(Path profile, Duration bound) {
        this.bound = bound;
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // As root in a container Chromium needs --no-sandbox; the rest keeps it from calling home.
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile.toAbsolutePath(),
                "--window-size=" + WIDTH + "," + HEIGHT, "--lang=en-GB");
        // The page's console messages, for the failure report of a wait.
        options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
        service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
        // The viewport itself at 1280x800 (the window's frame would otherwise take some of it).
        driver.executeCdpCommand("Emulation.setDeviceMetricsOverride",
                Map.of("width", WIDTH, "height", HEIGHT, "deviceScaleFactor", 1, "mobile", false));
    }

    WebDriver driver() {
        return driver;
    }

    void open(String url) {
        driver.get(url);
    }

    /** Follows an in-page link (hash routing): the page is not reloaded. */
    void go(String hash) {
        js("location.hash = arguments[0]", hash);
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** Runs an async script whose last argument is its callback. */
    Object jsAsync(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeAsyncScript(script, args);
    }

    /** Waits for the condition; when it does not come, fails with what the page showed and logged. */
    <T> T until(String what, Function<WebDriver, T> condition) {
        return until(what, bound, condition);
    }

    /** As {@link #until(String, Function)}, with a bound of its own (a drill takes longer than a page). */
    <T> T until(String what, Duration bound, Function<WebDriver, T> condition) {
        try {
            // A view may rebuild what the condition looks at while it looks: try again.
            return new WebDriverWait(driver, bound, Duration.ofMillis(100)).withMessage(what)
                    .ignoring(StaleElementReferenceException.class).until(condition);
        } catch (TimeoutException e) {
            throw new AssertionError("waited " + bound.toSeconds() + " s for " + what + "; the page at "
                    + driver.getCurrentUrl() + " showed:\n" + text() + "\nand logged:\n" + consoleLog(), e);
        }
    }

    private String text() {
        try {
            String body = driver.findElement(By.tagName("body")).getText();
            return body.length() > 3000 ? body.substring(0, 3000) + "…" : body;
        } catch (RuntimeException e) {
            return "(no page text: " + e + ")";
        }
    }

    private String consoleLog() {
        try {
            StringBuilder out = new StringBuilder();
            for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER)) {
                out.append(entry.getLevel()).append(' ').append(entry.getMessage()).append('\n');
            }
            return out.toString();
        } catch (RuntimeException e) {
            return "(no log: " + e + ")";
        }
    }

    WebElement byTestId(String testId) {
        return until("element [data-testid=" + testId + "]", d -> {
            List<WebElement> found = d.findElements(testId(testId));
            return found.isEmpty() || !found.get(0).isDisplayed() ? null : found.get(0);
        });
    }

    static By testId(String testId) {
        return By.cssSelector("[data-testid='" + testId + "']");
    }

    /** A PNG of the viewport, WIDTH x HEIGHT. */
    void screenshot(Path file) {
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the screenshot " + file, e);
        }
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            service.stop();
        }
    }
}
