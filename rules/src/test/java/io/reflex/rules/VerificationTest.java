package io.reflex.rules;

import static io.reflex.rules.Alerts.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.reflex.model.Action;
import io.reflex.model.ActionMode;
import io.reflex.model.ActionResult;
import io.reflex.model.ActionStatus;
import io.reflex.model.AlertEvent;
import io.reflex.model.AlertStatus;
import io.reflex.model.Incident;
import io.reflex.model.IncidentStatus;
import io.reflex.model.TimelineEntry;
import io.reflex.model.TimelineKind;
import io.reflex.model.Topic;
import io.reflex.model.Topics;
import io.reflex.testkit.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built-in verification: an executed action that succeeded must see its incident recover
 * within {@code rules.verifyWithin}, or the incident goes to a person.
 */
class VerificationTest {
    /** Restarts only: no rule of its own escalates, so what escalates here is the verification. */
    private static final String RESTART_ONLY = """
            package io.reflex.rules.test;
            import io.reflex.model.AlertEvent;
            global io.reflex.rules.Remediate remediate;

            rule "restart on ServiceDown"
            when $a : AlertEvent(name == "ServiceDown", firing)
            then remediate.restartService($a, $a.label("service"));
            end
            """;

    @TempDir
    Path stateDir;

    private final MutableClock clock = new MutableClock(T0.plusSeconds(2));
    private RulesMetrics metrics;
    private TopologyTestDriver driver;
    private TestInputTopic<String, AlertEvent> alerts;
    private TestInputTopic<String, ActionResult> results;
    private TestOutputTopic<String, Action> actions;
    private TestOutputTopic<String, TimelineEntry> timeline;
    private TestOutputTopic<String, Incident> incidents;

    private void start(RulesConfig config, boolean shadow) {
        metrics = new RulesMetrics(new PrometheusRegistry());
        Ruleset ruleset = new Ruleset(1, "test", RuleCompiler.compile("test", RESTART_ONLY), shadow);
        driver = new TopologyTestDriver(DecisionTopology.build(ruleset, config, clock, metrics),
                RulesStage.streamsProperties(config, Map.of("bootstrap.servers", "unused:9092"), stateDir),
                clock.instant());
        alerts = driver.createInputTopic(Topics.ALERTS.name(), new StringSerializer(),
                Topics.ALERTS.valueSerde().serializer());
        results = driver.createInputTopic(Topics.RESULTS.name(), new StringSerializer(),
                Topics.RESULTS.valueSerde().serializer());
        actions = output(Topics.ACTIONS);
        timeline = output(Topics.TIMELINE);
        incidents = output(Topics.INCIDENTS);
    }

    private <V> TestOutputTopic<String, V> output(Topic<V> topic) {
        return driver.createOutputTopic(topic.name(), new StringDeserializer(), topic.valueSerde().deserializer());
    }

    @AfterEach
    void stop() {
        if (driver != null) {
            driver.close();
        }
    }

    private void send(AlertEvent alert) {
        alerts.pipeInput(alert.resource().key(), alert, alert.receivedAt());
    }

    private void result(Action action, ActionStatus status) {
        results.pipeInput(action.resultKey(), new ActionResult(action.id(), action.incidentId(), status, 1,
                status + " by the test", clock.instant(), clock.instant(), action.type()), clock.instant());
    }

    private void passTime(Duration duration) {
        clock.advance(duration);
        driver.advanceWallClockTime(duration);
    }

    private long watched() {
        KeyValueStore<String, Verification> store = driver.getKeyValueStore(DecisionTopology.VERIFICATIONS_STORE);
        long n = 0;
        try (var all = store.all()) {
            for (; all.hasNext(); all.next()) {
                n++;
            }
        }
        return n;
    }

    /** The restart of the firing ServiceDown on demo-shop; the outputs up to it are read. */
    private Action restartDecided() {
        send(Alerts.serviceDown("demo-shop", AlertStatus.FIRING, T0));
        Action restart = actions.readValuesToList().get(0);
        timeline.readValuesToList();
        incidents.readValuesToList();
        return restart;
    }

