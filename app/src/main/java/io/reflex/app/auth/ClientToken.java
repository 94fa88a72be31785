package io.reflex.app.auth;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The token a command-line client sends: {@code --token}, else the environment variable
 * {@code REFLEX_TOKEN}, else the admin token file of the data dir when it is readable: the one
 * {@code --data-dir} names, or {@code ./data} when Reflex's URL is on this machine (that file is
 * the local Reflex's, and is not sent to another host unless asked).
 */
public final class ClientToken {
    public static final String ENV = "REFLEX_TOKEN";
    public static final Path DEFAULT_DATA_DIR = Path.of("./data");

    private ClientToken() {
    }

    /**
     * @param dataDir the {@code --data-dir} given, or null
     * @param url     Reflex's base URL
     */
    public static Optional<String> resolve(String flag, Map<String, String> env, Path dataDir, String url) {
        if (flag != null && !flag.isBlank()) {
            return Optional.of(flag.strip());
        }
        String fromEnv = env.get(ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Optional.of(fromEnv.strip());
        }
        if (dataDir != null) {
            return AdminTokenFile.read(dataDir);
        }
        return loopback(url) ? AdminTokenFile.read(DEFAULT_DATA_DIR) : Optional.empty();
    }

    static boolean loopback(String url) {
        try {
            String host = URI.create(url).getHost();
            return host != null && (host.equals("localhost") || host.equals("::1") || host.equals("[::1]")
                    || host.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}"));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** What to tell the user after a 401 or 403, saying where the token came from. */
    public static String advice(int status, boolean sent) {
        if (status == 401) {
            return sent ? "the token was refused; check --token or " + ENV
                    : "Reflex needs a token: give --token TOKEN or set " + ENV + " (the admin token of `reflex up`"
                    + " is in DATA_DIR/auth/admin.token; --data-dir DIR sends that one)";
        }
        return "the token's role may not do this; use a token with the role the answer names";
    }
}
