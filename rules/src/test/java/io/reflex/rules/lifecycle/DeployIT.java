package io.reflex.rules.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.reflex.model.Action;
import io.reflex.model.AlertEvent;
import io.reflex.model.AlertStatus;
import io.reflex.model.Resource;
import io.reflex.model.TimelineEntry;
import io.reflex.model.TimelineKind;
import io.reflex.model.Topics;
import io.reflex.rules.RuleCompiler;
import io.reflex.rules.RulesConfig;
import io.reflex.rules.RulesStage;
import io.reflex.rules.Ruleset;
import io.reflex.testkit.KafkaCluster;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hot deploy under load, against a real broker: alerts keep flowing while a new version deploys. */
class DeployIT {
    private static final Duration BOUND = Duration.ofSeconds(90);
    private static final Duration QUIET = Duration.ofMillis(500);
    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
    /** Alerts sent after the deploy returned, so some are surely decided by the new version. */
    private static final int AFTER_DEPLOY = 40;
    private static final String V2 = RuleCompiler.demoPackage()
            .replace("rule \"restart service on ServiceDown\"", "rule \"restart service on ServiceDown, v2\"");
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

    private static AlertEvent serviceDown(String service, Instant startsAt) {
        String fingerprint = "fp-ServiceDown-" + service;
        return new AlertEvent(AlertEvent.idFor("alertmanager", fingerprint, startsAt, AlertStatus.FIRING),
                "alertmanager", "ServiceDown", AlertStatus.FIRING, "critical", Resource.of("service", service),
                Map.of("alertname", "ServiceDown", "service", service), Map.of(), startsAt, null,
                startsAt.plusSeconds(1), fingerprint, null);
    }

    @Test
    void everyAlertIsDecidedOnceByOneVersionWhileANewVersionDeploys() throws Exception {
        RulesConfig config = new RulesConfig("reflex-rules-deploy-it", null, null, null, null, null);
        Set<String> sent = ConcurrentHashMap.newKeySet();
        AtomicBoolean deployed = new AtomicBoolean();
        AtomicInteger afterDeploy = new AtomicInteger();
        long newVersion;
        try (RulesStage stage = new RulesStage(config, kafka.clientProps(), stateDir, Clock.systemUTC(),
                new PrometheusRegistry());
                Deployer deployer = new Deployer(kafka.clientProps(), stage.rulesets(), RuleCompiler.demoPackage(),
                        Clock.systemUTC(), BOUND)) {
            stage.start();
            await().atMost(BOUND).until(stage::running);

            CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
                for (int i = 0; afterDeploy.get() < AFTER_DEPLOY; i++) {
                    AlertEvent alert = serviceDown("svc-" + (i % 24), T0.plusSeconds(i));
                    kafka.send(Topics.ALERTS, alert.resource().key(), alert);
                    sent.add(alert.id());
                    if (deployed.get()) {
                        afterDeploy.incrementAndGet();
                    }
                }
            });
            await().atMost(BOUND).until(() -> sent.size() >= 40);

            Deployer.Deployed result = deployer.deploy(V2, "it", false);
            deployed.set(true);
            sender.get(BOUND.toSeconds(), TimeUnit.SECONDS);

