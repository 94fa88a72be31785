package io.reflex.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.reflex.rules.RuleCompiler;
import io.reflex.rules.RuleError;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code reflex rules validate FILE...} on files in a temporary directory, with the real rule compiler. */
class RulesCommandTest {
    private static final String HEADER = """
            package io.reflex.rules.test;

            import io.reflex.model.AlertEvent;
            import io.reflex.model.AlertStatus;

            global io.reflex.rules.Remediate remediate;

            """;

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private String write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text).toString();
    }

    @Test
    void aPackageThatCompilesIsReportedValidWithExitZero() throws IOException {
        String demo = write("demo.drl", RuleCompiler.demoPackage());

        assertThat(run("rules", "validate", demo)).isEqualTo(Main.OK);
        assertThat(out()).isEqualTo(demo + ": valid" + System.lineSeparator());
        assertThat(err()).isEmpty();
    }

    @Test
    void eachErrorIsOneCompilerStyleLineWithColumnsCountedFromOne() throws IOException {
        String typo = write("typo.drl", HEADER + """
                rule "typo"
                when
                    $a : AlertEvent(nmae == "ServiceDown")
                then
                end
                """);

        assertThat(run("rules", "validate", typo)).isEqualTo(Main.FAILED);
        // Line 10, fifth character: the "$" of the pattern the compiler cannot analyse.
        assertThat(out().lines()).isNotEmpty().allSatisfy(line -> {
            assertThat(line).startsWith(typo + ":10:5: ");
            assertThat(line).contains("nmae");
        });
    }

    @Test
    void anActionReflexDoesNotKnowIsAnErrorAtItsCall() throws IOException {
        String planet = write("planet.drl", HEADER + """
                rule "reboot the planet"
                when
                    $a : AlertEvent(name == "EarthDown", status == AlertStatus.FIRING)
                then
                    remediate.rebootPlanet($a);
                end
                """);

        assertThat(run("rules", "validate", planet)).isEqualTo(Main.FAILED);
        // Line 12, fifth character: the call, where Drools would say the rule's line (8).
        assertThat(out().lines()).singleElement().asString()
                .startsWith(planet + ":12:5: remediate.rebootPlanet(AlertEvent) is not an action Reflex has in rule"
                        + " 'reboot the planet' (The method rebootPlanet(AlertEvent) is undefined for the type"
                        + " Remediate). The actions are: ")
                .contains("restartService(AlertEvent trigger, String service)");
    }

    @Test
    void everyFileIsReportedInOrderAndOneInvalidFileFailsTheRun() throws IOException {
        String demo = write("demo.drl", RuleCompiler.demoPackage());
        String broken = write("broken.drl", HEADER + """
                rule "broken"
                when
                    $a : AlertEvent(name == "ServiceDown"
                then
                end
                """);
        String empty = write("empty.drl", "\n");

        assertThat(run("rules", "validate", demo, broken, empty)).isEqualTo(Main.FAILED);
        assertThat(out().lines()).first().isEqualTo(demo + ": valid");
        assertThat(out().lines().skip(1)).isNotEmpty()
                .anySatisfy(line -> assertThat(line).startsWith(broken + ":11:1: ").contains("broken"))
                .last().isEqualTo(empty + ": the file is empty; a rule package starts with `package NAME;`");
    }

    @Test
    void aMissingFileIsAUsageErrorAndNothingIsCompiled() throws IOException {
        String demo = write("demo.drl", RuleCompiler.demoPackage());
        String missing = dir.resolve("nope.drl").toString();

        assertThat(run("rules", "validate", demo, missing)).isEqualTo(Main.USAGE);
        assertThat(err()).contains(missing + ": no such file").contains("Nothing was validated");
        assertThat(out()).isEmpty();
    }

    @Test
    void aDirectoryIsAUsageErrorThatSaysSo() {
        assertThat(run("rules", "validate", dir.toString())).isEqualTo(Main.USAGE);
        assertThat(err()).contains(dir + ": cannot be read (a directory)");
    }

    @Test
    void missingFilesUnknownOptionsAndSubcommandsAreUsageErrors() {
        assertThat(run("rules", "validate")).isEqualTo(Main.USAGE);
        assertThat(err()).contains("name at least one rule package");
        err.reset();
        assertThat(run("rules", "validate", "--strict", "x.drl")).isEqualTo(Main.USAGE);
        assertThat(err()).contains("unknown option '--strict'");
        err.reset();
        assertThat(run("rules", "check")).isEqualTo(Main.USAGE);
        assertThat(err()).contains("unknown subcommand 'check'", "reflex rules --help");
        err.reset();
        assertThat(run("rules", "deploy", "/nonexistent/x.drl")).isEqualTo(Main.USAGE);
        assertThat(err()).contains("cannot read /nonexistent/x.drl");
        err.reset();
        assertThat(run("rules", "deploy")).isEqualTo(Main.USAGE);
        assertThat(err()).contains("exactly one rule package");
        err.reset();
        assertThat(run("rules")).isEqualTo(Main.USAGE);
        assertThat(err()).contains("Usage: reflex rules validate FILE...");
        err.reset();
        assertThat(run("rules", "test")).isEqualTo(Main.USAGE);
        assertThat(err()).contains("name at least one rule test file");
        err.reset();
        assertThat(run("rules", "test", "--fast", "x.tests.yaml")).isEqualTo(Main.USAGE);
        assertThat(err()).contains("unknown option '--fast'");
    }

    @Test
    void deployWithShadowAsksForAShadowDeployAndSaysSo() throws Exception {
        String drl = write("candidate.drl", RuleCompiler.demoPackage());
        java.util.List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        // A stand-in for Reflex on loopback: it records what was asked and answers as POST /api/rules does.
        com.sun.net.httpserver.HttpServer reflex = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        reflex.createContext("/api/rules", exchange -> {
            asked.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " "
                    + exchange.getRequestHeaders().getFirst("X-Reflex-Author") + " "
                    + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).length());
            byte[] answer = "{\"version\": 7, \"shadow\": true}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(201, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        reflex.start();
        try {
            String url = "http://127.0.0.1:" + reflex.getAddress().getPort();

            assertThat(run("rules", "deploy", drl, "--shadow", "--url", url, "--author", "dana")).isEqualTo(Main.OK);
            assertThat(asked).containsExactly("POST /api/rules?shadow=true dana "
                    + RuleCompiler.demoPackage().length());
            assertThat(out()).isEqualTo(drl + ": deployed as version 7 in shadow (its actions are recorded, never"
                    + " executed)" + System.lineSeparator());

            asked.clear();
            out.reset();
            assertThat(run("rules", "deploy", drl, "--url", url)).isEqualTo(Main.OK);
            assertThat(asked).singleElement().asString().startsWith("POST /api/rules ");
        } finally {
            reflex.stop(0);
        }
    }

    @Test
    void deploySendsTheTokenAsBearerFromTheFlagTheEnvironmentOrTheDataDir(@TempDir Path dataDir)
            throws Exception {
        String drl = write("site.drl", RuleCompiler.demoPackage());
        java.nio.file.Files.createDirectories(dataDir.resolve("auth"));
        java.nio.file.Files.writeString(dataDir.resolve("auth/admin.token"), "from-file\n");
        java.util.List<String> sent = new java.util.concurrent.CopyOnWriteArrayList<>();
        com.sun.net.httpserver.HttpServer reflex = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        // A stand-in that, as Reflex, refuses a call without a token.
        reflex.createContext("/api/rules", exchange -> {
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            sent.add(exchange.getRequestURI().getPath() + " " + authorization);
            exchange.getRequestBody().readAllBytes();
            byte[] answer = (authorization == null ? "{\"error\": \"unauthorized\", \"message\": \"m\"}"
                    : "{\"version\": 3}").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(authorization == null ? 401 : 201, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        reflex.start();
        try {
            String url = "http://127.0.0.1:" + reflex.getAddress().getPort();
            java.util.List<String> deploy = java.util.List.of("deploy", drl, "--url", url);
            assertThat(RulesCommand.run(plus(deploy, "--token", "from-flag"), print(out), print(err),
                    java.util.Map.of("REFLEX_TOKEN", "from-env"))).isEqualTo(Main.OK);
            assertThat(RulesCommand.run(deploy, print(out), print(err), java.util.Map.of("REFLEX_TOKEN", "from-env")))
                    .isEqualTo(Main.OK);
            assertThat(RulesCommand.run(plus(deploy, "--data-dir", dataDir.toString()), print(out), print(err),
                    java.util.Map.of())).isEqualTo(Main.OK);
            assertThat(RulesCommand.run(plus(deploy, "--data-dir", dataDir.resolve("none").toString()), print(out),
                    print(err), java.util.Map.of())).isEqualTo(Main.FAILED);
            assertThat(err()).contains("Reflex answered 401", "give --token TOKEN or set REFLEX_TOKEN");
            assertThat(sent).containsExactly("/api/rules Bearer from-flag", "/api/rules Bearer from-env",
                    "/api/rules Bearer from-file", "/api/rules null");
        } finally {
            reflex.stop(0);
        }
    }

    private static java.util.List<String> plus(java.util.List<String> args, String... more) {
        java.util.List<String> all = new java.util.ArrayList<>(args);
        all.addAll(java.util.List.of(more));
        return all;
    }

    private static java.io.PrintStream print(java.io.ByteArrayOutputStream to) {
        return new java.io.PrintStream(to, true, StandardCharsets.UTF_8);
    }

    @Test
    void aFileNamedLikeAnOptionIsReadAfterDoubleDash() throws IOException {
        String odd = write("-odd.drl", RuleCompiler.demoPackage());

        assertThat(run("rules", "validate", "--", odd)).isEqualTo(Main.OK);
        assertThat(out()).isEqualTo(odd + ": valid" + System.lineSeparator());
    }

    @Test
    void helpExplainsTheCommandAndTheFormatBothWays() {
        assertThat(run("rules", "--help")).isEqualTo(Main.OK);
        String help = out();
        assertThat(help).contains("reflex rules validate FILE...", "FILE:LINE:COLUMN: message", "Exit status",
                "/api/rules/validate", "reflex rules deploy FILE [--shadow] [--url URL]", "--shadow",
                "/api/rules/shadow/promote",
                "reflex rules test FILE.tests.yaml...", "PASS name", "N passed, M failed");
        out.reset();
        assertThat(run("help", "rules")).isEqualTo(Main.OK);
        assertThat(out()).isEqualTo(help);
        out.reset();
        assertThat(run("rules", "validate", "-h")).isEqualTo(Main.OK);
        assertThat(out()).isEqualTo(help);
        out.reset();
        assertThat(run("--help")).isEqualTo(Main.OK);
        assertThat(out()).contains("rules", "up", "send-alert");
    }

    @Test
    void anErrorWithoutAPlaceNamesTheFileAloneAndMultiLineMessagesBecomeOneLine() {
        assertThat(RulesCommand.format("r.drl", new RuleError(0, 0, "global 'remediate' has type java.util.List")))
                .isEqualTo("r.drl: global 'remediate' has type java.util.List");
        assertThat(RulesCommand.format("r.drl", new RuleError(3, 4, """
                Unable to Analyse Expression x == 1:
                [Error: unable to resolve method]
                             ^
                [Line: 3, Column: 4]""")))
                .isEqualTo("r.drl:3:5: Unable to Analyse Expression x == 1: [Error: unable to resolve method] "
                        + "[Line: 3, Column: 4]");
    }

    private static String shipped(String resource) throws IOException {
        try (var in = RuleCompiler.class.getClassLoader().getResourceAsStream(resource)) {
            assertThat(in).as(resource + " on the classpath").isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void theShippedDemoTestsPassAgainstTheDemoPackageNextToThem() throws IOException {
        write("demo.drl", RuleCompiler.demoPackage());
        String tests = write("demo.tests.yaml", shipped("io/reflex/rules/demo/demo.tests.yaml"));

        assertThat(run("rules", "test", tests)).isEqualTo(Main.OK);
        assertThat(out().lines()).contains("PASS restarts a service that is down", "PASS ignores other alerts")
                .allSatisfy(line -> assertThat(line).doesNotStartWith("FAIL"))
                .last().asString().matches("\\d+ passed, 0 failed");
        assertThat(err()).isEmpty();
    }

    @Test
    void aFailingTestPrintsItsDifferencesAndFailsTheRun() throws IOException {
        write("shop.drl", RuleCompiler.demoPackage());
        String tests = write("shop.tests.yaml", """
                tests:
                  - name: right
                    alerts: [{at: 0s, name: ServiceDown, labels: {service: shop}}]
                    expect: [{type: restart_service, target: service:shop}]
                  - name: wrong
                    alerts: [{at: 2m, name: ServiceDown, labels: {service: cart}}]
                    expect: [{at: 0s, type: restart_service, target: service:shop}]
                """);

        assertThat(run("rules", "test", tests)).isEqualTo(Main.FAILED);
        assertThat(out().lines()).containsExactly(
                "PASS right",
                "FAIL wrong",
                "  expected restart_service service:shop at 0s, got nothing",
                "  unexpected restart_service service:cart at 2m (rule 'restart service on ServiceDown')",
                "1 passed, 1 failed");
    }

    @Test
    void aTestFileWithAWrongKeyIsAUsageErrorNamingTheKeyAndNothingRuns() throws IOException {
        write("demo.drl", RuleCompiler.demoPackage());
        String good = write("demo.tests.yaml", shipped("io/reflex/rules/demo/demo.tests.yaml"));
        String bad = write("bad.tests.yaml", """
                rules: demo.drl
                tests:
                  - name: typo
                    alerts: [{at: 0s, name: ServiceDown}]
                    expected: []
                """);

        assertThat(run("rules", "test", good, bad)).isEqualTo(Main.USAGE);
        assertThat(err()).contains(bad + ": tests[0].expected: unknown key 'expected'", "No test was run");
        assertThat(out()).isEmpty();
    }

    @Test
    void aMissingRulePackageIsAUsageError() throws IOException {
        String tests = write("lonely.tests.yaml", "tests: [{name: x, alerts: [], expect: []}]\n");

        assertThat(run("rules", "test", tests)).isEqualTo(Main.USAGE);
        assertThat(err()).contains(dir.toAbsolutePath().resolve("lonely.drl") + ": no such file (the rule package of "
                + tests + ")");
    }

    @Test
    void testsOfAPackageThatDoesNotCompileFailAfterItsErrors() throws IOException {
        write("broken.drl", HEADER + """
                rule "broken"
                when
                    $a : AlertEvent(nmae == "ServiceDown")
                then
                end
                """);
        String tests = write("broken.tests.yaml", "tests: [{name: x, alerts: [], expect: []}]\n");

        assertThat(run("rules", "test", tests)).isEqualTo(Main.FAILED);
        assertThat(out().lines()).anySatisfy(line -> assertThat(line).contains("broken.drl:10:5: ").contains("nmae"))
                .contains("FAIL x")
                .last().isEqualTo("0 passed, 1 failed");
    }
}
