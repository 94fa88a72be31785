package io.reflex.rules;

import static io.reflex.rules.Alerts.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.reflex.model.Action;
import io.reflex.model.ActionType;
import io.reflex.model.AlertEvent;
import io.reflex.model.AlertStatus;
import io.reflex.model.Incident;
import io.reflex.model.Resource;
import io.reflex.model.TimelineKind;
import io.reflex.model.Topics;
import io.reflex.testkit.KafkaCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rules role stops in the middle of a window (two of three alerts in) and starts again:
 * the third alert completes the window and leads to exactly one action. Once after a clean
 * restart that keeps the local state, once after losing the local state as a crashed host
 * would, so the session must be rebuilt from the facts store's changelog topic.
 */
class RulesRestartIT {
    private static final String RULES = "/restart/disk-full-window.drl";
    private static final String WINDOW_RULE = "restart service after 3 DiskFull within 10m";
    private static final String ALERT_NAME = "DiskFull";
    private static final Duration BOUND = Duration.ofSeconds(60);
    private static final Duration QUIET = Duration.ofMillis(300);
    private static KafkaCluster kafka;

    @TempDir
    Path stateDir;

    @BeforeAll
    static void startKafka() {
        kafka = KafkaCluster.start();
        kafka.createAllTopics();
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void windowHalfFilledBeforeARestartFiresOnceAfterIt() {
        decideAcrossRestart("reflex-rules-restart-kept", "disk-kept", false);
    }

    @Test
    void windowHalfFilledBeforeLosingTheLocalStateFiresOnceAfterItsRestoreFromTheChangelog() {
        decideAcrossRestart("reflex-rules-restart-lost", "disk-lost", true);
    }

    /**
     * Each variant has its own application id (so its own group, stores and changelogs) and its
     * own service (so its own record key), and shares only the broker and the topics with the other.
     */
    private void decideAcrossRestart(String applicationId, String service, boolean loseLocalState) {
        RulesConfig config = new RulesConfig(applicationId, rulesFile(), null, null, null, null);
        Resource resource = Resource.of("service", service);
        String key = resource.key();
        // Distinct startsAt, so three distinct alerts (distinct ids) that dedupe keeps.
        List<AlertEvent> diskFull = List.of(diskFull(resource, T0), diskFull(resource, T0.plusSeconds(60)),
                diskFull(resource, T0.plusSeconds(120)));

        startAtTheEndOfTheAlerts(applicationId);
        try (RulesStage stage = stage(config)) {
            stage.start();
            await().atMost(BOUND).until(stage::running);
            kafka.send(Topics.ALERTS, key, diskFull.get(0));
            kafka.send(Topics.ALERTS, key, diskFull.get(1));
            awaitDecided(diskFull.get(0), diskFull.get(1));
            assertThat(actionsOn(key)).as("two of three alerts fill the window half; no action yet").isEmpty();
        }

        if (loseLocalState) {
            assertThat(stateDir.resolve(applicationId)).as("the stage kept its stores in the state dir").isDirectory();
            deleteContents(stateDir);
        }

        try (RulesStage restarted = stage(config)) {
            restarted.start();
            await().atMost(BOUND).until(restarted::running);
            assertThat(actionsOn(key)).as("rebuilding the session decides nothing again").isEmpty();

            kafka.send(Topics.ALERTS, key, diskFull.get(2));
            // Same key, same partition and task: once this one is decided, so is the third DiskFull,
            // and any action a rebuild or a redelivery would add has been committed before it.
            AlertEvent probe = Alerts.alert("HighLoad", resource, Map.of("service", service), AlertStatus.FIRING,
                    T0.plusSeconds(180));
            kafka.send(Topics.ALERTS, key, probe);
            awaitDecided(diskFull.get(2), probe);

            assertThat(actionsOn(key)).singleElement().satisfies(action -> {
                assertThat(action.rule().name()).isEqualTo(WINDOW_RULE);
                assertThat(action.type()).isEqualTo(ActionType.RESTART_SERVICE);
                assertThat(action.target().name()).isEqualTo(service);
                assertThat(action.incidentId())
                        .as("the incident the first DiskFull opened before the restart")
                        .isEqualTo(Incident.idFor(resource, ALERT_NAME, diskFull.get(0).id()));
            });
        }
    }

    /**
     * A new application reads the alerts topic from its beginning, and would decide the other
     * variant's alerts too (its actions on another key: harmless, but noise in the logs and the
     * run time). Committing the group's offsets at the current end makes it see this variant's only.
     */
    private static void startAtTheEndOfTheAlerts(String applicationId) {
        Map<TopicPartition, OffsetSpec> ends = IntStream.range(0, Topics.ALERTS.partitions())
                .mapToObj(p -> new TopicPartition(Topics.ALERTS.name(), p))
                .collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest()));
        try (Admin admin = kafka.admin()) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listOffsets(ends).all()
                    .get(BOUND.toMillis(), TimeUnit.MILLISECONDS).entrySet().stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> new OffsetAndMetadata(e.getValue().offset())));
            admin.alterConsumerGroupOffsets(applicationId, offsets).all().get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while committing the offsets of " + applicationId, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot commit the offsets of " + applicationId + " at the end of "
                    + Topics.ALERTS.name() + ": " + e, e);
        }
    }

    private RulesStage stage(RulesConfig config) {
        return new RulesStage(config, kafka.clientProps(), stateDir, Clock.systemUTC(), new PrometheusRegistry());
    }

    private static AlertEvent diskFull(Resource resource, Instant startsAt) {
        return Alerts.alert(ALERT_NAME, resource, Map.of("service", resource.name()), AlertStatus.FIRING, startsAt);
    }

    /** Waits until the stage's ALERT_RECEIVED entries of these alerts are committed: it has decided them. */
    private static void awaitDecided(AlertEvent... alerts) {
        Set<String> ids = Stream.of(alerts).map(AlertEvent::id).collect(Collectors.toSet());
        await().atMost(BOUND).pollInterval(200, TimeUnit.MILLISECONDS)
                .until(() -> kafka.readAll(Topics.TIMELINE, QUIET).stream()
                        .map(ConsumerRecord::value)
                        .filter(entry -> entry.kind() == TimelineKind.ALERT_RECEIVED)
                        .map(entry -> entry.refs().get("alertId"))
                        .collect(Collectors.toSet())
                        .containsAll(ids));
    }

    /** The committed actions on one target (read_committed). */
    private static List<Action> actionsOn(String targetKey) {
        return kafka.readAll(Topics.ACTIONS, QUIET).stream()
                .filter(r -> r.key().equals(targetKey))
                .map(ConsumerRecord::value)
                .toList();
    }

    private static Path rulesFile() {
        URL url = RulesRestartIT.class.getResource(RULES);
        assertThat(url).as("test resource %s", RULES).isNotNull();
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot turn " + url + " into a path", e);
        }
    }

    /** What a host that crashed and came back without its disk has: an empty state dir. */
    private static void deleteContents(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path path : all.sorted(Comparator.reverseOrder()).filter(p -> !p.equals(dir)).toList()) {
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot empty the state dir " + dir, e);
        }
    }
}