    @Test
    void durationsReadAsPeopleSayThem() {
        assertThat(Verification.human(Duration.ofMillis(25))).isEqualTo("25 ms");
        assertThat(Verification.human(Duration.ofMillis(1_250))).isEqualTo("1.3s");
        assertThat(Verification.human(Duration.ofSeconds(31))).isEqualTo("31s");
        assertThat(Verification.human(Duration.ofSeconds(90))).isEqualTo("1m30s");
        assertThat(Verification.human(Duration.ofMillis(-5))).isEqualTo("0 ms");
    }

    @Test
    void anIncidentThatRecoversBeforeTheDeadlineIsVerifiedOnce() {
        start(RulesConfig.defaults(), false);
        Action restart = restartDecided();
        passTime(Duration.ofSeconds(28));
        result(restart, ActionStatus.STARTED);
        result(restart, ActionStatus.SUCCEEDED);
        assertThat(watched()).isEqualTo(1);

        passTime(Duration.ofSeconds(31));
        AlertEvent resolved = Alerts.serviceDown("demo-shop", AlertStatus.RESOLVED, T0);
        send(resolved);

        // The result finished at T0+30s (the test's clock); the resolution was received at T0+61s.
        assertThat(timeline.readValuesToList()).extracting(TimelineEntry::kind, TimelineEntry::summary,
                TimelineEntry::refs).containsExactly(
                tuple(TimelineKind.ALERT_RECEIVED, "ServiceDown RESOLVED from alertmanager (severity critical)",
                        Map.of("alertId", resolved.id(), "source", "alertmanager",
                                "fingerprint", resolved.fingerprint(), "startsAt", T0.toString(),
                                "label.alertname", "ServiceDown", "label.service", "demo-shop")),
                tuple(TimelineKind.VERIFIED, "recovered 31s after restart_service service:demo-shop succeeded",
                        Map.of("actionId", restart.id(), "rule", "restart on ServiceDown", "alertId", resolved.id())),
                tuple(TimelineKind.RESOLVED, "ServiceDown resolved on service:demo-shop (reported by alertmanager)",
                        Map.of("alertId", resolved.id())));
        assertThat(metrics.verifications("verified")).isEqualTo(1);
        assertThat(watched()).isZero();

        passTime(Duration.ofMinutes(10));
        assertThat(incidents.readValuesToList()).extracting(Incident::status)
                .containsExactly(IncidentStatus.RESOLVED);
        assertThat(timeline.isEmpty()).as("verified once, never escalated").isTrue();
        assertThat(metrics.verifications("escalated")).isZero();
    }

    @Test
    void anIncidentStillDownAtTheDeadlineIsEscalatedOnce() {
        start(RulesConfig.defaults(), false);
        Action restart = restartDecided();
        passTime(Duration.ofSeconds(28));
        result(restart, ActionStatus.SUCCEEDED);

        passTime(Duration.ofMinutes(5).minusSeconds(1));
        assertThat(incidents.isEmpty()).as("not before the deadline").isTrue();
        assertThat(timeline.isEmpty()).isTrue();

        passTime(Duration.ofSeconds(1));
        assertThat(incidents.readValuesToList()).singleElement().satisfies(incident -> {
            assertThat(incident.id()).isEqualTo(restart.incidentId());
            assertThat(incident.status()).isEqualTo(IncidentStatus.ESCALATED);
        });
        assertThat(timeline.readValuesToList()).singleElement().satisfies(entry -> {
            assertThat(entry.incidentId()).isEqualTo(restart.incidentId());
            assertThat(entry.kind()).isEqualTo(TimelineKind.ESCALATED);
            assertThat(entry.at()).isEqualTo(clock.instant());
            assertThat(entry.summary()).isEqualTo("not recovered 5m after restart_service service:demo-shop"
                    + " succeeded; a person must look");
            assertThat(entry.refs()).isEqualTo(Map.of("actionId", restart.id(), "rule", "restart on ServiceDown"));
        });
        assertThat(metrics.verifications("escalated")).isEqualTo(1);
        assertThat(actions.isEmpty()).as("the verification escalates the incident, it decides no action").isTrue();

        passTime(Duration.ofMinutes(10));
        send(Alerts.serviceDown("demo-shop", AlertStatus.RESOLVED, T0));
        assertThat(incidents.readValuesToList()).extracting(Incident::status)
                .containsExactly(IncidentStatus.RESOLVED);
        assertThat(timeline.readValuesToList()).extracting(TimelineEntry::kind)
                .containsExactly(TimelineKind.ALERT_RECEIVED, TimelineKind.RESOLVED);
        assertThat(metrics.verifications("escalated")).as("escalated once").isEqualTo(1);
        assertThat(metrics.verifications("verified")).isZero();
    }

