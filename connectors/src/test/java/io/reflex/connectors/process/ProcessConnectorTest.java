package io.reflex.connectors.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reflex.connectors.spi.Outcome;
import io.reflex.model.ActionMode;
import io.reflex.model.ActionStatus;
import io.reflex.model.ActionType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Everything the process connector decides before it touches the system. The data
 * directory is never created: any refused action that got as far as starting something
 * would have created it.
 */
class ProcessConnectorTest {

    private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    private final Path dataDir = Path.of("target", "process-connector-test-never-created-" + System.nanoTime());
    private ProcessConnector connector;

    @BeforeEach
    void setUp() {
        // "false" would exit at once; it is never meant to run here.
        final ProcessSettings settings = ProcessSettings.parse("process", Map.of("services", Map.of(
                "demo-shop", Map.of("command", List.of("false")),
                "worker.v2", Map.of("command", List.of("false")))));
        connector = new ProcessConnector(settings, dataDir, CLOCK);
    }

    @AfterEach
    void noSideEffect() {
        connector.close();
        assertThat(dataDir).doesNotExist();
    }

    @ParameterizedTest
    @ValueSource(strings = {"x; touch /tmp/pwned", "$(id)", "`id`", "../etc", "demo-shop && id", "demo-shop\nid",
            "-rf", ".hidden", "a/b", "demo shop", "a234567890123456789012345678901234567890123456789012345678901234"})
    void hostileOrMalformedNamesAreRefused(String name) throws InterruptedException {
        final Outcome outcome = connector.execute(TestActions.restart(name, NOW, Duration.ofSeconds(30)));

        assertThat(outcome.status()).isEqualTo(ActionStatus.REJECTED);
        assertThat(outcome.retriable()).isFalse();
        assertThat(outcome.detail()).endsWith("; nothing was done")
                .satisfiesAnyOf(
                        d -> assertThat(d).contains("is not allowed: a name starts with a letter or digit"),
                        d -> assertThat(d).startsWith("service name is empty"));
    }

    @Test
    void aRefusedNameIsQuotedWithControlCharactersEscaped() throws InterruptedException {
        final Outcome outcome = connector.execute(TestActions.restart("a\nb\u001b[31m", NOW, Duration.ofSeconds(30)));
        assertThat(outcome.detail()).startsWith("service name 'a\\x0ab\\x1b[31m' is not allowed").doesNotContain("\n");
    }

    @Test
    void validButUnconfiguredNamesAreRefusedNamingTheConfiguredOnes() throws InterruptedException {
        final Outcome outcome = connector.execute(TestActions.restart("checkout", NOW, Duration.ofSeconds(30)));

        assertThat(outcome).isEqualTo(Outcome.refused("service 'checkout' is not managed by the process connector"
                + " (configured: demo-shop, worker.v2); nothing was done. To manage it, add it under"
                + " connectors.process.services"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"SCALE", "ISOLATE_HOST", "ROTATE_PATCH", "RUN_PLAYBOOK", "NOTIFY", "ESCALATE"})
    void otherActionTypesAreRefused(ActionType type) throws InterruptedException {
        final Outcome outcome = connector.execute(TestActions.action(type, "service", "demo-shop", ActionMode.EXECUTE,
                NOW, Duration.ofSeconds(30)));

        assertThat(outcome).isEqualTo(Outcome.refused("process connector cannot " + type.wireName()
                + "; it supports restart_service"));
    }

    @Test
    void otherTargetKindsAreRefused() throws InterruptedException {
        final Outcome outcome = connector.execute(TestActions.action(ActionType.RESTART_SERVICE, "host", "demo-shop",
                ActionMode.EXECUTE, NOW, Duration.ofSeconds(30)));

        assertThat(outcome).isEqualTo(Outcome.refused(
                "process connector restarts targets of kind 'service', not 'host'; nothing was done"));
    }

    @Test
    void anActionPastItsDeadlineFailsWithoutBeingTried() throws InterruptedException {
        final Outcome outcome = connector.execute(TestActions.restart("demo-shop", NOW.minusSeconds(60), Duration.ofSeconds(30)));

        assertThat(outcome.status()).isEqualTo(ActionStatus.FAILED);
        assertThat(outcome.retriable()).isFalse();
        assertThat(outcome.detail()).isEqualTo("the deadline 2025-03-01T11:59:30Z passed before the restart of demo-shop"
                + " began; nothing was done");
    }

    @ParameterizedTest
    @ValueSource(strings = {"DRY_RUN", "SHADOW"})
    void rehearsalsChangeNothing(ActionMode mode) throws InterruptedException {
        final Outcome outcome = connector.execute(TestActions.action(ActionType.RESTART_SERVICE, "service", "demo-shop",
                mode, NOW, Duration.ofSeconds(30)));

        assertThat(outcome).isEqualTo(Outcome.succeeded(mode + ": would restart demo-shop (not running); nothing was done"));
    }

    @Test
    void afterCloseNothingIsRestarted() throws InterruptedException {
        connector.close();
        final Outcome outcome = connector.execute(TestActions.restart("demo-shop", NOW, Duration.ofSeconds(30)));

        assertThat(outcome).isEqualTo(Outcome.failed("process connector is shut down; demo-shop was not restarted", false));
        assertThatThrownBy(() -> connector.start("demo-shop")).hasMessageContaining("shut down");
    }

    @Test
    void thePublicApiRejectsUnconfiguredServices() {
        assertThat(connector.services()).containsExactly("demo-shop", "worker.v2");
        assertThat(connector.isAlive("demo-shop")).isFalse();
        assertThat(connector.pid("demo-shop")).isEmpty();
        assertThat(connector.pidFile("demo-shop")).isEqualTo(dataDir.resolve("run/demo-shop.pid"));
        assertThat(connector.logFile("demo-shop")).isEqualTo(dataDir.resolve("logs/demo-shop.log"));
        assertThatThrownBy(() -> connector.pid("../etc")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("service '../etc' is not configured under connectors.process.services (configured: demo-shop, worker.v2)");
        assertThatThrownBy(() -> connector.start("checkout")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> connector.stop("checkout")).isInstanceOf(IllegalArgumentException.class);
        assertThat(Files.exists(dataDir)).isFalse();
    }
}
