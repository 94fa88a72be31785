package io.reflex.app.auth;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The {@code auth} section of the configuration:
 * <pre>
 * auth:
 *   tokens:
 *     - {name: ana, role: admin, tokenFile: /etc/reflex/ana.token}
 *     - {name: ci, role: author, tokenEnv: REFLEX_CI_TOKEN}
 *     - {name: wall, role: viewer, token: "a-long-random-string"}
 * </pre>
 * With no token, Reflex makes one admin token under the data dir ({@link AdminTokenFile}).
 */
public record AuthConfig(List<TokenConfig> tokens) {
    /** Names travel in the {@code X-Reflex-Author} header and in records: no spaces or control characters. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@+-]{1,64}");

    public AuthConfig {
        tokens = tokens == null ? List.of() : List.copyOf(tokens);
    }

    /**
     * One token as written in YAML: its secret comes from exactly one of {@code token} (the value
     * itself), {@code tokenFile} (a file holding it; surrounding whitespace is dropped) or
     * {@code tokenEnv} (an environment variable holding it).
     */
    public record TokenConfig(@JsonProperty("name") String name, @JsonProperty("role") String role,
            @JsonProperty("token") String token, @JsonProperty("tokenFile") String tokenFile,
            @JsonProperty("tokenEnv") String tokenEnv) {
        @Override
        public String toString() {
            return "TokenConfig[name=" + name + ", role=" + role + ", token=" + (token == null ? null : "****")
                    + ", tokenFile=" + tokenFile + ", tokenEnv=" + tokenEnv + "]";
        }
    }

    /**
     * The tokens with their secrets read, or, for each mistake, a problem naming its key path
     * (never a secret) added to {@code problems}.
     *
     * @param env the environment {@code tokenEnv} names are looked up in
     */
    public List<ApiToken> resolve(Map<String, String> env, List<String> problems) {
        List<ApiToken> resolved = new ArrayList<>();
        Map<String, String> names = new HashMap<>();
        List<String> pathsOfResolved = new ArrayList<>();
        for (int i = 0; i < tokens.size(); i++) {
            String path = "auth.tokens[" + i + "]";
            TokenConfig t = tokens.get(i);
            if (t == null) {
                problems.add(path + ": expected a mapping with name, role and one of token, tokenFile, tokenEnv");
                continue;
            }
            int before = problems.size();
            String name = t.name() == null ? "" : t.name().trim();
            if (name.isEmpty()) {
                problems.add(path + ".name: missing; name who uses the token (it is recorded as who did what)");
            } else if (!NAME.matcher(name).matches()) {
                problems.add(path + ".name: '" + name + "' may only have letters, digits and . _ @ + -"
                        + " (at most 64)");
            } else if (names.containsKey(name)) {
                problems.add(path + ".name: '" + name + "' is already the name of " + names.get(name)
                        + "; every token needs its own name, or the records cannot say who did what");
            } else {
                names.put(name, path);
            }
            ApiRole role = null;
            if (t.role() == null || t.role().isBlank()) {
                problems.add(path + ".role: missing; one of viewer, operator, author, admin");
            } else {
                try {
                    role = ApiRole.parse(t.role());
                } catch (IllegalArgumentException e) {
                    problems.add(path + ".role: " + e.getMessage());
                }
            }
            String secret = secret(path, t, env, problems);
            if (problems.size() == before) {
                resolved.add(new ApiToken(name, role, secret));
                pathsOfResolved.add(path);
            }
        }
        // Two names with one secret: Reflex could not tell who calls. Compared as digests, never shown.
        for (int i = 0; i < resolved.size(); i++) {
            for (int j = 0; j < i; j++) {
                if (MessageDigest.isEqual(resolved.get(i).digest(), resolved.get(j).digest())) {
                    problems.add(pathsOfResolved.get(i) + ": has the same token as " + pathsOfResolved.get(j)
                            + "; give every name its own token");
                    break;
                }
            }
        }
        return resolved;
    }

    private static String secret(String path, TokenConfig t, Map<String, String> env, List<String> problems) {
        List<String> given = new ArrayList<>();
        if (t.token() != null) {
            given.add("token");
        }
        if (t.tokenFile() != null) {
            given.add("tokenFile");
        }
        if (t.tokenEnv() != null) {
            given.add("tokenEnv");
        }
        if (given.isEmpty()) {
            problems.add(path + ": give the secret with one of token, tokenFile (a file holding it) or tokenEnv"
                    + " (an environment variable holding it)");
            return null;
        }
        if (given.size() > 1) {
            problems.add(path + ": give only one of token, tokenFile, tokenEnv; found " + String.join(" and ", given));
            return null;
        }
        if (t.token() != null) {
            if (t.token().isBlank()) {
                problems.add(path + ".token: empty");
                return null;
            }
            return t.token().strip();
        }
        if (t.tokenFile() != null) {
            return fromFile(path, t.tokenFile(), problems);
        }
        String value = t.tokenEnv().isBlank() ? null : env.get(t.tokenEnv().trim());
        if (t.tokenEnv().isBlank()) {
            problems.add(path + ".tokenEnv: empty; name the environment variable that holds the token");
        } else if (value == null) {
            problems.add(path + ".tokenEnv: the environment variable " + t.tokenEnv().trim() + " is not set");
        } else if (value.isBlank()) {
            problems.add(path + ".tokenEnv: the environment variable " + t.tokenEnv().trim() + " is empty");
        } else {
            return value.strip();
        }
        return null;
    }

    private static String fromFile(String path, String fileName, List<String> problems) {
        if (fileName.isBlank()) {
            problems.add(path + ".tokenFile: empty; name the file that holds the token");
            return null;
        }
        Path file = Path.of(fileName.trim()).toAbsolutePath();
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            problems.add(path + ".tokenFile: " + file + " does not exist");
            return null;
        } catch (MalformedInputException e) {
            problems.add(path + ".tokenFile: " + file + " is not UTF-8 text");
            return null;
        } catch (IOException e) {
            // The exception's class only: its message could quote content.
            problems.add(path + ".tokenFile: " + file + " cannot be read (" + e.getClass().getSimpleName()
                    + (Files.isDirectory(file) ? ": a directory" : "") + ")");
            return null;
        }
        if (text.isBlank()) {
            problems.add(path + ".tokenFile: " + file + " is empty");
            return null;
        }
        return text.strip();
    }
}
