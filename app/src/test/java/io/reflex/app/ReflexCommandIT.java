package io.reflex.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command as a user runs it: {@code ./reflex up} in a process of its own,
 * the console URL on its output, {@code /health} UP, and SIGTERM (what Ctrl-C and
 * {@code docker stop} send) stopping everything, the managed demo-shop process included.
 */
class ReflexCommandIT {
    private static final Pattern CONSOLE_URL = Pattern.compile("console\\s+(http://\\S+/)");
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path dataDir;

    private Process reflex;
    private final List<String> output = new CopyOnWriteArrayList<>();

    @AfterEach
    void kill() {
        if (reflex != null && reflex.isAlive()) {
            reflex.descendants().forEach(ProcessHandle::destroyForcibly);
            reflex.destroyForcibly();
        }
    }

    @Test
    void upPrintsTheConsoleUrlAnswersHealthAndStopsEverythingOnSigterm() throws Exception {
        assertThat(REPO.resolve("app/target/reflex.jar")).as("run after `package`").exists();
        ProcessBuilder command = new ProcessBuilder(List.of("./reflex", "up", "--port", "0", "--data-dir",
                dataDir.toString())).directory(REPO.toFile()).redirectErrorStream(true);
        command.environment().put("REFLEX_SKIP_BUILD", "1");
        reflex = command.start();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(
                    new InputStreamReader(reflex.getInputStream(), StandardCharsets.UTF_8))) {
                lines.lines().forEach(output::add);
            } catch (IOException e) {
                output.add("(output closed: " + e + ")");
            }
        });
        reader.setDaemon(true);
        reader.start();

        String[] url = new String[1];
        await("console URL printed").atMost(Duration.ofSeconds(90)).until(() -> {
            for (String line : output) {
                Matcher m = CONSOLE_URL.matcher(line);
                if (m.find()) {
                    url[0] = m.group(1);
                    return true;
                }
            }
            assertThat(reflex.isAlive()).as("reflex exited early:\n%s", String.join("\n", output)).isTrue();
            return false;
        });

        Path tokenFile = dataDir.resolve("auth/admin.token");
        String tokenLine = "api token " + tokenFile.toAbsolutePath().normalize();
        await("where the generated API token is printed").atMost(Duration.ofSeconds(10))
                .until(() -> output.stream().anyMatch(line -> line.contains(tokenLine)));
        String token = Files.readString(tokenFile).strip();
        assertThat(output).noneSatisfy(line -> assertThat(line).contains(token));

        HttpClient http = HttpClient.newHttpClient();
        await("health UP").atMost(Duration.ofSeconds(60)).until(() -> http.send(
                HttpRequest.newBuilder(URI.create(url[0] + "health")).build(),
                HttpResponse.BodyHandlers.ofString()).body().contains("\"status\":\"UP\""));
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(url[0])).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<title>Reflex");

        long demoShop = Long.parseLong(Files.readString(dataDir.resolve("run/demo-shop.pid")).trim());
        assertThat(ProcessHandle.of(demoShop)).isPresent();

        reflex.toHandle().destroy(); // SIGTERM
        assertThat(reflex.waitFor(60, TimeUnit.SECONDS)).as("reflex stops within a minute").isTrue();
        assertThat(output).contains("Reflex stopped.");
        assertThat(ProcessHandle.of(demoShop).map(ProcessHandle::isAlive).orElse(false))
                .as("demo-shop stopped with Reflex").isFalse();
    }
}
