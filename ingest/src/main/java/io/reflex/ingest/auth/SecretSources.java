package io.reflex.ingest.auth;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Function;

/**
 * Where the secrets named by {@code tokenEnv}/{@code tokenFile} (and the password and secret
 * equivalents) of an {@link AuthConfig} are read from. Injected, so tests resolve secrets from a
 * map instead of the real environment and disk.
 */
public final class SecretSources {

    /** A secret file is a few bytes; a path to anything bigger is a mistake (e.g. a log file or /dev/zero). */
    static final int MAX_FILE_BYTES = 64 * 1024;

    /** Reads a secret file; may throw any {@link IOException}, which becomes a validation problem. */
    @FunctionalInterface
    public interface FileReader {
        String read(String path) throws IOException;
    }

    private final Function<String, String> env;
    private final FileReader files;

    /**
     * @param env   environment variable name to its value, {@code null} when unset
     * @param files reads a secret file
     */
    public SecretSources(Function<String, String> env, FileReader files) {
        this.env = Objects.requireNonNull(env, "env");
        this.files = Objects.requireNonNull(files, "files");
    }

    /** The process environment and the local disk: what the app uses. */
    public static SecretSources system() {
        return of(System::getenv);
    }

    /** This environment, files from the local disk (UTF-8, at most 64 KiB). */
    public static SecretSources of(Function<String, String> env) {
        return new SecretSources(env, SecretSources::readBounded);
    }

    String env(String name) {
        return env.apply(name);
    }

    String file(String path) throws IOException {
        return files.read(path);
    }

    private static String readBounded(String path) throws IOException {
        try (InputStream in = Files.newInputStream(Path.of(path))) {
            byte[] bytes = in.readNBytes(MAX_FILE_BYTES + 1);
            if (bytes.length > MAX_FILE_BYTES) {
                throw new IOException("larger than " + MAX_FILE_BYTES + " bytes, so not a secret file");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }
}