    @Test
    void theDeadlineIsAlsoCheckedWhenARecordComesBeforeTheTick() {
        start(RulesConfig.defaults().withVerifyWithin(Duration.ofSeconds(90)), false);
        Action restart = restartDecided();
        result(restart, ActionStatus.SUCCEEDED);

        // The clock moves past the deadline without a tick; the resolution that comes next is too late.
        clock.advance(Duration.ofMinutes(2));
        send(Alerts.serviceDown("demo-shop", AlertStatus.RESOLVED, T0));

        assertThat(incidents.readValuesToList()).extracting(Incident::status)
                .containsExactly(IncidentStatus.ESCALATED, IncidentStatus.RESOLVED);
        assertThat(timeline.readValuesToList()).extracting(TimelineEntry::kind, TimelineEntry::summary)
                .containsExactly(
                        tuple(TimelineKind.ESCALATED, "not recovered 1m30s after restart_service service:demo-shop"
                                + " succeeded; a person must look"),
                        tuple(TimelineKind.ALERT_RECEIVED, "ServiceDown RESOLVED from alertmanager (severity critical)"),
                        tuple(TimelineKind.RESOLVED,
                                "ServiceDown resolved on service:demo-shop (reported by alertmanager)"));
    }

    @Test
    void anActionThatFailedIsNotVerified() {
        start(RulesConfig.defaults(), false);
        Action restart = restartDecided();
        result(restart, ActionStatus.FAILED);
        assertThat(watched()).isZero();

        passTime(Duration.ofMinutes(10));

        assertThat(incidents.isEmpty()).isTrue();
        assertThat(timeline.isEmpty()).isTrue();
    }

    @Test
    void anActionWhoseResultNeverComesIsForgottenAfterTheDedupeRetention() {
        start(RulesConfig.defaults(), false);
        restartDecided();
        passTime(Duration.ofHours(23));
        assertThat(watched()).isEqualTo(1);

        passTime(Duration.ofHours(1).plusMinutes(1));

        assertThat(watched()).isZero();
        assertThat(timeline.isEmpty()).isTrue();
    }

    @Test
    void turnedOffNothingIsWatchedNorEscalated() {
        start(RulesConfig.defaults().withVerifyWithin(Duration.ZERO), false);
        Action restart = restartDecided();
        result(restart, ActionStatus.SUCCEEDED);
        assertThat(watched()).isZero();

        passTime(Duration.ofMinutes(10));
        assertThat(incidents.isEmpty()).isTrue();
        assertThat(timeline.isEmpty()).isTrue();

        send(Alerts.serviceDown("demo-shop", AlertStatus.RESOLVED, T0));
        assertThat(timeline.readValuesToList()).extracting(TimelineEntry::kind)
                .containsExactly(TimelineKind.ALERT_RECEIVED, TimelineKind.RESOLVED);
        assertThat(metrics.verifications("verified") + metrics.verifications("escalated")).isZero();
    }

    @Test
    void actionsOfAShadowVersionAreNotVerified() {
        start(RulesConfig.defaults(), true);
        Action shadow = restartDecided();
        assertThat(shadow.mode()).isEqualTo(ActionMode.SHADOW);
        result(shadow, ActionStatus.SUCCEEDED);
        assertThat(watched()).isZero();

        passTime(Duration.ofMinutes(10));

        assertThat(incidents.isEmpty()).isTrue();
        assertThat(timeline.isEmpty()).isTrue();
        assertThat(metrics.verifications("escalated")).isZero();
    }
}
