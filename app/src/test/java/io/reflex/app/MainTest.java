package io.reflex.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reflex.app.config.CliOverrides;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class MainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void upTakesEveryFlagOfTheContract() {
        CliOverrides cli = Main.parseUp(List.of("--config", "r.yaml", "--port=9090", "--data-dir", "/tmp/d",
                "--kafka", "k:9092", "--roles", "rules,remediator", "--no-demo"));
        assertThat(cli).isEqualTo(new CliOverrides(Path.of("r.yaml"), 9090, Path.of("/tmp/d"), "k:9092",
                "rules,remediator", true));
    }

    @Test
    void aBadFlagSaysWhatIsWrong() {
        assertThatThrownBy(() -> Main.parseUp(List.of("--port", "http"))).hasMessageContaining("--port must be a number");
        assertThatThrownBy(() -> Main.parseUp(List.of("--colour"))).hasMessageContaining("unknown option [--colour]");
        assertThatThrownBy(() -> Main.parseUp(List.of("--kafka"))).hasMessageContaining("--kafka needs a value");
        assertThat(run("up", "--bogus")).isEqualTo(Main.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("reflex up --help");
    }

    @Test
    void helpListsCommandsAndUpHelpListsItsFlags() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("up").contains("send-alert");
        out.reset();
        assertThat(run("up", "--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("--config FILE", "--port N", "--data-dir DIR", "--kafka HOSTS", "--roles LIST", "--no-demo");
        assertThat(out.toString(StandardCharsets.UTF_8)).as("where the API token is and how to send it")
                .contains("auth.tokens", "DATA_DIR/auth/admin.token", "Authorization: Bearer");
        assertThat(Main.parseUp(List.of("-h"))).isNull();
    }

    @Test
    void anUnknownCommandIsAUsageError() {
        assertThat(run("upp")).isEqualTo(Main.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown command 'upp'");
    }

    @Test
    void aConfigurationErrorStopsBeforeAnythingStarts() {
        assertThat(run("up", "--config", "/nonexistent/reflex.yaml", "--no-demo")).isEqualTo(Main.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("/nonexistent/reflex.yaml does not exist");
    }
}
