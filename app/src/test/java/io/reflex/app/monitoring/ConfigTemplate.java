package io.reflex.app.monitoring;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A config file from test resources whose placeholders, such as {@code @TOKEN@} (not
 * {@code {{ }}}, which Prometheus templates use), are filled in with the values of this run.
 */
public final class ConfigTemplate {

    private static final Pattern PLACEHOLDER = Pattern.compile("@([A-Z_]+)@");

    private ConfigTemplate() {
    }

    /**
     * Writes resource {@code monitoring/<name>} to {@code dir/<name>} with every placeholder filled.
     *
     * @throws IllegalArgumentException naming a placeholder without a value
     */
    public static Path write(String name, Map<String, String> values, Path dir) {
        String text;
        try (InputStream in = ConfigTemplate.class.getResourceAsStream("/monitoring/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource monitoring/" + name);
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = values.get(m.group(1));
            if (value == null) {
                throw new IllegalArgumentException("monitoring/" + name + " needs a value for @" + m.group(1) + "@");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        try {
            return Files.writeString(dir.resolve(name), out.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
