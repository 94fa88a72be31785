package io.reflex.ingest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.reflex.model.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The Alertmanager bodies under src/test/resources/fixtures, as bytes or as an editable tree. */
public final class TestFixtures {
    private TestFixtures() {
    }

    public static final String FROM_RULE = "fixtures/alertmanager/firing-from-prometheus-rule.json";
    public static final String VIA_API = "fixtures/alertmanager/firing-posted-via-api.json";

    public static byte[] bytes(String path) {
        try (InputStream in = TestFixtures.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + path);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static ObjectNode tree(String path) {
        try {
            return (ObjectNode) Json.MAPPER.readTree(bytes(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] toBytes(Object tree) {
        try {
            return Json.MAPPER.writeValueAsBytes(tree);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
