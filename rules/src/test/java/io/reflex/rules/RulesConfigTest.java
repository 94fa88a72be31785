package io.reflex.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.nio.file.Files;
import java.nio.file.Path;
import io.reflex.model.ActionType;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RulesConfigTest {
    private static final ObjectMapper YAML = YAMLMapper.builder().addModule(new JavaTimeModule()).build();

    @TempDir
    Path dir;

    @Test
    void leftOutFieldsTakeTheirDefaults() throws Exception {
        RulesConfig config = YAML.readValue("actionTimeout: PT5M\n", RulesConfig.class);

        assertThat(config).isEqualTo(new RulesConfig("reflex-rules", null, "process", Duration.ofMinutes(5),
                Duration.ofHours(24), -1));
        assertThat(config.validate()).isEmpty();
        assertThat(RulesConfig.defaults().actionTimeout()).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void everyFieldReadsFromYaml() throws Exception {
        Path rules = Files.writeString(dir.resolve("mine.drl"), RuleCompiler.demoPackage());
        RulesConfig config = YAML.readValue("""
                applicationId: rules-eu
                rulesFile: %s
                defaultConnector: ssh
                actionTimeout: PT30S
                dedupeRetention: PT48H
                replicationFactor: 3
                """.formatted(rules), RulesConfig.class);

        assertThat(config).isEqualTo(new RulesConfig("rules-eu", rules, "ssh", Duration.ofSeconds(30),
                Duration.ofHours(48), 3));
        assertThat(config.validate()).isEmpty();
        assertThat(config.rulesText()).isEqualTo(RuleCompiler.demoPackage());
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        RulesConfig config = new RulesConfig(" ", dir.resolve("missing.drl"), "", Duration.ZERO,
                Duration.ofHours(-1), 0);

        assertThat(config.validate()).satisfiesExactlyInAnyOrder(
                p -> assertThat(p).startsWith("applicationId: must not be empty"),
                p -> assertThat(p).startsWith("defaultConnector: must not be empty"),
                p -> assertThat(p).startsWith("actionTimeout: must be positive"),
                p -> assertThat(p).startsWith("dedupeRetention: must be positive"),
                p -> assertThat(p).startsWith("replicationFactor: must be -1"),
                p -> assertThat(p).startsWith("rulesFile: ").contains("missing.drl is not a readable file"));
    }

    @Test
    void connectorsRouteActionTypesAndTheRestGoThroughTheDefault() throws Exception {
        RulesConfig config = YAML.readValue("""
                defaultConnector: ssh
                connectors: {scale: kubernetes, cordon_node: kubernetes, escalate: http}
                """, RulesConfig.class);

        assertThat(config.validate()).isEmpty();
        assertThat(config.connectorFor(ActionType.SCALE)).isEqualTo("kubernetes");
        assertThat(config.connectorFor(ActionType.CORDON_NODE)).isEqualTo("kubernetes");
        assertThat(config.connectorFor(ActionType.ESCALATE)).isEqualTo("http");
        assertThat(config.connectorFor(ActionType.RESTART_SERVICE)).isEqualTo("ssh");
        assertThat(config.connectorFor(ActionType.NOTIFY)).as("a map given replaces the default one").isEqualTo("ssh");

        RulesConfig defaults = RulesConfig.defaults();
        assertThat(defaults.connectors()).isEqualTo(Map.of("notify", "http", "escalate", "http"));
        assertThat(defaults.connectorFor(ActionType.NOTIFY)).isEqualTo("http");
        assertThat(defaults.connectorFor(ActionType.ISOLATE_HOST)).isEqualTo("process");
    }

    @Test
    void connectorsOfUnknownTypesOrWithoutAConnectorAreProblemsWithTheirPaths() {
        Map<String, String> routes = new LinkedHashMap<>();
        routes.put("restart", "process");
        routes.put("scale", " ");
        routes.put("notify", null);

        assertThat(RulesConfig.defaults().withConnectors(routes).validate()).containsExactly(
                "connectors.restart: not an action type; expected one of restart_service, stop_service,"
                        + " start_service, scale, isolate_host, cordon_node, drain_node, uncordon_node, rotate_patch, run_playbook,"
                        + " run_script, notify, escalate",
                "connectors.scale: must name a connector, e.g. http; leave the type out to use defaultConnector"
                        + " (process)",
                "connectors.notify: must name a connector, e.g. http; leave the type out to use defaultConnector"
                        + " (process)");
    }

    @Test
    void verifyWithinDefaultsToFiveMinutesReadsDurationsAndTurnsOffWithZeroOrOff() throws Exception {
        assertThat(RulesConfig.defaults().verifyWithin()).isEqualTo(Duration.ofMinutes(5));
        assertThat(RulesConfig.defaults().verifies()).isTrue();
        assertThat(YAML.readValue("verifyWithin: 2m\n", RulesConfig.class).verifyWithin())
                .isEqualTo(Duration.ofMinutes(2));
        assertThat(YAML.readValue("verifyWithin: PT90S\n", RulesConfig.class).verifyWithin())
                .isEqualTo(Duration.ofSeconds(90));
        for (String off : new String[] {"0", "off", "\"off\"", "false"}) {
            RulesConfig config = YAML.readValue("verifyWithin: " + off + "\n", RulesConfig.class);
            assertThat(config.verifies()).as(off).isFalse();
            assertThat(config.validate()).as(off).isEmpty();
        }
        assertThat(RulesConfig.defaults().withVerifyWithin(Duration.ofMinutes(-1)).validate()).singleElement()
                .satisfies(p -> assertThat(p).startsWith("verifyWithin: must be a duration such as 5m"));
    }

    @Test
    void defaultsWrittenOutReadBackTheSame() {
        // The app's loader writes a section's defaults to a tree and reads the merged tree back.
        for (RulesConfig config : new RulesConfig[] {RulesConfig.defaults(),
                RulesConfig.defaults().withVerifyWithin(Duration.ZERO)}) {
            assertThat(YAML.convertValue(YAML.valueToTree(config), RulesConfig.class)).isEqualTo(config);
        }
    }

    @Test
    void rulesFileThatDoesNotCompileIsAProblemWithLineAndColumn() throws Exception {
        Path broken = Files.writeString(dir.resolve("broken.drl"), """
                package p;
                rule "broken"
                when
                    String(length > )
                then
                end
                """);

        assertThat(RulesConfig.defaults().withRulesFile(broken).validate()).singleElement()
                .satisfies(p -> assertThat(p).startsWith("rulesFile: " + broken + " line 4:"));
    }
}
