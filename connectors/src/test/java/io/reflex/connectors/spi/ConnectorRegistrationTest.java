package io.reflex.connectors.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Architecture test: every provider class this module compiles is registered in
 * META-INF/services, so ServiceLoader finds it. A provider that is written but not listed
 * would silently never load, and its connector section would be reported as unknown.
 */
class ConnectorRegistrationTest {

    @Test
    void everyProviderClassInThisModuleIsRegistered() throws IOException, URISyntaxException {
        final Path classes = Path.of(ConnectorProvider.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertThat(classes).as("the module's compiled classes (target/classes)").isDirectory();

        final Set<String> compiled = providerClassesIn(classes);
        final Set<String> registered = ServiceLoader.load(ConnectorProvider.class).stream()
                .map(ServiceLoader.Provider::type)
                .filter(type -> isIn(type, classes))
                .map(Class::getName)
                .collect(Collectors.toSet());

        // At least the process connector: an empty scan would make the comparison meaningless.
        assertThat(compiled).contains("io.reflex.connectors.process.ProcessConnectorProvider");
        assertThat(registered)
                .as("providers listed in META-INF/services/%s; add the missing ones there", ConnectorProvider.class.getName())
                .containsExactlyInAnyOrderElementsOf(compiled);
    }

    private static Set<String> providerClassesIn(Path classes) throws IOException {
        final String separator = classes.getFileSystem().getSeparator();
        final List<String> names;
        try (Stream<Path> files = Files.walk(classes)) {
            names = files.filter(f -> f.toString().endsWith(".class"))
                    .map(f -> classes.relativize(f).toString())
                    .map(f -> f.substring(0, f.length() - ".class".length()).replace(separator, "."))
                    .filter(n -> !n.endsWith("package-info") && !n.endsWith("module-info"))
                    .collect(Collectors.toList());
        }
        return names.stream()
                .map(ConnectorRegistrationTest::load)
                .filter(ConnectorProvider.class::isAssignableFrom)
                .filter(c -> !c.isInterface() && !Modifier.isAbstract(c.getModifiers()))
                .map(Class::getName)
                .collect(Collectors.toSet());
    }

    private static Class<?> load(String name) {
        try {
            return Class.forName(name, false, ConnectorRegistrationTest.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new AssertionError("compiled class " + name + " cannot be loaded", e);
        }
    }

    private static boolean isIn(Class<?> type, Path classes) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).equals(classes);
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }
}
