package io.reflex.ingest.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.reflex.model.Json;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuthConfigTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static final String TOKEN = "literal-token-5d1c9e0f7a2b";
    private static final String ENV_TOKEN = "env-token-3e8a7c6b5d4f";
    private static final String FILE_TOKEN = "file-token-9f8e7d6c5b4a";

    /** The environment and files the configs below name; nothing is read from the real ones. */
    private final Map<String, String> env = Map.of(
            "REFLEX_GRAFANA_TOKEN", ENV_TOKEN,
            "REFLEX_EMPTY", "  ",
            "REFLEX_SHORT", "tiny-value");
    private final Map<String, String> files = Map.of(
            "/run/secrets/grafana-token", FILE_TOKEN + "\n",
            "/run/secrets/two-lines", FILE_TOKEN + "\n" + ENV_TOKEN + "\n",
            "/run/secrets/empty", "\n");
    private final SecretSources sources = new SecretSources(env::get, path -> {
        if ("/run/secrets/forbidden".equals(path)) {
            throw new AccessDeniedException(path);
        }
        String content = files.get(path);
        if (content == null) {
            throw new NoSuchFileException(path);
        }
        return content;
    });

    private static AuthConfig yaml(String text) throws Exception {
        return YAML.readValue(text, AuthConfig.class);
    }

    @Test
    void readsEveryTypeAsDocumented() throws Exception {
        AuthConfig none = yaml("type: none");
        AuthConfig bearer = yaml("{type: bearer, tokenEnv: REFLEX_GRAFANA_TOKEN}");
        AuthConfig basic = yaml("{type: basic, username: alertmanager, passwordFile: /run/secrets/grafana-token}");
        AuthConfig hmac = yaml("""
                type: hmac
                secretEnv: [REFLEX_GRAFANA_TOKEN]
                secretFile: /run/secrets/grafana-token
                tolerance: 2m
                """);
        AuthConfig pagerduty = yaml("{type: PagerDuty, secrets: [" + TOKEN + "]}");

        for (AuthConfig config : List.of(none, bearer, basic, hmac, pagerduty)) {
            assertThat(config.validate("auth", sources)).as(config.toString()).isEmpty();
        }
        assertThat(none.open()).isTrue();
        assertThat(bearer.tokenEnv()).containsExactly("REFLEX_GRAFANA_TOKEN");
        assertThat(bearer.open()).isFalse();
        assertThat(hmac.header()).isEqualTo("X-Reflex-Signature");
        assertThat(hmac.timestampHeader()).isEqualTo("X-Reflex-Timestamp");
        assertThat(hmac.tolerance()).isEqualTo(Duration.ofMinutes(2));
        assertThat(hmac.replayCapacity()).isEqualTo(10_000);
        assertThat(hmac.credentials("auth", sources)).containsExactly(ENV_TOKEN, FILE_TOKEN);
        assertThat(pagerduty.kind()).isEqualTo("pagerduty");
        assertThat(bearer.header()).as("HMAC defaults only for hmac").isNull();
        assertThat(yaml("type: hmac\nsecret: " + TOKEN).tolerance()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void acceptsEveryCredentialGivenSoThatOldAndNewWorkDuringRotation() throws Exception {
        AuthConfig config = yaml("""
                type: bearer
                token: %s
                tokens: [%s-b, %s-c]
                tokenEnv: [REFLEX_GRAFANA_TOKEN]
                tokenFile: [/run/secrets/grafana-token]
                """.formatted(TOKEN, TOKEN, TOKEN));

        assertThat(config.validate("auth", sources)).isEmpty();
        assertThat(config.credentials("auth", sources))
                .containsExactly(TOKEN, TOKEN + "-b", TOKEN + "-c", ENV_TOKEN, FILE_TOKEN);
    }

    @Test
    void needsAnExplicitType() throws Exception {
        assertThat(yaml("token: " + TOKEN).validate("ingest.sources.grafana.auth")).containsExactly(
                "ingest.sources.grafana.auth.type: missing; choose one of none, bearer, basic, hmac, pagerduty "
                        + "(none leaves the source open to anyone who can reach ingest)");
        assertThat(yaml("type: oauth").validate("auth")).containsExactly(
                "auth.type: \"oauth\" is not a known type; choose one of none, bearer, basic, hmac, pagerduty");
    }

    @Test
    void namesTheKeysThatGiveACredentialWhenNoneIsGiven() throws Exception {
        assertThat(yaml("type: bearer").validate("auth")).containsExactly("auth.token: missing; type bearer needs a "
                + "token: set token, tokens, tokenEnv (environment variable) or tokenFile (file)");
        assertThat(yaml("type: basic").validate("auth")).containsExactly(
                "auth.password: missing; type basic needs a password: set password, passwords, passwordEnv "
                        + "(environment variable) or passwordFile (file)",
                "auth.username: missing; the user name the sender authenticates as");
        assertThat(yaml("type: pagerduty").validate("auth")).singleElement().asString()
                .startsWith("auth.secret: missing; type pagerduty needs a secret");
    }

    @Test
    void refusesKeysTheTypeDoesNotUse() throws Exception {
        assertThat(yaml("{type: none, token: " + TOKEN + "}").validate("auth")).containsExactly(
                "auth.token: not used by type none; type none asks for no credentials: remove the key, or set "
                        + "the type that uses it");
        assertThat(yaml("{type: bearer, token: " + TOKEN + ", secretEnv: X, username: u, tolerance: 1m}")
                .validate("auth")).containsExactly(
                "auth.secretEnv: not used by type bearer; remove it, or set the type that uses it",
                "auth.username: not used by type bearer; remove it, or set the type that uses it",
                "auth.tolerance: not used by type bearer; remove it, or set the type that uses it");
    }

    @Test
    void refusesEmptyAndShortCredentials() throws Exception {
        assertThat(yaml("{type: hmac, secrets: [short, '', null], secretEnv: ['']}").validate("auth"))
                .containsExactly(
                        "auth.secrets[0]: shorter than 16 characters; use a long random value, e.g. from "
                                + "`openssl rand -hex 32`",
                        "auth.secrets[1]: empty",
                        "auth.secrets[2]: empty",
                        "auth.secretEnv: empty; give the name of an environment variable");
    }

    @Test
    void reportsMissingEnvironmentVariablesAndUnreadableFilesByName() throws Exception {
        AuthConfig config = yaml("""
                type: bearer
                tokenEnv: [REFLEX_MISSING, REFLEX_EMPTY, REFLEX_SHORT, REFLEX_GRAFANA_TOKEN]
                tokenFile: [/run/secrets/nope, /run/secrets/forbidden, /run/secrets/empty, /run/secrets/two-lines]
                """);

        assertThat(config.validate("auth")).as("the config alone is fine").isEmpty();
        assertThat(config.validate("auth", sources)).containsExactly(
                "auth.tokenEnv[0]: environment variable REFLEX_MISSING is not set; export it with the token, "
                        + "or remove it from the config",
                "auth.tokenEnv[1]: environment variable REFLEX_EMPTY is empty; set it to the token",
                "auth.tokenEnv[2]: the value of REFLEX_SHORT is shorter than 16 characters; use a long random "
                        + "value, e.g. from `openssl rand -hex 32`",
                "auth.tokenFile[0]: cannot read /run/secrets/nope (NoSuchFileException); make the file readable "
                        + "by ingest or fix the path",
                "auth.tokenFile[1]: cannot read /run/secrets/forbidden (AccessDeniedException); make the file "
                        + "readable by ingest or fix the path",
                "auth.tokenFile[2]: /run/secrets/empty is empty; write the token into it",
                "auth.tokenFile[3]: /run/secrets/two-lines holds more than one line; put one token per file "
                        + "(list several files to rotate)");
    }

    @Test
    void checksBasicUsernamesAndHmacSettings() throws Exception {
        assertThat(yaml("{type: basic, username: 'a:b', password: " + TOKEN + "}").validate("auth")).containsExactly(
                "auth.username: must not contain ':' (Basic auth separates username and password with it)");
        assertThat(yaml("{type: hmac, secret: " + TOKEN + ", header: 'X Sig', timestampHeader: x-reflex-timestamp, "
                + "tolerance: 0s, replayCapacity: 0}").validate("auth")).containsExactly(
                "auth.header: \"X Sig\" is not a valid header name",
                "auth.tolerance: must be positive, e.g. 5m; got PT0S",
                "auth.replayCapacity: must be at least 1, got 0");
        assertThat(yaml("{type: hmac, secret: " + TOKEN + ", header: X-A, timestampHeader: x-a, tolerance: 500ms}")
                .validate("auth")).containsExactly(
                "auth.timestampHeader: the same header as header (X-A); use two headers",
                "auth.tolerance: at least 1s (timestamps are whole seconds); got PT0.5S");
    }

    @Test
    void neverShowsASecretInToStringJsonOrProblems() throws Exception {
        String weak = "weak";
        AuthConfig config = yaml("""
                type: basic
                username: alertmanager
                password: %s
                passwords: [%s, %s]
                passwordEnv: [REFLEX_GRAFANA_TOKEN, REFLEX_SHORT]
                passwordFile: /run/secrets/two-lines
                """.formatted(TOKEN, weak, TOKEN + "-2"));
        List<String> secrets = List.of(TOKEN, weak, ENV_TOKEN, "tiny-value", FILE_TOKEN);

        String text = config.toString();
        String json = Json.MAPPER.writeValueAsString(config);
        List<String> problems = config.validate("auth", sources);

        assertThat(text).isEqualTo("AuthConfig[type=basic, username=alertmanager, password=***, passwords=[***, ***], "
                + "passwordEnv=[REFLEX_GRAFANA_TOKEN, REFLEX_SHORT], passwordFile=[/run/secrets/two-lines]]");
        assertThat(problems).hasSize(3);
        for (String secret : secrets) {
            assertThat(text).doesNotContain(secret);
            assertThat(json).doesNotContain(secret);
            assertThat(problems).noneMatch(problem -> problem.contains(secret));
        }
        assertThat(json).contains("\"passwordEnv\":[\"REFLEX_GRAFANA_TOKEN\",\"REFLEX_SHORT\"]")
                .doesNotContain("\"password\"");
        assertThatThrownBy(() -> WebhookAuthenticator.create("alertmanager", config, sources, Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("source alertmanager: auth.passwords[0]: shorter than 16 characters")
                .satisfies(e -> secrets.forEach(secret -> assertThat(e.getMessage()).doesNotContain(secret)));
    }

    @Test
    void buildsTheAuthenticatorOfEachType() {
        Clock clock = Clock.systemUTC();

        assertThat(WebhookAuthenticator.create("s", AuthConfig.none(), sources, clock).open()).isTrue();
        assertThat(WebhookAuthenticator.create("s", AuthConfig.none(), sources, clock).describe())
                .startsWith("none (open");
        assertThat(WebhookAuthenticator.create("s", AuthConfig.bearer(TOKEN), sources, clock))
                .isInstanceOf(BearerAuthenticator.class);
        assertThat(WebhookAuthenticator.create("s", AuthConfig.basic("u", TOKEN), sources, clock))
                .isInstanceOf(BasicAuthenticator.class);
        assertThat(WebhookAuthenticator.create("s", AuthConfig.hmac(TOKEN), sources, clock))
                .isInstanceOf(HmacAuthenticator.class);
        assertThat(WebhookAuthenticator.create("s", AuthConfig.pagerDuty(TOKEN), sources, clock))
                .isInstanceOf(PagerDutyAuthenticator.class);
        assertThat(WebhookAuthenticator.create("s", AuthConfig.bearer(TOKEN), sources, clock).open()).isFalse();
    }

    @Test
    void anOpenSourceAcceptsAnything() {
        WebhookAuthenticator open = WebhookAuthenticator.create("s", AuthConfig.none(), sources, Clock.systemUTC());

        assertThat(open.check(Requests.webhook()).ok()).isTrue();
        assertThat(open.check(Requests.webhook("Authorization", "Bearer whatever")).ok()).isTrue();
    }

    @Test
    void aFailureCarriesCodeMessageAndChallenge() {
        assertThat(AuthResult.success().ok()).isTrue();
        assertThatThrownBy(() -> AuthResult.success().toApiError()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> AuthResult.failure("bad_credentials", null, "Bearer realm=\"reflex\""))
                .isInstanceOf(NullPointerException.class);
        assertThat(AuthResult.failure("bad_credentials", "m", "c").toApiError())
                .isEqualTo(io.reflex.model.ApiError.of("bad_credentials", "m"));
    }
}
