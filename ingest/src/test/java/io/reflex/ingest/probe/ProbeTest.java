package io.reflex.ingest.probe;

import static io.reflex.ingest.probe.CheckResult.down;
import static io.reflex.ingest.probe.CheckResult.up;
import static org.assertj.core.api.Assertions.assertThat;

import io.reflex.ingest.AlertSink;
import io.reflex.ingest.Fingerprints;
import io.reflex.ingest.ResourceMapper;
import io.reflex.testkit.MutableClock;
import io.reflex.model.AlertEvent;
import io.reflex.model.AlertStatus;
import io.reflex.model.Resource;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/** The probe's state machine, driven tick by tick with a scripted check, a settable clock and a recording sink. */
class ProbeTest {

    private static final String URL = "http://127.0.0.1:18081/health";
    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

    private final MutableClock clock = new MutableClock(T0);
    private final ScriptedCheck check = new ScriptedCheck();
    private final RecordingSink sink = new RecordingSink();

    private Probe probe(int failureThreshold, int successThreshold) {
        ProbeConfig config = new ProbeConfig("demo-shop", URL, null, null, failureThreshold, successThreshold, null, null,
                Map.of("service", "demo-shop"));
        return new Probe(config, new ResourceMapper(), clock, check, sink);
    }

    /** One tick one second after the previous one, with this check outcome. */
    private void tick(Probe probe, CheckResult outcome) {
        clock.advance(Duration.ofSeconds(1));
        check.next = Future.succeededFuture(outcome);
        probe.tick();
    }

    @Test
    void firesAfterTheFailureThresholdWithTheStartOfTheStreak() {
        Probe probe = probe(2, 1);

        tick(probe, up("HTTP 200"));
        tick(probe, down("connection refused"));
        Instant firstFailure = clock.instant();
        assertThat(sink.stored()).as("one failure is below the threshold").isEmpty();
        tick(probe, down("connection refused"));

        String fingerprint = Fingerprints.of("probe:demo-shop", Map.of("service", "demo-shop"));
        assertThat(sink.stored()).containsExactly(new AlertEvent(
                AlertEvent.idFor("probe", fingerprint, firstFailure, AlertStatus.FIRING),
                "probe",
                "ServiceDown",
                AlertStatus.FIRING,
                "critical",
                new Resource("service", "demo-shop", null, null),
                Map.of("service", "demo-shop", "alertname", "ServiceDown", "severity", "critical", "probe", "demo-shop"),
                Map.of("summary", "GET " + URL + ": connection refused", "url", URL),
                firstFailure,
                null,
                clock.instant(),
                fingerprint,
                null));
        assertThat(probe.firing()).isTrue();
    }

    @Test
    void aSuccessBetweenFailuresStartsTheStreakOver() {
        Probe probe = probe(2, 1);

        tick(probe, down("HTTP 503"));
        tick(probe, up("HTTP 200"));
        tick(probe, down("HTTP 503"));
        Instant streakStart = clock.instant();
        assertThat(sink.stored()).isEmpty();
        tick(probe, down("HTTP 503"));

        assertThat(sink.stored()).singleElement().satisfies(e -> {
            assertThat(e.startsAt()).isEqualTo(streakStart);
            assertThat(e.annotations()).containsEntry("summary", "GET " + URL + ": HTTP 503");
        });
    }

    @Test
    void keepsFiringOnceWhileTheTargetStaysDown() {
        Probe probe = probe(2, 1);

        for (int i = 0; i < 6; i++) {
            tick(probe, down("connection refused"));
        }

        assertThat(sink.stored()).extracting(AlertEvent::status).containsExactly(AlertStatus.FIRING);
    }

