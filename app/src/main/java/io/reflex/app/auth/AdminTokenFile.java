package io.reflex.app.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin token Reflex makes when the configuration names none: {@code <dataDir>/auth/admin.token},
 * readable by its owner only (0600), made on the first start and reused on every later one, so
 * scripts and the CLI keep working across restarts. Delete the file to get a new token.
 */
public final class AdminTokenFile {
    /** The name the generated token records as the actor of changes. */
    public static final String NAME = "admin";
    private static final Logger log = LoggerFactory.getLogger(AdminTokenFile.class);
    private static final Set<PosixFilePermission> OWNER_ONLY = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE);
    private static final Set<PosixFilePermission> OWNER_ONLY_DIR = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);
    /** 32 random bytes: 256 bits, as long as the SHA-256 digest it is compared by. */
    private static final int RANDOM_BYTES = 32;

    private AdminTokenFile() {
    }

    public static Path path(Path dataDir) {
        return dataDir.resolve("auth").resolve("admin.token");
    }

    /** The token in the file, when the file exists, is readable and not empty (the CLI's fallback). */
    public static Optional<String> read(Path dataDir) {
        try {
            String text = Files.readString(path(dataDir), StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? Optional.empty() : Optional.of(text);
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
    }

    /** The admin token of this data dir: the file's, or a new one written there first. */
    public static ApiToken loadOrCreate(Path dataDir, SecureRandom random) {
        Path file = path(dataDir);
        try {
            if (Files.exists(file)) {
                return existing(file);
            }
            Path dir = file.getParent();
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir);
                restrict(dir, OWNER_ONLY_DIR);
            }
            byte[] bytes = new byte[RANDOM_BYTES];
            random.nextBytes(bytes);
            String secret = "rfx_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
            // Written in full to a 0600 temporary file, then linked in place: the link fails when another
            // process on this data dir made the file first, and nobody ever reads a half-written token.
            Path temp = posix(dir) ? Files.createTempFile(dir, ".admin.token", ".tmp",
                    PosixFilePermissions.asFileAttribute(OWNER_ONLY)) : Files.createTempFile(dir, ".admin.token", ".tmp");
            try {
                Files.writeString(temp, secret + "\n", StandardCharsets.UTF_8);
                try {
                    Files.createLink(file, temp);
                } catch (UnsupportedOperationException e) {
                    Files.move(temp, file); // no hard links here: still refuses to replace an existing file
                }
            } catch (FileAlreadyExistsException e) {
                return existing(file);
            } finally {
                Files.deleteIfExists(temp);
            }
            log.info("No API token configured (auth.tokens): made an admin token in {}", file);
            return new ApiToken(NAME, ApiRole.ADMIN, secret);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write the admin token " + file + " (" + e.getMessage()
                    + "); fix its permissions, or configure auth.tokens", e);
        }
    }

    private static ApiToken existing(Path file) throws IOException {
        String secret = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (secret.isEmpty()) {
            throw new IllegalStateException("the admin token file " + file + " is empty; delete it and Reflex makes"
                    + " a new token on the next start");
        }
        if (posix(file)) {
            Set<PosixFilePermission> now = Files.getPosixFilePermissions(file);
            if (!OWNER_ONLY.containsAll(now)) {
                log.warn("{} was readable by others ({}); made it readable by its owner only",
                        file, PosixFilePermissions.toString(now));
                restrict(file, OWNER_ONLY);
            }
        }
        log.info("Using the admin API token in {}", file);
        return new ApiToken(NAME, ApiRole.ADMIN, secret);
    }

    private static boolean posix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    private static void restrict(Path path, Set<PosixFilePermission> permissions) throws IOException {
        if (posix(path)) {
            Files.setPosixFilePermissions(path, permissions);
        }
    }
}
