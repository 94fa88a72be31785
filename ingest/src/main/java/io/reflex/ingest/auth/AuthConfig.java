package io.reflex.ingest.auth;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.reflex.model.Durations;
import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * How one source authenticates its webhooks (YAML: the {@code auth} section of a source). Null
 * fields are "not set"; {@link #validate(String, SecretSources)} reports every problem at once.
 *
 * <pre>{@code
 * auth: {type: none}                       # open: anyone who can reach ingest may post
 *
 * auth:                                    # Authorization: Bearer <token>
 *   type: bearer
 *   tokenEnv: REFLEX_GRAFANA_TOKEN
 *
 * auth:                                    # Authorization: Basic base64(username:password)
 *   type: basic
 *   username: alertmanager
 *   passwordFile: /run/secrets/alertmanager-password
 *
 * auth:                                    # Reflex's HMAC signature, for generic senders
 *   type: hmac
 *   secretEnv: [REFLEX_ZABBIX_SECRET, REFLEX_ZABBIX_SECRET_NEXT]
 *   header: X-Reflex-Signature             # default
 *   timestampHeader: X-Reflex-Timestamp    # default
 *   tolerance: 5m                          # default
 *   replayCapacity: 10000                  # default
 *
 * auth:                                    # PagerDuty v3 webhooks (X-PagerDuty-Signature)
 *   type: pagerduty
 *   secretFile: /run/secrets/pagerduty-webhook-secret
 * }</pre>
 *
 * <h2>Where credentials come from</h2>
 * Each kind of credential ({@code token} for bearer, {@code password} for basic, {@code secret}
 * for hmac and pagerduty) may be given four ways, and every value given is accepted:
 * <ul>
 *   <li>{@code token} / {@code tokens: [...]}: in the config itself (fine for tests; in
 *       production prefer the next two, so the config file holds no secret);</li>
 *   <li>{@code tokenEnv}: the name of an environment variable, or a list of names;</li>
 *   <li>{@code tokenFile}: the path of a file holding one secret (e.g. a mounted Kubernetes
 *       secret), or a list of paths. A trailing newline is ignored; a second line is an error.</li>
 * </ul>
 * Surrounding whitespace of environment and file values is removed. Every credential must be at
 * least {@value #MIN_SECRET_LENGTH} characters ({@code openssl rand -hex 32} makes a good one).
 *
 * <h2>Rotation</h2>
 * Since every configured value is accepted, a credential is rotated without refusing a webhook:
 * add the new one next to the old ({@code tokenEnv: [OLD, NEW]}), restart ingest, switch the
 * sender to the new one, then remove the old one. For PagerDuty, whose header carries one
 * signature per active secret, configure the secret PagerDuty shows for the subscription; for
 * Reflex's HMAC scheme a sender may likewise send several comma-separated signatures.
 *
 * <p>Secrets never leave this record: {@link #toString()} masks them and they are write-only for
 * Jackson (a config written back as JSON omits them); validation messages name keys,
 * environment variables and files, never values.
 *
 * @param type            {@code none}, {@code bearer}, {@code basic}, {@code hmac} or {@code pagerduty}
 * @param token           bearer: one accepted token
 * @param tokens          bearer: accepted tokens
 * @param tokenEnv        bearer: environment variable(s) holding a token
 * @param tokenFile       bearer: file(s) holding a token
 * @param username        basic: the username
 * @param password        basic: one accepted password
 * @param passwords       basic: accepted passwords
 * @param passwordEnv     basic: environment variable(s) holding a password
 * @param passwordFile    basic: file(s) holding a password
 * @param secret          hmac, pagerduty: one signing secret
 * @param secrets         hmac, pagerduty: signing secrets
 * @param secretEnv       hmac, pagerduty: environment variable(s) holding a secret
 * @param secretFile      hmac, pagerduty: file(s) holding a secret
 * @param header          hmac: the signature header (default {@value #DEFAULT_HEADER})
 * @param timestampHeader hmac: the timestamp header (default {@value #DEFAULT_TIMESTAMP_HEADER})
 * @param tolerance       hmac: how far the timestamp may be from ingest's clock, either way (default 5m);
 *                        also how long an accepted signature is remembered against replay
 * @param replayCapacity  hmac: how many accepted signatures are remembered (default {@value #DEFAULT_REPLAY_CAPACITY})
 */
public record AuthConfig(
        String type,
        @JsonProperty(access = JsonProperty.Access.WRITE_ONLY) String token,
        @JsonProperty(access = JsonProperty.Access.WRITE_ONLY)
        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> tokens,
        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> tokenEnv,
        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> tokenFile,
        String username,
        @JsonProperty(access = JsonProperty.Access.WRITE_ONLY) String password,
        @JsonProperty(access = JsonProperty.Access.WRITE_ONLY)
        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> passwords,
        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> passwordEnv,
        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> passwordFile,
        @JsonProperty(access = JsonProperty.Access.WRITE_ONLY) String secret,
        @JsonProperty(access = JsonProperty.Access.WRITE_ONLY)
        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> secrets,
        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> secretEnv,
        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> secretFile,
        String header,
        String timestampHeader,
        @JsonDeserialize(using = Durations.Deserializer.class) Duration tolerance,
        Integer replayCapacity) {

    public static final String NONE = "none";
    public static final String BEARER = "bearer";
    public static final String BASIC = "basic";
    public static final String HMAC = "hmac";
    public static final String PAGERDUTY = "pagerduty";
    public static final List<String> TYPES = List.of(NONE, BEARER, BASIC, HMAC, PAGERDUTY);

    public static final String DEFAULT_HEADER = "X-Reflex-Signature";
    public static final String DEFAULT_TIMESTAMP_HEADER = "X-Reflex-Timestamp";
    public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);
    public static final int DEFAULT_REPLAY_CAPACITY = 10_000;
    /** Shorter secrets can be guessed or brute-forced offline from one signed request. */
    public static final int MIN_SECRET_LENGTH = 16;

    private static final String MASK = "***";
    /** RFC 9110 token characters: what a header name may be made of. */
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+\\-.^_`|~0-9A-Za-z]+");

    public AuthConfig {
        tokens = keepingNulls(tokens);
        tokenEnv = keepingNulls(tokenEnv);
        tokenFile = keepingNulls(tokenFile);
        passwords = keepingNulls(passwords);
        passwordEnv = keepingNulls(passwordEnv);
        passwordFile = keepingNulls(passwordFile);
        secrets = keepingNulls(secrets);
        secretEnv = keepingNulls(secretEnv);
        secretFile = keepingNulls(secretFile);
        // Defaults only for the type that uses them, so validate() can tell a stray key from a default.
        if (HMAC.equals(normalise(type))) {
            header = header == null ? DEFAULT_HEADER : header;
            timestampHeader = timestampHeader == null ? DEFAULT_TIMESTAMP_HEADER : timestampHeader;
            tolerance = tolerance == null ? DEFAULT_TOLERANCE : tolerance;
            replayCapacity = replayCapacity == null ? DEFAULT_REPLAY_CAPACITY : replayCapacity;
        }
    }

    /** YAML {@code - } with nothing after it arrives as a null element; keep it so validate() can name it. */
    private static List<String> keepingNulls(List<String> values) {
        return values == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(values));
    }

    private static String normalise(String type) {
        return type == null ? null : type.trim().toLowerCase(Locale.ROOT);
    }

    /** An open source: no credentials asked. */
    public static AuthConfig none() {
        return new AuthConfig(NONE, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null);
    }

    /** Bearer auth accepting any of these tokens. */
    public static AuthConfig bearer(String... tokens) {
        return new AuthConfig(BEARER, null, List.of(tokens), null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null);
    }

    /** Basic auth for one user, accepting any of these passwords. */
    public static AuthConfig basic(String username, String... passwords) {
        return new AuthConfig(BASIC, null, null, null, null, username, null, List.of(passwords), null, null, null,
                null, null, null, null, null, null, null);
    }

    /** Reflex's HMAC scheme with the default headers, tolerance and replay capacity. */
    public static AuthConfig hmac(String... secrets) {
        return new AuthConfig(HMAC, null, null, null, null, null, null, null, null, null, null, List.of(secrets),
                null, null, null, null, null, null);
    }

    /** PagerDuty v3 signatures with any of these webhook secrets. */
    public static AuthConfig pagerDuty(String... secrets) {
        return new AuthConfig(PAGERDUTY, null, null, null, null, null, null, null, null, null, null,
                List.of(secrets), null, null, null, null, null, null);
    }

    /** The same config with another HMAC tolerance. */
    public AuthConfig withTolerance(Duration newTolerance) {
        return new AuthConfig(type, token, tokens, tokenEnv, tokenFile, username, password, passwords, passwordEnv,
                passwordFile, secret, secrets, secretEnv, secretFile, header, timestampHeader, newTolerance,
                replayCapacity);
    }

    /** The same config with another HMAC replay capacity. */
    public AuthConfig withReplayCapacity(int newCapacity) {
        return new AuthConfig(type, token, tokens, tokenEnv, tokenFile, username, password, passwords, passwordEnv,
                passwordFile, secret, secrets, secretEnv, secretFile, header, timestampHeader, tolerance,
                newCapacity);
    }

    /** The type in lower case, or null when missing or not one of {@link #TYPES}. */
    public String kind() {
        String kind = normalise(type);
        return kind != null && TYPES.contains(kind) ? kind : null;
    }

    /** True for {@code type: none}. */
    public boolean open() {
        return NONE.equals(kind());
    }

    // ---- the three kinds of credential ------------------------------------------------------

    /** One kind of credential and the four keys it can be given by. */
    private record Group(String noun, String single, String many, String env, String file) {
    }

    private static final Group TOKEN = new Group("token", "token", "tokens", "tokenEnv", "tokenFile");
    private static final Group PASSWORD = new Group("password", "password", "passwords", "passwordEnv",
            "passwordFile");
    private static final Group SECRET = new Group("secret", "secret", "secrets", "secretEnv", "secretFile");
    private static final List<Group> GROUPS = List.of(TOKEN, PASSWORD, SECRET);

    private static Group groupOf(String kind) {
        return switch (kind) {
            case BEARER -> TOKEN;
            case BASIC -> PASSWORD;
            case HMAC, PAGERDUTY -> SECRET;
            default -> null;
        };
    }

    private String single(Group g) {
        return g == TOKEN ? token : g == PASSWORD ? password : secret;
    }

    private List<String> many(Group g) {
        return g == TOKEN ? tokens : g == PASSWORD ? passwords : secrets;
    }

    private List<String> env(Group g) {
        return g == TOKEN ? tokenEnv : g == PASSWORD ? passwordEnv : secretEnv;
    }

    private List<String> file(Group g) {
        return g == TOKEN ? tokenFile : g == PASSWORD ? passwordFile : secretFile;
    }

    /** The keys of this group that are set. */
    private List<String> setKeys(Group g) {
        List<String> set = new ArrayList<>();
        if (single(g) != null) {
            set.add(g.single());
        }
        if (!many(g).isEmpty()) {
            set.add(g.many());
        }
        if (!env(g).isEmpty()) {
            set.add(g.env());
        }
        if (!file(g).isEmpty()) {
            set.add(g.file());
        }
        return set;
    }

    // ---- validation ---------------------------------------------------------------------------

    /**
     * Every problem this config shows by itself (without reading the environment or files), each
     * as {@code "<path>.<key>: problem"}; empty when valid. At start-up prefer
     * {@link #validate(String, SecretSources)}, which also checks that named variables and files
     * hold a secret.
     *
     * @param path where this section is in the config, e.g. {@code ingest.sources.grafana.auth}
     */
    public List<String> validate(String path) {
        List<String> problems = new ArrayList<>();
        String p = path == null || path.isEmpty() ? "" : path + ".";
        String kind = kind();
        if (type == null || type.isBlank()) {
            problems.add(p + "type: missing; choose one of " + String.join(", ", TYPES)
                    + " (none leaves the source open to anyone who can reach ingest)");
            return problems;
        }
        if (kind == null) {
            problems.add(p + "type: \"" + type + "\" is not a known type; choose one of " + String.join(", ", TYPES));
            return problems;
        }
        Group used = groupOf(kind);
        for (Group g : GROUPS) {
            if (g != used) {
                for (String key : setKeys(g)) {
                    problems.add(p + key + ": not used by type " + kind + unusedHint(kind));
                }
            }
        }
        if (!BASIC.equals(kind) && username != null) {
            problems.add(p + "username: not used by type " + kind + unusedHint(kind));
        }
        if (!HMAC.equals(kind)) {
            notUsed(problems, p, kind, "header", header);
            notUsed(problems, p, kind, "timestampHeader", timestampHeader);
            notUsed(problems, p, kind, "tolerance", tolerance);
            notUsed(problems, p, kind, "replayCapacity", replayCapacity);
        }
        if (used != null) {
            shape(problems, p, kind, used);
        }
        if (BASIC.equals(kind)) {
            if (username == null || username.isBlank()) {
                problems.add(p + "username: missing; the user name the sender authenticates as");
            } else if (username.indexOf(':') >= 0) {
                problems.add(p + "username: must not contain ':' (Basic auth separates username and password with it)");
            }
        }
        if (HMAC.equals(kind)) {
            headerName(problems, p + "header", header);
            headerName(problems, p + "timestampHeader", timestampHeader);
            if (header.equalsIgnoreCase(timestampHeader)) {
                problems.add(p + "timestampHeader: the same header as header (" + header + "); use two headers");
            }
            if (tolerance.isNegative() || tolerance.isZero()) {
                problems.add(p + "tolerance: must be positive, e.g. 5m; got " + tolerance);
            } else if (tolerance.toMillis() < 1000) {
                problems.add(p + "tolerance: at least 1s (timestamps are whole seconds); got " + tolerance);
            }
            if (replayCapacity < 1) {
                problems.add(p + "replayCapacity: must be at least 1, got " + replayCapacity);
            }
        }
        return problems;
    }

    /**
     * {@link #validate(String)} plus the environment variables and files named by the config:
     * each must exist and hold one secret of at least {@value #MIN_SECRET_LENGTH} characters.
     * Problems name the key, the variable or the file, never the value.
     */
    public List<String> validate(String path, SecretSources sources) {
        List<String> problems = validate(path);
        String kind = kind();
        if (kind != null && groupOf(kind) != null) {
            resolve(path == null || path.isEmpty() ? "" : path + ".", groupOf(kind), sources, new ArrayList<>(),
                    problems);
        }
        return problems;
    }

    /**
     * The accepted credentials of this config's type, from the config, the environment and files.
     *
     * @throws IllegalArgumentException with every problem, when the config is not valid
     */
    List<String> credentials(String path, SecretSources sources) {
        List<String> problems = validate(path, sources);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        Group group = groupOf(kind());
        List<String> values = new ArrayList<>();
        if (group != null) {
            resolve(path == null || path.isEmpty() ? "" : path + ".", group, sources, values, new ArrayList<>());
        }
        return List.copyOf(values);
    }

    private static String unusedHint(String kind) {
        return NONE.equals(kind)
                ? "; type none asks for no credentials: remove the key, or set the type that uses it"
                : "; remove it, or set the type that uses it";
    }

    private static void notUsed(List<String> problems, String p, String kind, String key, Object value) {
        if (value != null) {
            problems.add(p + key + ": not used by type " + kind + unusedHint(kind));
        }
    }

    private static void headerName(List<String> problems, String key, String value) {
        if (value.isBlank()) {
            problems.add(key + ": empty; give a header name");
        } else if (!HEADER_NAME.matcher(value).matches()) {
            problems.add(key + ": \"" + value + "\" is not a valid header name");
        }
    }

    /** The problems visible without resolving: a credential is given, and no value or name is empty or short. */
    private void shape(List<String> problems, String p, String kind, Group g) {
        if (setKeys(g).isEmpty()) {
            problems.add(p + g.single() + ": missing; type " + kind + " needs a " + g.noun() + ": set "
                    + g.single() + ", " + g.many() + ", " + g.env() + " (environment variable) or " + g.file()
                    + " (file)");
            return;
        }
        if (single(g) != null) {
            literal(problems, p + g.single(), single(g));
        }
        List<String> many = many(g);
        for (int i = 0; i < many.size(); i++) {
            literal(problems, p + g.many() + "[" + i + "]", many.get(i));
        }
        names(problems, p, g.env(), env(g), "the name of an environment variable");
        names(problems, p, g.file(), file(g), "the path of a file holding the " + g.noun());
    }

    private static void literal(List<String> problems, String key, String value) {
        if (value == null || value.isBlank()) {
            problems.add(key + ": empty");
        } else if (value.length() < MIN_SECRET_LENGTH) {
            problems.add(key + ": " + tooShort());
        }
    }

    private static String tooShort() {
        return "shorter than " + MIN_SECRET_LENGTH + " characters; use a long random value, e.g. from "
                + "`openssl rand -hex 32`";
    }

    private static void names(List<String> problems, String p, String key, List<String> names, String what) {
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            if (name == null || name.isBlank()) {
                problems.add(indexed(p + key, i, names.size()) + ": empty; give " + what);
            }
        }
    }

    /** {@code tokenEnv} for a single name (as usually written), {@code tokenEnv[1]} within a list. */
    private static String indexed(String key, int i, int size) {
        return size == 1 ? key : key + "[" + i + "]";
    }

    /** Adds every credential of the group to {@code values}, and what cannot be read to {@code problems}. */
    private void resolve(String p, Group g, SecretSources sources, List<String> values, List<String> problems) {
        if (single(g) != null && !single(g).isBlank()) {
            values.add(single(g));
        }
        many(g).stream().filter(v -> v != null && !v.isBlank()).forEach(values::add);
        List<String> envs = env(g);
        for (int i = 0; i < envs.size(); i++) {
            String name = envs.get(i);
            if (name == null || name.isBlank()) {
                continue; // reported by shape()
            }
            String key = indexed(p + g.env(), i, envs.size());
            String value = sources.env(name.trim());
            if (value == null) {
                problems.add(key + ": environment variable " + name.trim() + " is not set; export it with the "
                        + g.noun() + ", or remove it from the config");
            } else {
                value = value.strip();
                if (value.isEmpty()) {
                    problems.add(key + ": environment variable " + name.trim() + " is empty; set it to the " + g.noun());
                } else if (value.length() < MIN_SECRET_LENGTH) {
                    problems.add(key + ": the value of " + name.trim() + " is " + tooShort());
                } else {
                    values.add(value);
                }
            }
        }
        List<String> files = file(g);
        for (int i = 0; i < files.size(); i++) {
            String path = files.get(i);
            if (path == null || path.isBlank()) {
                continue; // reported by shape()
            }
            String key = indexed(p + g.file(), i, files.size());
            String content;
            try {
                content = sources.file(path.trim());
            } catch (IOException | InvalidPathException | SecurityException e) {
                // The exception names the path and the failure (NoSuchFileException, AccessDeniedException), not content.
                problems.add(key + ": cannot read " + path.trim() + " (" + e.getClass().getSimpleName()
                        + "); make the file readable by ingest or fix the path");
                continue;
            }
            String value = content == null ? "" : content.strip();
            if (value.isEmpty()) {
                problems.add(key + ": " + path.trim() + " is empty; write the " + g.noun() + " into it");
            } else if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
                problems.add(key + ": " + path.trim() + " holds more than one line; put one " + g.noun()
                        + " per file (list several files to rotate)");
            } else if (value.length() < MIN_SECRET_LENGTH) {
                problems.add(key + ": the " + g.noun() + " in " + path.trim() + " is " + tooShort());
            } else {
                values.add(value);
            }
        }
    }

    // ---- masking ---------------------------------------------------------------------------

    /** Every set key; secrets as {@code ***}, environment variable names and file paths as they are. */
    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        parts.add("type=" + type);
        if (username != null) {
            parts.add("username=" + username);
        }
        for (Group g : GROUPS) {
            if (single(g) != null) {
                parts.add(g.single() + "=" + MASK);
            }
            if (!many(g).isEmpty()) {
                parts.add(g.many() + "=" + Collections.nCopies(many(g).size(), MASK));
            }
            if (!env(g).isEmpty()) {
                parts.add(g.env() + "=" + env(g));
            }
            if (!file(g).isEmpty()) {
                parts.add(g.file() + "=" + file(g));
            }
        }
        if (header != null) {
            parts.add("header=" + header);
        }
        if (timestampHeader != null) {
            parts.add("timestampHeader=" + timestampHeader);
        }
        if (tolerance != null) {
            parts.add("tolerance=" + tolerance);
        }
        if (replayCapacity != null) {
            parts.add("replayCapacity=" + replayCapacity);
        }
        return "AuthConfig[" + String.join(", ", parts) + "]";
    }
}