    @Test
    void resolvesAfterTheSuccessThresholdWithTheSameStartAndFingerprint() {
        Probe probe = probe(2, 2);
        tick(probe, down("connection refused"));
        tick(probe, down("connection refused"));
        AlertEvent firing = sink.stored().get(0);

        tick(probe, up("HTTP 200"));
        tick(probe, down("no answer within 1000 ms"));
        tick(probe, up("HTTP 200"));
        assertThat(sink.stored()).as("successes must be consecutive").hasSize(1);
        tick(probe, up("HTTP 204"));

        assertThat(sink.stored()).hasSize(2);
        AlertEvent resolved = sink.stored().get(1);
        assertThat(resolved.status()).isEqualTo(AlertStatus.RESOLVED);
        assertThat(resolved.startsAt()).isEqualTo(firing.startsAt());
        assertThat(resolved.fingerprint()).isEqualTo(firing.fingerprint());
        assertThat(resolved.resource()).isEqualTo(firing.resource());
        assertThat(resolved.endsAt()).isEqualTo(clock.instant());
        assertThat(resolved.id()).isEqualTo(AlertEvent.idFor("probe", firing.fingerprint(), firing.startsAt(),
                AlertStatus.RESOLVED));
        assertThat(resolved.annotations()).containsEntry("summary", "GET " + URL + ": healthy again (HTTP 204)");
        assertThat(probe.firing()).isFalse();
    }

    @Test
    void aNewOutageAfterRecoveryFiresANewAlertWithItsOwnStart() {
        Probe probe = probe(1, 1);
        tick(probe, down("HTTP 500"));
        tick(probe, up("HTTP 200"));
        tick(probe, down("HTTP 500"));

        assertThat(sink.stored()).extracting(AlertEvent::status)
                .containsExactly(AlertStatus.FIRING, AlertStatus.RESOLVED, AlertStatus.FIRING);
        assertThat(sink.stored().get(2).startsAt()).isEqualTo(clock.instant()).isAfter(sink.stored().get(0).startsAt());
        assertThat(sink.stored().get(2).id()).isNotEqualTo(sink.stored().get(0).id());
    }

    @Test
    void retriesTheSameTransitionOnEveryTickUntilTheSinkStoresIt() {
        Probe probe = probe(2, 1);
        sink.failing = true;
        tick(probe, down("connection refused"));
        tick(probe, down("connection refused"));
        AlertEvent firing = probe.pending().get(0);

        tick(probe, down("connection refused"));
        tick(probe, down("connection refused"));
        assertThat(sink.attempts).extracting(batch -> batch.get(0)).containsExactly(firing, firing, firing);
        assertThat(sink.stored()).isEmpty();

        sink.failing = false;
        tick(probe, down("connection refused"));

        assertThat(sink.stored()).containsExactly(firing);
        assertThat(probe.pending()).isEmpty();
        tick(probe, down("connection refused"));
        assertThat(sink.stored()).as("stored once, not again").containsExactly(firing);
    }

    @Test
    void keepsEveryTransitionInOrderWhileTheSinkFails() {
        Probe probe = probe(1, 1);
        sink.failing = true;
        tick(probe, down("HTTP 500"));
        tick(probe, up("HTTP 200"));
        assertThat(probe.pending()).extracting(AlertEvent::status).containsExactly(AlertStatus.FIRING, AlertStatus.RESOLVED);

        sink.failing = false;
        tick(probe, up("HTTP 200"));

        assertThat(sink.stored()).extracting(AlertEvent::status).containsExactly(AlertStatus.FIRING, AlertStatus.RESOLVED);
        assertThat(probe.pending()).isEmpty();
    }

    @Test
    void aCheckThatFailsCountsAsAFailure() {
        Probe probe = probe(1, 1);
        clock.advance(Duration.ofSeconds(1));
        check.next = Future.failedFuture(new IllegalStateException("client closed"));

        probe.tick();

        assertThat(sink.stored()).singleElement()
                .satisfies(e -> assertThat(e.annotations()).containsEntry("summary", "GET " + URL + ": client closed"));
    }

