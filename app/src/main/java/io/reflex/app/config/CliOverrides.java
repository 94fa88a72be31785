package io.reflex.app.config;

import java.nio.file.Path;

/** What the command line of {@code reflex up} sets; null means "not given". */
public record CliOverrides(Path configFile, Integer port, Path dataDir, String kafka, String roles, boolean noDemo) {
    public static CliOverrides none() {
        return new CliOverrides(null, null, null, null, null, false);
    }
}
