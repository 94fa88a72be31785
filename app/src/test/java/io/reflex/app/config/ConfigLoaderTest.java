package io.reflex.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.reflex.drill.gameday.Schedule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    private final ConfigLoader loader = new ConfigLoader(tree -> tree.put("demoApplied", true));

    private CliOverrides file(String yaml) throws IOException {
        Path file = dir.resolve("reflex.yaml");
        Files.writeString(file, yaml);
        return new CliOverrides(file, null, null, null, null, true);
    }

    @Test
    void defaultsRunEveryRoleOnTheEmbeddedBrokerOnPort8080() {
        ReflexConfig config = loader.load(new CliOverrides(null, null, null, null, null, true), Map.of());
        assertThat(config.httpPort()).isEqualTo(8080);
        assertThat(config.httpHost()).isEqualTo("127.0.0.1");
        assertThat(config.dataDir()).isEqualTo(Path.of("./data"));
        assertThat(config.roles()).containsExactlyInAnyOrder(Role.values());
        assertThat(config.embeddedKafka()).isTrue();
        assertThat(config.demo()).isFalse();
    }

    @Test
    void flagsBeatEnvironmentWhichBeatsTheFile() throws IOException {
        CliOverrides cli = file("http:\n  port: 7000\ndataDir: /from/file\n");
        ReflexConfig fromFile = loader.load(cli, Map.of());
        assertThat(fromFile.httpPort()).isEqualTo(7000);
        assertThat(fromFile.dataDir()).isEqualTo(Path.of("/from/file"));

        ReflexConfig fromEnv = loader.load(cli, Map.of("REFLEX_HTTP_PORT", "7100", "REFLEX_DATA_DIR", "/from/env"));
        assertThat(fromEnv.httpPort()).isEqualTo(7100);
        assertThat(fromEnv.dataDir()).isEqualTo(Path.of("/from/env"));

        CliOverrides flags = new CliOverrides(cli.configFile(), 7200, Path.of("/from/flag"), null, null, true);
        ReflexConfig fromFlags = loader.load(flags, Map.of("REFLEX_HTTP_PORT", "7100"));
        assertThat(fromFlags.httpPort()).isEqualTo(7200);
        assertThat(fromFlags.dataDir()).isEqualTo(Path.of("/from/flag"));
    }

    @Test
    void kafkaKeysPassStraightToTheClientsAndAnExternalClusterTurnsTheEmbeddedBrokerOff() throws IOException {
        ReflexConfig config = loader.load(file("kafka:\n  bootstrap.servers: k1:9092\n  security:\n    protocol: SSL\n"),
                Map.of("REFLEX_KAFKA_SASL_JAAS_CONFIG", "secret-jaas", "REFLEX_KAFKA_LINGER_MS", "5"));
        assertThat(config.kafka()).containsEntry("bootstrap.servers", "k1:9092")
                .containsEntry("security.protocol", "SSL")
                .containsEntry("linger.ms", "5")
                .containsEntry("sasl.jaas.config", "secret-jaas");
        assertThat(config.embeddedKafka()).isFalse();
        assertThat(config.toString()).doesNotContain("secret-jaas").contains("sasl.jaas.config=****");
    }

    @Test
    void drillFilesLiveUnderTheDataDirUnlessDrillDirSaysOtherwise() throws IOException {
        ReflexConfig defaults = loader.load(new CliOverrides(null, null, Path.of("/srv/reflex"), null, null, true),
                Map.of());
        assertThat(defaults.drillDir()).isEqualTo(Path.of("/srv/reflex/drills"));
        assertThat(defaults.drill().maxRuns()).isEqualTo(200);
        assertThat(defaults.drill().prometheusUrl()).isNull();

        ReflexConfig fromFile = loader.load(file("drill:\n  dir: /etc/reflex/drills\n  maxRuns: 50\n"),
                Map.of("REFLEX_DRILL_PROMETHEUS_URL", "http://prom:9090", "REFLEX_DRILL_MAX_RUNS", "20"));
        assertThat(fromFile.drillDir()).isEqualTo(Path.of("/etc/reflex/drills"));
        assertThat(fromFile.drill().maxRuns()).isEqualTo(20);
        assertThat(fromFile.drill().prometheusUrl()).isEqualTo("http://prom:9090");
    }

    @Test
    void drillSchedulesAreReadWithTheirFileInTheDrillDir() throws IOException {
        Path drills = Files.createDirectories(dir.resolve("drills"));
        Files.writeString(drills.resolve("nightly.yaml"), "name: nightly\ndrills: [kill.yaml]\n");
        ReflexConfig config = loader.load(file("drill:\n  dir: " + drills + "\n  schedules:\n"
                + "    - {name: nightly, cron: \"0 3 * * MON-FRI\", zone: Europe/Berlin, file: nightly.yaml}\n"), Map.of());
        assertThat(config.drill().schedules()).containsExactly(
                new Schedule("nightly", "0 3 * * MON-FRI", "Europe/Berlin", "nightly.yaml"));
        assertThat(loader.load(new CliOverrides(null, null, null, null, null, true), Map.of()).drill().schedules())
                .isEmpty();
    }

    @Test
    void aScheduleMayNameADemoDrillFileBeforeTheDemoFirstWritesItButOnlyWithTheDemo() throws IOException {
        Path drills = Files.createDirectories(dir.resolve("empty-drills"));
        String yaml = "drill:\n  dir: " + drills + "\n  schedules:\n"
                + "    - {name: nightly, cron: \"@daily\", file: gameday-demo.yaml}\n";
        Path file = Files.writeString(dir.resolve("reflex.yaml"), yaml);
        ReflexConfig withDemo = loader.load(new CliOverrides(file, null, null, null, null, false), Map.of());
        assertThat(withDemo.drill().schedules()).extracting(Schedule::file).containsExactly("gameday-demo.yaml");

        ConfigException withoutDemo = catchThrowableOfType(ConfigException.class, () -> loader.load(file(yaml), Map.of()));
        assertThat(withoutDemo.problems())
                .anyMatch(p -> p.startsWith("drill.schedules[0].file: there is no file 'gameday-demo.yaml'"));
    }

    @Test
    void everyScheduleProblemIsNamedWithItsPath() throws IOException {
        Path drills = Files.createDirectories(dir.resolve("drills"));
        Files.writeString(drills.resolve("ok.yaml"), "name: ok\n");
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.load(file("drill:\n  dir: "
                + drills + "\n  schedules:\n"
                + "    - {name: a, cron: \"0 25 * * *\", file: ok.yaml}\n"
                + "    - {name: b, cron: \"@daily\", zone: Mars/Olympus, file: missing.yaml}\n"
                + "    - {cron: \"@daily\", file: ../reflex.yaml}\n"), Map.of()));
        assertThat(e.problems()).anyMatch(p -> p.startsWith("drill.schedules[0].cron: "))
                .contains("drill.schedules[1].zone: 'Mars/Olympus' is not a time zone; write a region such as"
                        + " Europe/Berlin or UTC")
                .anyMatch(p -> p.startsWith("drill.schedules[1].file: there is no file 'missing.yaml' in the drill dir"))
                .anyMatch(p -> p.startsWith("drill.schedules[2].name: is missing"))
                .anyMatch(p -> p.startsWith("drill.schedules[2].file: '../reflex.yaml' is outside the drill dir"))
                .noneMatch(p -> p.startsWith("drill.schedules[0].file"));
        e = catchThrowableOfType(ConfigException.class, () -> loader.load(file("drill:\n  dir: " + drills
                + "\n  schedules:\n    - {name: a, cron: \"@daily\", file: ok.yaml, when: now}\n"), Map.of()));
        assertThat(e.getMessage()).contains("drill.schedules[0].when: unknown setting");
    }

    @Test
    void everyDrillSettingProblemIsNamed() throws IOException {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.load(
                file("drill:\n  maxRuns: 0\n  prometheusUrl: prom:9090\n  colour: red\n"), Map.of()));
        assertThat(e.getMessage()).contains("drill.colour: unknown setting");
        e = catchThrowableOfType(ConfigException.class, () -> loader.load(
                file("drill:\n  maxRuns: 0\n  prometheusUrl: prom:9090\n"), Map.of()));
        assertThat(e.problems()).containsExactlyInAnyOrder(
                "drill.maxRuns must be at least 1 (how many run reports are kept), got 0",
                "drill.prometheusUrl 'prom:9090' is not an http(s) URL such as http://127.0.0.1:9090");
    }

    @Test
    void rolesComeFromTheFlagOrTheEnvironment() {
        CliOverrides cli = new CliOverrides(null, null, null, "k:9092", "rules, remediator,drill", true);
        assertThat(loader.load(cli, Map.of()).roles()).containsExactlyInAnyOrder(Role.RULES, Role.REMEDIATOR,
                Role.DRILL);
        CliOverrides none = new CliOverrides(null, null, null, null, null, true);
        assertThat(loader.load(none, Map.of("REFLEX_ROLES", "ingest")).roles()).containsExactly(Role.INGEST);
    }

    @Test
    void everyProblemIsReportedAtOnce() throws IOException {
        CliOverrides cli = file("""
                http:
                  port: 99999
                roles: [ingest, brewing]
                colour: blue
                remediator:
                  maxPollRecords: 0
                """);
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.load(cli, Map.of()));
        assertThat(e.problems()).hasSize(4);
        assertThat(e.getMessage())
                .contains("http.port must be between 0 and 65535, got 99999")
                .contains("unknown role 'brewing'; roles are ingest, rules, remediator, console")
                .contains("unknown setting 'colour'")
                .contains("remediator.maxPollRecords must be at least 1, got 0");
    }

    @Test
    void anUnknownKeyInARoleSectionIsNamed() throws IOException {
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> loader.load(file("console:\n  maxIncidentz: 5\n"), Map.of()));
        assertThat(e.getMessage()).contains("console").contains("maxIncidentz");
    }

    @Test
    void aMissingConfigFileIsAProblemNotACrash() {
        CliOverrides cli = new CliOverrides(dir.resolve("nope.yaml"), null, null, null, null, true);
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.load(cli, Map.of()));
        assertThat(e.getMessage()).contains("nope.yaml does not exist");
    }

    @Test
    void aSecretWrittenInTheWrongShapeIsNotEchoedInTheError() throws IOException {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.load(file("""
                ingest:
                  sources:
                    alertmanager: {auth: {type: bearer, tokens: {nested: s3cr3t-token-0123456789}}}
                """), Map.of()));
        assertThat(e.getMessage()).contains("ingest.sources.alertmanager.auth.tokens[0]: expected a string")
                .doesNotContain("s3cr3t");
    }

    @Test
    void apiTokensComeFromTheValueAFileOrTheEnvironment() throws IOException {
        Path secretFile = Files.writeString(dir.resolve("ana.token"), "  ana-secret-from-file\n");
        ReflexConfig config = loader.load(file("""
                auth:
                  tokens:
                    - {name: ana, role: admin, tokenFile: %s}
                    - {name: ci, role: Author, tokenEnv: CI_TOKEN}
                    - {name: wall, role: viewer, token: wall-literal-secret}
                """.formatted(secretFile)), Map.of("CI_TOKEN", "ci-secret-from-env\n"));
        assertThat(config.apiTokens()).containsExactly(
                new io.reflex.app.auth.ApiToken("ana", io.reflex.app.auth.ApiRole.ADMIN, "ana-secret-from-file"),
                new io.reflex.app.auth.ApiToken("ci", io.reflex.app.auth.ApiRole.AUTHOR, "ci-secret-from-env"),
                new io.reflex.app.auth.ApiToken("wall", io.reflex.app.auth.ApiRole.VIEWER, "wall-literal-secret"));
        assertThat(config.toString()).contains("ana", "ci", "wall")
                .doesNotContain("ana-secret-from-file", "ci-secret-from-env", "wall-literal-secret");
        assertThat(loader.load(new CliOverrides(null, null, null, null, null, true), Map.of()).apiTokens())
                .as("none configured: Reflex makes its admin token at start").isEmpty();
    }

    @Test
    void everyTokenProblemIsReportedAtOnceWithItsPathAndNoSecret() throws IOException {
        Files.writeString(dir.resolve("empty.token"), "\n");
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.load(file("""
                auth:
                  tokens:
                    - {name: ana, role: admin, token: first-secret-aaaa}
                    - {name: ana, role: viewer, token: second-secret-bbbb}
                    - {name: bob, role: root, token: third-secret-cccc}
                    - {name: cy, role: operator}
                    - {name: dee, role: viewer, token: fourth-secret-dddd, tokenEnv: DEE_TOKEN}
                    - {name: eve, role: viewer, tokenEnv: EVE_TOKEN}
                    - {name: fay, role: viewer, tokenFile: %s}
                    - {name: gus, role: viewer, tokenFile: %s}
                    - {role: viewer, token: fifth-secret-eeee}
                    - {name: hal, role: author, token: first-secret-aaaa}
                    - {name: "i j", role: author, token: sixth-secret-ffff}
                """.formatted(dir.resolve("missing.token"), dir.resolve("empty.token"))), Map.of()));
        assertThat(e.problems()).containsExactlyInAnyOrder(
                "auth.tokens[1].name: 'ana' is already the name of auth.tokens[0]; every token needs its own name,"
                        + " or the records cannot say who did what",
                "auth.tokens[2].role: unknown role 'root'; roles are viewer, operator, author, admin",
                "auth.tokens[3]: give the secret with one of token, tokenFile (a file holding it) or tokenEnv"
                        + " (an environment variable holding it)",
                "auth.tokens[4]: give only one of token, tokenFile, tokenEnv; found token and tokenEnv",
                "auth.tokens[5].tokenEnv: the environment variable EVE_TOKEN is not set",
                "auth.tokens[6].tokenFile: " + dir.resolve("missing.token").toAbsolutePath() + " does not exist",
                "auth.tokens[7].tokenFile: " + dir.resolve("empty.token").toAbsolutePath() + " is empty",
                "auth.tokens[8].name: missing; name who uses the token (it is recorded as who did what)",
                "auth.tokens[9]: has the same token as auth.tokens[0]; give every name its own token",
                "auth.tokens[10].name: 'i j' may only have letters, digits and . _ @ + - (at most 64)");
        assertThat(e.getMessage()).doesNotContain("secret-");
    }

    @Test
    void anUnknownTokenKeyIsNamedWithoutItsValue() throws IOException {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.load(file("""
                auth:
                  tokens:
                    - {name: ana, role: admin, secret: not-shown-0123456789}
                """), Map.of()));
        assertThat(e.getMessage()).contains("auth.tokens[0].secret: unknown setting")
                .doesNotContain("not-shown-0123456789");
    }

    @Test
    void theCliTokenVariableIsNotTakenForASetting() {
        ReflexConfig config = loader.load(new CliOverrides(null, null, null, null, null, true),
                Map.of("REFLEX_TOKEN", "client-side-secret"));
        assertThat(config.apiTokens()).isEmpty();
    }
}