    @Test
    void doesNotStartACheckWhileThePreviousOneIsRunning() {
        Probe probe = probe(1, 1);
        Promise<CheckResult> slow = Promise.promise();
        check.next = slow.future();
        probe.tick();
        Instant started = clock.instant();

        clock.advance(Duration.ofSeconds(1));
        probe.tick();
        assertThat(check.calls).isEqualTo(1);

        slow.complete(down("no answer within 1000 ms"));
        assertThat(sink.stored()).singleElement()
                .satisfies(e -> assertThat(e.startsAt()).as("the time the check started").isEqualTo(started));
    }

    @Test
    void aTcpProbeSaysWhereItConnects() {
        ProbeConfig config = ProbeConfig.tcp("orders-db", "db.internal", 5432, Map.of("service", "orders-db"))
                .withTiming(null, null, 1, 1);
        Probe probe = new Probe(config, new ResourceMapper(), clock, check, sink);

        tick(probe, down("connection refused"));
        tick(probe, up("connected"));

        assertThat(sink.stored()).extracting(AlertEvent::annotations).containsExactly(
                Map.of("summary", "TCP connect db.internal:5432: connection refused", "address", "db.internal:5432"),
                Map.of("summary", "TCP connect db.internal:5432: healthy again (connected)",
                        "address", "db.internal:5432"));
        assertThat(sink.stored().get(0).resource()).isEqualTo(new Resource("service", "orders-db", null, null));
    }

    @Test
    void aCommandProbePutsTheLastOutputLinesInTheFiringSummaryOnly() {
        ProbeConfig config = ProbeConfig.command("queue", List.of("check-queue", "--max", "1000"),
                Map.of("service", "orders-worker")).withTiming(null, null, 1, 1);
        Probe probe = new Probe(config, new ResourceMapper(), clock, check, sink);

        tick(probe, down("exit code 2", "depth 5000\nlimit 1000"));
        tick(probe, up("exit code 0"));

        assertThat(sink.stored()).extracting(AlertEvent::annotations).containsExactly(
                Map.of("summary", "run check-queue --max 1000: exit code 2\ndepth 5000\nlimit 1000",
                        "command", "check-queue --max 1000"),
                Map.of("summary", "run check-queue --max 1000: healthy again (exit code 0)",
                        "command", "check-queue --max 1000"));
    }

    @Test
    void theFingerprintDependsOnTheProbeNameAndLabelsOnly() {
        String fingerprint = Fingerprints.of("probe:demo-shop", Map.of("service", "demo-shop"));

        assertThat(Fingerprints.of("probe:demo-shop", Map.of("service", "demo-shop"))).isEqualTo(fingerprint);
        assertThat(Fingerprints.of("probe:other", Map.of("service", "demo-shop"))).isNotEqualTo(fingerprint);
        assertThat(Fingerprints.of("probe:demo-shop", Map.of("service", "checkout"))).isNotEqualTo(fingerprint);
    }

    /** Returns whatever the test put in {@link #next}. */
    private static final class ScriptedCheck implements Check {
        Future<CheckResult> next;
        int calls;

        @Override
        public Future<CheckResult> run() {
            calls++;
            return next;
        }
    }

    /** Stores (in memory) what it is given, or fails every publish while {@link #failing}. */
    private static final class RecordingSink implements AlertSink {
        final List<List<AlertEvent>> attempts = new ArrayList<>();
        private final List<AlertEvent> stored = new ArrayList<>();
        boolean failing;

        @Override
        public CompletionStage<Void> publish(List<AlertEvent> events) {
            attempts.add(events);
            if (failing) {
                return CompletableFuture.failedFuture(new org.apache.kafka.common.errors.TimeoutException("Kafka down"));
            }
            stored.addAll(events);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public Duration ackTimeout() {
            return Duration.ofSeconds(1);
        }

        List<AlertEvent> stored() {
            return List.copyOf(stored);
        }
    }
}
