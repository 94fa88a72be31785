package io.reflex.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
