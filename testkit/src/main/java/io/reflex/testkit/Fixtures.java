package io.reflex.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Test payloads from the class path, for example {@code Fixtures.read("fixtures/alertmanager/firing-posted-via-api.json")}.
 *
 * <p>The Alertmanager fixtures under {@code fixtures/alertmanager/} were POSTed by a real Alertmanager 0.25.
 */
public final class Fixtures {
    private Fixtures() {
    }

    /** The resource as UTF-8 text; a leading {@code /} is optional. */
    public static String read(String resourcePath) {
        String path = resourcePath.startsWith("/") ? resourcePath.substring(1) : resourcePath;
        try (InputStream in = Fixtures.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + path
                        + " on the class path; put it under src/test/resources (or testkit's src/main/resources)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read test resource " + path, e);
        }
    }
}
