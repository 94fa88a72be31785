package io.reflex.rules.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.reflex.model.RulesetVersion;
import io.reflex.model.Topics;
import io.reflex.rules.RuleCompiler;
import io.reflex.rules.Ruleset;
import io.reflex.testkit.KafkaCluster;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two deployers, as two processes would have (separate objects, separate producers and
 * consumers), deploying at the same time against a real broker never write the same version.
 */
class ConcurrentDeployIT {
    private static final int DEPLOYS_EACH = 6;
    private static final Duration BOUND = Duration.ofSeconds(120);
    private static KafkaCluster kafka;

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

    private static String packageOf(String deployer, int i) {
        return RuleCompiler.demoPackage().replace("rule \"restart service on ServiceDown\"",
                "rule \"restart service on ServiceDown, " + deployer + " #" + i + "\"");
    }

    private static Deployer deployer() {
        // No stage runs here: deploys are stored, never run locally, so the wait for the stage is kept short.
        Rulesets alone = new Rulesets(new Ruleset(1, "demo", RuleCompiler.compile("demo", RuleCompiler.demoPackage())));
        return new Deployer(kafka.clientProps(), alone, RuleCompiler.demoPackage(), Clock.systemUTC(),
                Duration.ofMillis(1));
    }

    @Test
    void twoProcessesDeployingAtOnceNeverWriteTheSameVersion() throws Exception {
        CyclicBarrier together = new CyclicBarrier(2);
        try (Deployer a = deployer(); Deployer b = deployer()) {
            CompletableFuture<Map<Long, String>> fromA = CompletableFuture.supplyAsync(() -> deployAll(a, "a", together));
            CompletableFuture<Map<Long, String>> fromB = CompletableFuture.supplyAsync(() -> deployAll(b, "b", together));
            Map<Long, String> wroteA = fromA.get(BOUND.toSeconds(), TimeUnit.SECONDS);
            Map<Long, String> wroteB = fromB.get(BOUND.toSeconds(), TimeUnit.SECONDS);

            assertThat(wroteA).hasSize(DEPLOYS_EACH);
            assertThat(wroteB).hasSize(DEPLOYS_EACH);
            assertThat(wroteA.keySet()).doesNotContainAnyElementsOf(wroteB.keySet());

            Map<String, RulesetVersion> latest = new HashMap<>();
            for (ConsumerRecord<String, RulesetVersion> record : kafka.readAll(Topics.RULESETS, Duration.ofMillis(500))) {
                latest.put(record.key(), record.value());
            }
            Map<Long, String> wrote = new HashMap<>(wroteA);
            wrote.putAll(wroteB);
            assertThat(wrote).hasSize(2 * DEPLOYS_EACH);
            wrote.forEach((version, drl) -> {
                assertThat(latest.get(RulesetVersion.key(version))).as("v%d", version).isNotNull()
                        .extracting(RulesetVersion::drl).isEqualTo(drl);
            });
            // Versions 2..2N+1, none skipped: each deploy read every earlier one before picking its number.
            assertThat(wrote.keySet()).containsExactlyInAnyOrderElementsOf(
                    java.util.stream.LongStream.rangeClosed(2, 2L * DEPLOYS_EACH + 1).boxed().toList());
            assertThat(a.list().versions()).extracting(Deployer.Entry::version).containsAll(wrote.keySet());
        }
    }

    private static Map<Long, String> deployAll(Deployer deployer, String name, CyclicBarrier together) {
        Map<Long, String> wrote = new HashMap<>();
        List<Long> order = new ArrayList<>();
        for (int i = 0; i < DEPLOYS_EACH; i++) {
            try {
                // Both start each round at the same instant, so their reads and writes overlap.
                together.await(BOUND.toSeconds(), TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("the other deployer did not reach round " + i, e);
            }
            String drl = packageOf(name, i);
            long version = deployer.deploy(drl, name, false).version();
            assertThat(wrote.put(version, drl)).as("%s wrote v%d twice", name, version).isNull();
            order.add(version);
        }
        assertThat(order).isSorted();
        return wrote;
    }
}
