package io.reflex.connectors.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reflex.connectors.spi.Outcome;
import io.reflex.connectors.spi.Reconciliation;
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
    @ValueSource(strings = {"SCALE", "ISOLATE_HOST", "CORDON_NODE", "DRAIN_NODE", "ROTATE_PATCH", "RUN_PLAYBOOK",
            "RUN_SCRIPT", "NOTIFY", "ESCALATE"})
    void otherActionTypesAreRefused(ActionType type) throws InterruptedException {
        final Outcome outcome = connector.execute(TestActions.action(type, "service", "demo-shop", ActionMode.EXECUTE,
                NOW, Duration.ofSeconds(30)));

        assertThat(outcome).isEqualTo(Outcome.refused("process connector cannot " + type.wireName()
                + "; it supports restart_service, stop_service, start_service"));
    }

    @Test
    void otherTargetKindsAreRefused() throws InterruptedException {
        final Outcome outcome = connector.execute(TestActions.action(ActionType.RESTART_SERVICE, "host", "demo-shop",
                ActionMode.EXECUTE, NOW, Duration.ofSeconds(30)));

        assertThat(outcome).isEqualTo(Outcome.refused(
                "process connector acts on targets of kind 'service', not 'host'; nothing was done"));
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

    @ParameterizedTest
    @ValueSource(strings = {"STOP_SERVICE", "START_SERVICE"})
    void hostileNamesAreRefusedForStopAndStartToo(ActionType type) throws InterruptedException {
        final Outcome outcome = connector.execute(TestActions.action(type, "service", "x; touch /tmp/pwned",
                ActionMode.EXECUTE, NOW, Duration.ofSeconds(30)));

        assertThat(outcome.status()).isEqualTo(ActionStatus.REJECTED);
        assertThat(outcome.detail()).contains("is not allowed").endsWith("; nothing was done");
    }

    @Test
    void rehearsedStopAndStartSayWhatTheyWouldDo() throws InterruptedException {
        final Outcome stop = connector.execute(TestActions.action(ActionType.STOP_SERVICE, "service", "demo-shop",
                ActionMode.DRY_RUN, NOW, Duration.ofSeconds(30)));
        final Outcome start = connector.execute(TestActions.action(ActionType.START_SERVICE, "service", "worker.v2",
                ActionMode.SHADOW, NOW, Duration.ofSeconds(30)));

        assertThat(stop).isEqualTo(Outcome.succeeded("DRY_RUN: would stop demo-shop (not running); nothing was done"));
        assertThat(start).isEqualTo(Outcome.succeeded("SHADOW: would start worker.v2 (not running); nothing was done"));
    }

    @Test
    void stoppingAServiceThatNeverRanSucceedsSayingSo() throws InterruptedException {
        final Outcome outcome = connector.execute(TestActions.stop("demo-shop", NOW, Duration.ofSeconds(30)));

        assertThat(outcome).isEqualTo(Outcome.succeeded("demo-shop was not running; nothing to stop"));
    }

    @Test
    void aStopPastItsDeadlineFailsWithoutBeingTried() throws InterruptedException {
        final Outcome outcome = connector.execute(TestActions.stop("demo-shop", NOW.minusSeconds(60), Duration.ofSeconds(30)));

        assertThat(outcome).isEqualTo(Outcome.failed("the deadline 2025-03-01T11:59:30Z passed before the stop of"
                + " demo-shop began; nothing was done", false));
    }

    @Test
    void reconcilingAServiceWithoutPidFile() throws InterruptedException {
        final Reconciliation restart = connector.reconcile(TestActions.restart("demo-shop", NOW, Duration.ofSeconds(30)), NOW);
        final Reconciliation start = connector.reconcile(TestActions.start("demo-shop", NOW, Duration.ofSeconds(30)), NOW);
        final Reconciliation stop = connector.reconcile(TestActions.stop("demo-shop", NOW, Duration.ofSeconds(30)), NOW);

        assertThat(restart).isEqualTo(Reconciliation.notApplied("demo-shop is not running (no pid file "
                + dataDir.resolve("run/demo-shop.pid") + "): the restart did not take effect, or the service died"
                + " since; running it again is safe"));
        assertThat(start.state()).isEqualTo(Reconciliation.State.NOT_APPLIED);
        assertThat(start.detail()).contains("the start did not take effect");
        assertThat(stop).isEqualTo(Reconciliation.applied("demo-shop is not running (no pid file "
                + dataDir.resolve("run/demo-shop.pid") + "): the stop is in place"));
    }

    @Test
    void reconcilingAnActionItWouldRefuseFindsNothingDone() throws InterruptedException {
        final Reconciliation hostile = connector.reconcile(TestActions.restart("$(id)", NOW, Duration.ofSeconds(30)), NOW);
        final Reconciliation scale = connector.reconcile(TestActions.action(ActionType.SCALE, "service", "demo-shop",
                ActionMode.EXECUTE, NOW, Duration.ofSeconds(30)), NOW);

        assertThat(hostile.state()).isEqualTo(Reconciliation.State.NOT_APPLIED);
        assertThat(hostile.detail()).startsWith("the process connector refuses this action, so it did nothing:"
                + " service name '$(id)' is not allowed");
        assertThat(scale).isEqualTo(Reconciliation.notApplied("the process connector refuses this action, so it did"
                + " nothing: process connector cannot scale; it supports restart_service, stop_service, start_service"));
    }

    @Test
    void afterCloseNothingIsRestarted() throws InterruptedException {
        connector.close();
        final Outcome outcome = connector.execute(TestActions.restart("demo-shop", NOW, Duration.ofSeconds(30)));

        assertThat(outcome).isEqualTo(Outcome.failed("process connector is shut down; demo-shop was not restarted", false));
        assertThat(connector.execute(TestActions.start("demo-shop", NOW, Duration.ofSeconds(30))))
                .isEqualTo(Outcome.failed("process connector is shut down; demo-shop was not started", false));
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
