package io.reflex.rules.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every {@code *.tests.yaml} shipped in src/main/resources, run through the runner: the rule tests
 * of the shipped packages are part of the build, one JUnit test per rule test.
 */
class ShippedRulesTest {
    private static final Path RESOURCES = Path.of("src/main/resources");

    @TestFactory
    Stream<DynamicTest> shippedRuleTestsPass() throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(RESOURCES)) {
            files = walk.filter(p -> p.getFileName().toString().endsWith(".tests.yaml")).sorted().toList();
        }
        // The demo package ships with its tests; finding none means the scan is looking in the wrong place.
        assertThat(files).anySatisfy(p -> assertThat(p).hasFileName("demo.tests.yaml"));
        YAMLMapper yaml = new YAMLMapper();
        return files.stream().flatMap(file -> {
            try {
                return RuleTestRunner.runFile(file, yaml).stream()
                        .map(result -> DynamicTest.dynamicTest(RESOURCES.relativize(file) + ": " + result.name(),
                                () -> assertThat(result.problems()).as(result.name()).isEmpty()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
