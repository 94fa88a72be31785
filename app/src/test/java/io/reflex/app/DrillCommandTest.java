package io.reflex.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.reflex.app.demo.DemoDrill;
import io.reflex.drill.DrillDefinition;
import io.reflex.drill.DrillFile;
import io.reflex.drill.DrillMode;
import io.reflex.drill.gameday.GameDay;
import io.reflex.drill.gameday.GameDayFile;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code reflex drill run|gameday|dr}: help, usage errors and drill-file errors, which all stop before any fault. */
class DrillCommandTest {
    private static final String DRILL = """
            name: kill-demo-shop
            steadyState: {http: "http://127.0.0.1:1/health"}
            fault: {type: kill, service: demo-shop}
            expect: {action: restart_service}
            slo: 30s
            """;
    private static final String DR = """
            name: kill-rules
            kind: dr
            traffic: {alerts: 60, over: 10s}
            kill: {role: rules, pidFile: run/rules.pid, after: 3s}
            timeout: 1m
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
                .contains("Exit status: 0 when the drill passed")
                .contains("reflex drill gameday FILE").contains("reflex drill dr FILE")
                .contains("mode: dry-run").contains("type: alert-storm").contains("guardrail: blastRadius")
                .contains("type: ssh-stop").contains("type: scale-to-zero").contains("type: cordon")
                .contains("drills:").contains("kind: dr").contains("restartBroker")
                .contains("--html OUT").contains("--prometheus URL");
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
                .contains("`reflex drill gameday FILE`").contains("`reflex drill dr FILE`")
                .contains("unknown option '--color'").contains("--url needs a value");
        err.reset();
        assertThat(run("drill", "gameday")).isEqualTo(Main.USAGE);
        assertThat(run("drill", "gameday", "a.yaml", "b.yaml")).isEqualTo(Main.USAGE);
        assertThat(run("drill", "gameday", "a.yaml", "--prometheus", "localhost:9090")).isEqualTo(Main.USAGE);
        assertThat(run("drill", "dr", "a.yaml", "--url", "http://127.0.0.1:8080")).isEqualTo(Main.USAGE);
        assertThat(run("drill", "dr", "a.yaml", "--html", "out.html")).isEqualTo(Main.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("reflex drill gameday: name exactly one GameDay file;")
                .contains("name exactly one GameDay file, not 2")
                .contains("--prometheus 'localhost:9090' is not an http(s) URL")
                .contains("reflex drill dr: unknown option '--url'").contains("reflex drill dr: unknown option '--html'");
    }

    @Test
    void aMissingFileIsNamedWithWhereItWasLookedFor() {
        for (String command : new String[] {"run", "gameday", "dr"}) {
            err.reset();
            assertThat(run("drill", command, dir.resolve("nope.yaml").toString())).isEqualTo(Main.USAGE);
            assertThat(err.toString(StandardCharsets.UTF_8))
                    .startsWith("reflex drill " + command + ": there is no file " + dir.resolve("nope.yaml"))
                    .contains("give the path of a drill YAML file");
        }
    }

    @Test
    void aFileGivenToTheWrongSubcommandIsRedirectedToTheRightOne() throws Exception {
        Path dr = Files.writeString(dir.resolve("dr.yaml"), DR);
        Path drill = Files.writeString(dir.resolve("kill.yaml"), DRILL);
        Path gameDay = Files.writeString(dir.resolve("day.yaml"), "name: day\ndrills: [kill.yaml]\n");

        assertThat(run("drill", "run", dr.toString())).isEqualTo(Main.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("reflex drill run: " + dr + " is a DR drill (kind: dr); run it with `reflex drill dr " + dr + "`");
        err.reset();
        assertThat(run("drill", "run", gameDay.toString())).isEqualTo(Main.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains(gameDay + " is a GameDay (it lists drills); run it with `reflex drill gameday " + gameDay + "`");
        err.reset();
        assertThat(run("drill", "gameday", drill.toString())).isEqualTo(Main.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains(drill + " is a single drill; run it with `reflex drill run " + drill + "`");
        err.reset();
        assertThat(run("drill", "gameday", dr.toString())).isEqualTo(Main.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("run it with `reflex drill dr " + dr + "`");
        err.reset();
        assertThat(run("drill", "dr", drill.toString())).isEqualTo(Main.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains(drill + " is a live or dry-run drill (no kind: dr); run it with `reflex drill run " + drill + "`");
        err.reset();
        assertThat(run("drill", "dr", gameDay.toString())).isEqualTo(Main.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("run it with `reflex drill gameday " + gameDay + "`");
    }

    @Test
    void aGameDayWithBrokenOrMissingDrillFilesListsEveryProblemWithItsPathAndRunsNothing() throws Exception {
        Files.writeString(dir.resolve("kill.yaml"), DRILL);
        Files.writeString(dir.resolve("broken.yaml"), "name: broken\nfault: {type: kill}\nslo: 30s\n");
        Path gameDay = Files.writeString(dir.resolve("day.yaml"), """
                name: day
                drills:
                  - kill.yaml
                  - {file: broken.yaml, repeat: 2}
                  - missing.yaml
                  - {file: kill.yaml, repeat: zero}
                """);
        // No Kafka and no Reflex: the file problems are found before either is looked for.
        assertThat(run("drill", "gameday", gameDay.toString(), "--data-dir", dir.resolve("nowhere").toString()))
                .isEqualTo(Main.USAGE);
        String printed = err.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains(gameDay + ": ")
                .contains("drills[1].file (broken.yaml): steadyState: is missing")
                .contains("drills[1].file (broken.yaml): fault.service: is missing")
                .contains("drills[1].file (broken.yaml): expect: is missing")
                .contains("drills[2] (missing.yaml): (file): cannot be read")
                .contains("drills[3].repeat: 'zero' is not a number of runs")
                .doesNotContain("Kafka");
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void aDrDrillAskingForABrokerRestartIsRefusedSayingWhereItCanRun() throws Exception {
        Path file = Files.writeString(dir.resolve("dr.yaml"), DR + "restartBroker: {after: 6s}\n");
        assertThat(run("drill", "dr", file.toString(), "--kafka", "127.0.0.1:1")).isEqualTo(Main.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("asks for a broker restart (restartBroker)")
                .contains("needs the drill to run inside the process hosting the embedded broker")
                .contains("Remove restartBroker");
    }

    @Test
    void aWrongDrDrillFileListsEveryProblemAndExitsTwo() throws Exception {
        Path file = Files.writeString(dir.resolve("dr.yaml"), "name: x\nkind: dr\nkill: {role: ingest}\n");
        assertThat(run("drill", "dr", file.toString())).isEqualTo(Main.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains(file + ": ").contains("traffic")
                .contains("kill.role: 'ingest' is not a role a DR drill kills");
    }

    @Test
    void withoutKafkaAGameDayAndADrDrillSayWhatToGive() throws Exception {
        DemoDrill.write(dir.resolve("drills"), "http://127.0.0.1:1/health");
        assertThat(run("drill", "gameday", dir.resolve("drills").resolve(DemoDrill.GAMEDAY_FILE).toString(),
                "--data-dir", dir.resolve("nowhere").toString())).isEqualTo(Main.USAGE);
        Path dr = Files.writeString(dir.resolve("dr.yaml"), DR);
        assertThat(run("drill", "dr", dr.toString(), "--data-dir", dir.resolve("nowhere").toString()))
                .isEqualTo(Main.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("reflex drill gameday: no embedded Kafka broker recorded in")
                .contains("reflex drill dr: no embedded Kafka broker recorded in").contains("--kafka HOST:PORT");
    }

    @Test
    void theDemoWritesALiveDrillADryRunAndAGameDayOfTwentyThatTheCommandsAccept() throws Exception {
        Path drills = dir.resolve("drills");
        assertThat(DemoDrill.write(drills, "http://127.0.0.1:4321/health")).isEqualTo(DemoDrill.Outcome.WRITTEN);

        DrillDefinition kill = DrillFile.read(drills.resolve(DemoDrill.FILE));
        assertThat(kill.mode()).isEqualTo(DrillMode.LIVE);
        assertThat(Files.readString(drills.resolve(DemoDrill.FILE))).contains("http://127.0.0.1:4321/health");
        DrillDefinition dry = DrillFile.read(drills.resolve(DemoDrill.DRY_RUN_FILE));
        assertThat(dry.name()).isEqualTo("dry-run-demo-shop");
        assertThat(dry.mode()).isEqualTo(DrillMode.DRY_RUN);
        assertThat(dry.alert().name()).isEqualTo("ServiceDown");
        assertThat(dry.alert().labels()).containsEntry("service", "demo-shop");
        assertThat(dry.expect().describe()).contains(DemoDrill.RULE).contains("restart_service service:demo-shop");

        GameDay gameDay = GameDayFile.read(drills.resolve(DemoDrill.GAMEDAY_FILE));
        assertThat(gameDay.runs()).isEqualTo(20);
        assertThat(gameDay.entries()).extracting(e -> e.drill().name(), GameDay.Entry::repeat)
                .containsExactly(Tuple.tuple("kill-demo-shop", 16),
                        Tuple.tuple("dry-run-demo-shop", 4));
        assertThat(gameDay.entries()).allSatisfy(e -> assertThat(e.pauseBetween()).hasSeconds(3));

        // A file someone edited (the marker line deleted) is theirs: kept on the next start.
        Files.writeString(drills.resolve(DemoDrill.GAMEDAY_FILE), "name: mine\ndrills: [kill-demo-shop.yaml]\n");
        DemoDrill.write(drills, "http://127.0.0.1:9999/health");
        assertThat(Files.readString(drills.resolve(DemoDrill.GAMEDAY_FILE))).startsWith("name: mine");
        assertThat(Files.readString(drills.resolve(DemoDrill.FILE))).contains("http://127.0.0.1:9999/health");
    }

    @Test
    void gameDayProgressDurationsReadLikeTheReport() {
        assertThat(DrillCommand.human(850)).isEqualTo("850ms");
        assertThat(DrillCommand.human(3_140)).isEqualTo("3.1s");
        assertThat(DrillCommand.human(125_000)).isEqualTo("2m05s");
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
