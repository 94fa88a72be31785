package io.reflex.app.dr;

import io.reflex.app.Main;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;

/**
 * Runs {@code reflex} (its {@link Main}) after writing this process's pid to a file, as a
 * supervisor's unit file would make it known: a DR drill reads the pid there to kill the role.
 * Usage: {@code WithPidFile PIDFILE reflex-args...}.
 */
public final class WithPidFile {
    private WithPidFile() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: WithPidFile PIDFILE [reflex arguments...]");
            System.exit(2);
        }
        Path pidFile = Path.of(args[0]);
        Path tmp = pidFile.resolveSibling(pidFile.getFileName() + ".tmp");
        Files.createDirectories(pidFile.toAbsolutePath().getParent());
        // Written whole, then moved: a drill reading the file never sees half a pid.
        Files.writeString(tmp, ProcessHandle.current().pid() + "\n");
        Files.move(tmp, pidFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Main.main(Arrays.copyOfRange(args, 1, args.length));
    }
}
