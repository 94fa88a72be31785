package io.reflex.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code reflex drill}: help, usage errors and drill-file errors, which all stop before any fault. */
class DrillCommandTest {
    private static final String DRILL = """
            name: kill-demo-shop
            steadyState: {http: "http://127.0.0.1:1/health"}
            fault: {type: kill, service: demo-shop}
            expect: {action: restart_service}
            slo: 30s
            """;

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void helpShowsTheFileFormatAndExitCodes() {
        assertThat(run("drill", "--help")).isEqualTo(Main.OK);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("reflex drill run FILE").contains("steadyState:")
                .contains("Exit status: 0 when the drill passed");
        out.reset();
        assertThat(run("help", "drill")).isEqualTo(Main.OK);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("reflex drill run FILE");
        out.reset();
        assertThat(run("drill", "run", "--help")).isEqualTo(Main.OK);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--data-dir DIR");
    }

    @Test
    void usageErrorsExitTwo() {
        assertThat(run("drill")).isEqualTo(Main.USAGE);
        assertThat(run("drill", "explode")).isEqualTo(Main.USAGE);
        assertThat(run("drill", "run")).isEqualTo(Main.USAGE);
        assertThat(run("drill", "run", "a.yaml", "--color")).isEqualTo(Main.USAGE);
        assertThat(run("drill", "run", "a.yaml", "--url")).isEqualTo(Main.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown subcommand 'explode'")
                .contains("unknown option '--color'").contains("--url needs a value");
    }

    @Test
    void aWrongDrillFileListsEveryProblemAndExitsTwo() throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, "name: x\nfault: {type: kill, signal: HUP}\nslo: soon\n");
        assertThat(run("drill", "run", file.toString(), "--data-dir", dir.toString())).isEqualTo(Main.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains(file + ": 5 problems")
                .contains("steadyState: is missing").contains("fault.service: is missing")
                .contains("fault.signal: 'HUP' is not a signal").contains("expect: is missing").contains("slo: ");
    }

    @Test
    void withoutKafkaAndWithoutTheDataDirOfAReflexUpItSaysWhatToGive() throws Exception {
        Path file = dir.resolve("kill.yaml");
        Files.writeString(file, DRILL);
        assertThat(run("drill", "run", file.toString(), "--data-dir", dir.resolve("nowhere").toString()))
                .isEqualTo(Main.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("no embedded Kafka broker recorded in")
                .contains("--kafka HOST:PORT");
    }

    @Test
    void theEmbeddedBrokerIsFoundInTheServerPropertiesReflexUpWrote() throws Exception {
        Files.createDirectories(dir.resolve("kafka"));
        Files.writeString(dir.resolve("kafka/server.properties"),
                "advertised.listeners=PLAINTEXT\\://127.0.0.1\\:39092\nnode.id=1\n");
        assertThat(DrillCommand.embeddedBroker(dir)).isEqualTo("127.0.0.1:39092");
    }
}