            // The other test may have deployed before: the new version is the next free number, whatever it is.
            newVersion = result.version();
            assertThat(newVersion).isGreaterThan(1);
            assertThat(result.active()).isTrue();
            await().atMost(BOUND).pollInterval(500, TimeUnit.MILLISECONDS)
                    .until(() -> kafka.readAll(Topics.ACTIONS, QUIET).size() >= sent.size());
        }

        List<String> received = kafka.readAll(Topics.TIMELINE, QUIET).stream()
                .map(ConsumerRecord::value)
                .filter(entry -> entry.kind() == TimelineKind.ALERT_RECEIVED)
                .map(entry -> entry.refs().get("alertId"))
                .toList();
        assertThat(received).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(sent);

        List<ConsumerRecord<String, Action>> actions = kafka.readAll(Topics.ACTIONS, QUIET);
        // The demo rule and its v2 copy restart once per firing alert: one action per alert, none lost or doubled.
        assertThat(actions).hasSize(sent.size());
        assertThat(actions).extracting(r -> r.value().id()).doesNotHaveDuplicates();
        Map<Integer, List<Long>> versionsByPartition = new HashMap<>();
        for (ConsumerRecord<String, Action> record : actions) {
            versionsByPartition.computeIfAbsent(record.partition(), p -> new ArrayList<>())
                    .add(record.value().rule().version());
        }
        assertThat(actions).extracting(r -> r.value().rule().version()).containsOnly(1L, newVersion)
                .contains(1L, newVersion);
        versionsByPartition.forEach((partition, versions) -> {
            // In offset order: some v1, then only v2 — a task swaps once and never goes back.
            int firstNew = versions.indexOf(newVersion);
            if (firstNew >= 0) {
                assertThat(versions.subList(firstNew, versions.size())).as("partition %d", partition)
                        .containsOnly(newVersion);
            }
        });
        Map<Long, String> ruleOfVersion = actions.stream().map(ConsumerRecord::value)
                .collect(Collectors.toMap(a -> a.rule().version(), a -> a.rule().name(), (a, b) -> a));
        assertThat(ruleOfVersion).containsEntry(newVersion, "restart service on ServiceDown, v2");
    }

    @Test
    void listsVersionsAndRollsBackToAStoredOneOnly() {
        Rulesets alone = new Rulesets(new Ruleset(1, "demo", RuleCompiler.compile("demo",
                RuleCompiler.demoPackage())));
        // No stage runs here: deploys are stored and active, never run locally, so the wait is kept short.
        try (Deployer deployer = new Deployer(kafka.clientProps(), alone, RuleCompiler.demoPackage(),
                Clock.systemUTC(), Duration.ofMillis(1))) {
            Deployer.Deployed deployed = deployer.deploy(V2, "carol", false);
            assertThat(deployed.active()).isFalse();

            Deployer.Listing listing = deployer.list();
            assertThat(listing.active()).isEqualTo(deployed.version());
            assertThat(listing.versions()).extracting(Deployer.Entry::version).contains(1L, deployed.version());
            assertThat(listing.versions()).filteredOn(e -> e.version() == deployed.version())
                    .extracting(Deployer.Entry::author).containsExactly("carol");

            assertThat(deployer.rollback(1)).isPresent();
            assertThat(deployer.list().active()).isEqualTo(1);
            assertThat(deployer.rollback(deployed.version() + 100)).isEmpty();
            assertThat(deployer.list().active()).isEqualTo(1);
        }
    }

    @Test
    void aShadowDeployRunsBesideTheActiveVersionAndExecutesOnceActive() {
        Rulesets alone = new Rulesets(new Ruleset(1, "demo", RuleCompiler.compile("demo",
                RuleCompiler.demoPackage())));
        try (Deployer deployer = new Deployer(kafka.clientProps(), alone, RuleCompiler.demoPackage(),
                Clock.systemUTC(), Duration.ofMillis(1))) {
            long active = deployer.deploy(V2, "erin", false).version();

            long shadow = deployer.deploy(V2, "erin", true).version();

            Deployer.Listing listing = deployer.list();
            assertThat(listing.active()).as("a shadow deploy leaves the active version").isEqualTo(active);
            assertThat(listing.shadow()).isEqualTo(shadow);
            assertThat(listing.versions()).filteredOn(e -> e.version() == shadow).extracting(Deployer.Entry::shadow)
                    .containsExactly(true);
            assertThat(latest().get(RulesetsUpdater.SHADOW_KEY).shadow()).isTrue();

            // Rolled back to, a version deployed in shadow executes its actions; the shadow keeps running.
            assertThat(deployer.rollback(shadow)).isPresent();
            assertThat(latest().get(RulesetsUpdater.ACTIVE_KEY)).satisfies(v -> {
                assertThat(v.version()).isEqualTo(shadow);
                assertThat(v.shadow()).isFalse();
            });
            assertThat(deployer.list().shadow()).isEqualTo(shadow);

            assertThat(deployer.stopShadow()).contains(shadow);
            assertThat(deployer.list().shadow()).isNull();
            assertThat(latest()).doesNotContainKey(RulesetsUpdater.SHADOW_KEY);
            assertThat(deployer.stopShadow()).isEmpty();
            assertThat(deployer.promoteShadow()).isEmpty();

            long next = deployer.deploy(V2, "erin", true).version();
            assertThat(deployer.promoteShadow()).map(Deployer.Deployed::version).contains(next);
            assertThat(deployer.list()).satisfies(l -> {
                assertThat(l.active()).isEqualTo(next);
                assertThat(l.shadow()).isNull();
            });
            assertThat(latest().get(RulesetsUpdater.ACTIVE_KEY).shadow()).isFalse();
            // The hot deploy test expects the stage to start on version 1, whichever test runs first.
            assertThat(deployer.rollback(1)).isPresent();
        }
    }

    /** The latest record of each key of reflex.rulesets; a tombstone removes its key. */
    private static Map<String, io.reflex.model.RulesetVersion> latest() {
        Map<String, io.reflex.model.RulesetVersion> latest = new HashMap<>();
        for (ConsumerRecord<String, io.reflex.model.RulesetVersion> r : kafka.readAll(Topics.RULESETS, QUIET)) {
            if (r.value() == null) {
                latest.remove(r.key());
            } else {
                latest.put(r.key(), r.value());
            }
        }
        return latest;
    }
}
