package io.reflex.app.monitoring;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Finds a program from a Debian package, or fails the test saying how to install it. */
public final class RequiredProgram {

    private RequiredProgram() {
    }

    /**
     * @param program     the executable, e.g. {@code prometheus-alertmanager}
     * @param debPackages the packages the test needs, named in the failure message
     * @throws AssertionError when it is not on the PATH nor in /usr/bin
     */
    public static Path find(String program, String... debPackages) {
        List<Path> places = new ArrayList<>();
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty()) {
                places.add(Path.of(dir, program));
            }
        }
        places.add(Path.of("/usr/bin", program));
        for (Path place : places) {
            if (Files.isRegularFile(place) && Files.isExecutable(place)) {
                return place;
            }
        }
        String packages = String.join(" ", debPackages);
        throw new AssertionError(program + " is not installed, and this test runs the real one. Install it as root"
                + " with `apt-get install -y " + packages + "` (Debian packages; nothing starts by itself), or run"
                + " `bash .ci/run`, which installs them before the tests.");
    }
}
