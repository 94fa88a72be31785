package io.reflex.app.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminTokenFileTest {
    @TempDir
    Path dataDir;

    @Test
    void theFirstStartWritesAnOwnerOnlyAdminTokenThatLaterStartsReuse() throws IOException {
        ApiToken first = AdminTokenFile.loadOrCreate(dataDir, new SecureRandom());
        Path file = dataDir.resolve("auth/admin.token");
        assertThat(AdminTokenFile.path(dataDir)).isEqualTo(file);
        assertThat(first.name()).isEqualTo("admin");
        assertThat(first.role()).isEqualTo(ApiRole.ADMIN);
        assertThat(first.secret()).startsWith("rfx_").hasSizeGreaterThanOrEqualTo(40);
        assertThat(Files.readString(file).strip()).isEqualTo(first.secret());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())))
                .isEqualTo("rwx------");
        try (java.util.stream.Stream<Path> files = Files.list(file.getParent())) {
            assertThat(files).as("no temporary file left behind").containsExactly(file);
        }

        ApiToken second = AdminTokenFile.loadOrCreate(dataDir, new SecureRandom());
        assertThat(second).isEqualTo(first);
        assertThat(AdminTokenFile.read(dataDir)).contains(first.secret());
    }

    @Test
    void twoDataDirsGetDifferentTokens(@TempDir Path other) {
        assertThat(AdminTokenFile.loadOrCreate(dataDir, new SecureRandom()).secret())
                .isNotEqualTo(AdminTokenFile.loadOrCreate(other, new SecureRandom()).secret());
    }

    @Test
    void aFileOthersCanReadIsMadeOwnerOnly() throws IOException {
        Path file = Files.createDirectories(dataDir.resolve("auth")).resolve("admin.token");
        Files.writeString(file, "rfx_handmade\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(AdminTokenFile.loadOrCreate(dataDir, new SecureRandom()).secret()).isEqualTo("rfx_handmade");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void anEmptyFileIsRefusedWithWhatToDo() throws IOException {
        Files.writeString(Files.createDirectories(dataDir.resolve("auth")).resolve("admin.token"), "\n");
        assertThat(catchThrowable(() -> AdminTokenFile.loadOrCreate(dataDir, new SecureRandom())))
                .hasMessageContaining("is empty; delete it");
        assertThat(AdminTokenFile.read(dataDir)).isEmpty();
    }

    @Test
    void aClientTakesTheFlagThenTheEnvironmentThenTheDataDirsFile() {
        String local = "http://127.0.0.1:8080";
        assertThat(ClientToken.resolve(null, Map.of(), dataDir, local)).isEmpty();
        String generated = AdminTokenFile.loadOrCreate(dataDir, new SecureRandom()).secret();
        assertThat(ClientToken.resolve(null, Map.of(), dataDir, local)).contains(generated);
        assertThat(ClientToken.resolve(null, Map.of("REFLEX_TOKEN", "from-env"), dataDir, local)).contains("from-env");
        assertThat(ClientToken.resolve(" from-flag ", Map.of("REFLEX_TOKEN", "from-env"), dataDir, local))
                .contains("from-flag");
        assertThat(ClientToken.resolve("", Map.of("REFLEX_TOKEN", " "), dataDir, local)).contains(generated);
        assertThat(ClientToken.resolve(null, Map.of(), dataDir, "http://reflex.example:8080"))
                .as("a data dir named on the command line is sent wherever asked").contains(generated);
    }

    @Test
    void theDefaultDataDirsTokenGoesOnlyToAReflexOnThisMachine() {
        for (String url : new String[] {"http://127.0.0.1:8080", "http://localhost:9000/", "http://[::1]:8080"}) {
            assertThat(ClientToken.loopback(url)).as(url).isTrue();
        }
        for (String url : new String[] {"http://reflex.example:8080", "http://10.0.0.7:8080", "not a url",
                "http://127.0.0.1.evil.example/"}) {
            assertThat(ClientToken.loopback(url)).as(url).isFalse();
        }
    }
}
