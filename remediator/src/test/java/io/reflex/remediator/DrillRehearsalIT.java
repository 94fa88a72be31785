package io.reflex.remediator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reflex.model.Action;
import io.reflex.model.ActionMode;
import io.reflex.model.ActionResult;
import io.reflex.model.ActionStatus;
import io.reflex.model.ActionType;
import io.reflex.model.RuleRef;
import io.reflex.model.Target;
import io.reflex.model.TimelineEntry;
import io.reflex.model.TimelineKind;
import io.reflex.model.Topics;
import io.reflex.remediator.guard.BlastRadius;
import io.reflex.remediator.guard.GuardrailsConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A drill rehearses 1,000 host isolations against a blast radius of 5 per zone on a real broker:
 * the guardrails judge them in the drill's own ledger, no connector is called, and the real
 * ledger is left as it was.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DrillRehearsalIT {
    private static final int HOSTS = 1_000;
    private static final int ZONES = 10;
    private static final int PER_ZONE = 5;
    private static final String DRILL_A = "drill-storm-20261126T120000Z";
    private static final String DRILL_B = "drill-storm-20261126T130000Z";

    private Harness harness;
    private Harness.Running running;

    @BeforeAll
    void start(@TempDir Path dir) {
        harness = new Harness(dir);
        GuardrailsConfig guardrails = new GuardrailsConfig(false, null, null,
                List.of(new BlastRadius.Limit("hosts-per-zone", "zone", null, PER_ZONE, null, null, "1s")),
                null, null, null);
        RemediatorConfig config = new RemediatorConfig("it-drill-rehearsal", null, null, null, Duration.ofMillis(200),
                null, null, null, null, null, guardrails, null);
        running = harness.start(config);
    }

    @AfterAll
    void stop() {
        running.close();
        harness.close();
    }

    private static Action isolate(String drillId, int i) {
        Instant now = Instant.now();
        String host = "host-" + i;
        return new Action(drillId + "-iso-" + i, drillId + "-inc-" + i, new RuleRef("isolate on storm", 1),
                ActionType.ISOLATE_HOST, new Target(RecordingConnector.NAME, "host", host), Map.of(),
                ActionMode.DRY_RUN, false, now, now.plus(Duration.ofMinutes(10)), "host:" + host,
                Map.of("zone", "zone-" + (i % ZONES), "drillId", drillId));
    }

    /** All at once through one producer, as a storm drill writes them. */
    private void deliverStorm(String drillId) throws Exception {
        Map<String, Object> props = harness.kafka.clientProps();
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(),
                new ByteArraySerializer())) {
            // Every partition led before the first send: a storm written while a fresh topic's
            // leaders settle can fail whole batches, and the test would wait for actions never written.
            try (org.apache.kafka.clients.admin.Admin admin = harness.kafka.admin()) {
                await("reflex.actions has a leader for every partition").atMost(Duration.ofSeconds(60))
                        .until(() -> admin.describeTopics(List.of(Topics.ACTIONS.name())).allTopicNames().get()
                                .get(Topics.ACTIONS.name()).partitions().stream().allMatch(p -> p.leader() != null));
            }
            List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> sent =
                    new java.util.ArrayList<>();
            for (int i = 0; i < HOSTS; i++) {
                Action action = isolate(drillId, i);
                sent.add(producer.send(new ProducerRecord<>(Topics.ACTIONS.name(), action.target().key(),
                        Topics.ACTIONS.valueSerde().serializer().serialize(Topics.ACTIONS.name(), action))));
            }
            producer.flush();
            for (var future : sent) {
                future.get(30, java.util.concurrent.TimeUnit.SECONDS); // a lost write fails here, not as a 3-minute wait
            }
        }
    }

    private List<ActionResult> terminalResults(String drillId) {
        return harness.kafka.readAll(Topics.RESULTS, Duration.ofMillis(300)).stream().map(ConsumerRecord::value)
                .filter(r -> r.actionId().startsWith(drillId + "-") && r.status().terminal()).toList();
    }

    private List<TimelineEntry> timeline(String drillId) {
        return harness.kafka.readAll(Topics.TIMELINE, Duration.ofMillis(300)).stream().map(ConsumerRecord::value)
                .filter(e -> e.incidentId().startsWith(drillId + "-")).toList();
    }

    private List<ActionResult> rehearse(String drillId) throws Exception {
        deliverStorm(drillId);
        await(drillId + ": every dry run judged").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(2))
                .until(() -> terminalResults(drillId).size() >= HOSTS);
        List<ActionResult> results = terminalResults(drillId);
        assertThat(results).hasSize(HOSTS).allSatisfy(r -> assertThat(r.status()).isEqualTo(ActionStatus.SKIPPED));
        return results;
    }

    private static void assertFivePerZone(List<ActionResult> results, String drillId) {
        List<ActionResult> would = results.stream().filter(r -> r.detail().startsWith("dry run: would isolate_host"))
                .toList();
        List<ActionResult> held = results.stream()
                .filter(r -> r.detail().startsWith("dry run: would be held by blastRadius")).toList();
        assertThat(would).hasSize(PER_ZONE * ZONES).allSatisfy(r -> assertThat(r.detail())
                .endsWith(" through fake; guardrails allow it; nothing was done"));
        assertThat(held).hasSize(HOSTS - PER_ZONE * ZONES).allSatisfy(r -> assertThat(r.detail())
                .startsWith("dry run: would be held by blastRadius:hosts-per-zone: Blast radius hosts-per-zone"));
        Map<Integer, Long> perZone = would.stream().collect(Collectors.groupingBy(
                r -> Integer.parseInt(r.actionId().substring((drillId + "-iso-").length())) % ZONES,
                Collectors.counting()));
        assertThat(perZone).hasSize(ZONES).allSatisfy((zone, n) -> assertThat(n).isEqualTo((long) PER_ZONE));
    }

    @Test
    void aThousandRehearsedIsolationsMeetTheBlastRadiusInTheirOwnLedgerOnly() throws Exception {
        List<ActionResult> results = rehearse(DRILL_A);
        assertFivePerZone(results, DRILL_A);

        List<TimelineEntry> entries = timeline(DRILL_A);
        assertThat(entries).allSatisfy(e -> assertThat(e.refs()).containsEntry("drillId", DRILL_A));
        List<TimelineEntry> guardrail = entries.stream().filter(e -> e.kind() == TimelineKind.GUARDRAIL).toList();
        assertThat(guardrail).hasSize(HOSTS - PER_ZONE * ZONES).allSatisfy(e -> assertThat(e.refs())
                .containsEntry("guardrail", "blastRadius:hosts-per-zone").containsEntry("decision", "HOLD"));
        assertThat(harness.fake.executed()).as("no connector is called for a rehearsal").isEmpty();
        assertThat(running.remediator.guardrails().activity().disrupted()).as("the real ledger").isEmpty();

        // The real ledger was not touched: a real isolation in a zone the drill filled runs.
        Action real = Harness.action("real-iso-1", "inc-real-1", ActionType.ISOLATE_HOST, "host", "real-1", false,
                Map.of("zone", "zone-0"));
        harness.deliver(real);
        ActionResult done = harness.awaitTerminal(real.id());
        assertThat(done.status()).isEqualTo(ActionStatus.SUCCEEDED);
        assertThat(harness.fake.runs(real.id())).isEqualTo(1);
        assertThat(harness.timeline(real.id(), TimelineKind.ACTION_RESULT))
                .allSatisfy(e -> assertThat(e.refs()).doesNotContainKey("drillId"));
        await("the real isolation in the real ledger").atMost(Duration.ofSeconds(30))
                .until(() -> running.remediator.guardrails().activity().disrupted().containsKey("host:real-1"));

        // A second drill gets its own 50, unaffected by the first drill and by the real isolation.
        assertFivePerZone(rehearse(DRILL_B), DRILL_B);
        assertThat(harness.fake.executed()).extracting(Action::id).containsExactly(real.id());
    }
}
