package io.reflex.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.reflex.app.config.CliOverrides;
import io.reflex.app.config.ConfigLoader;
import io.reflex.app.config.ReflexConfig;
import io.reflex.app.demo.Demo;
import io.reflex.app.dr.WithPidFile;
import io.reflex.app.kafka.EmbeddedKafka;
import io.reflex.app.kafka.TopicSetup;
import io.reflex.drill.dr.DrDrill;
import io.reflex.drill.dr.DrDrillFile;
import io.reflex.drill.dr.DrDrillReport;
import io.reflex.drill.dr.DrDrillRunner;
import io.reflex.model.AlertEvent;
import io.reflex.model.AlertStatus;
import io.reflex.model.Json;
import io.reflex.model.Resource;
import io.reflex.model.TimelineEntry;
import io.reflex.model.TimelineKind;
import io.reflex.model.Topics;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7's DR drill end to end: the embedded broker in this JVM, the rules role in a JVM of its
 * own (started the way a supervisor would, writing its pid), the remediator here, a rule that
 * notifies once per alert through the http connector to a webhook in this test. 600 alerts over
 * 20 s; the rules JVM gets SIGKILL at 6 s and is started again 2 s later; the broker restarts at
 * 12 s. Reflex must lose no alert and repeat no action. The traffic takes the real path
 * ({@code traffic.execute: true}): its actions really execute, so the webhook tells whether a
 * connector ran one twice. The rehearsal path's counting is covered by DrTallyTest.
 */
class DisasterRecoveryIT {
    private static final Duration BOUND = Duration.ofSeconds(90);
    private static final Pattern ACTION_ID = Pattern.compile("\"actionId\"\\s*:\\s*\"([^\"]+)\"");
    private static final String RULES = """
            package io.reflex.rules.drit;

            import io.reflex.model.AlertEvent;
            import io.reflex.model.AlertStatus;

            global io.reflex.rules.Remediate remediate;

            rule "notify every DrTest"
            when
                $a : AlertEvent(name == "DrTest", status == AlertStatus.FIRING)
            then
                remediate.notify($a, "drops", "DR alert " + $a.id());
            end
            """;

    @TempDir
    Path dir;

    private EmbeddedKafka kafka;
    private Reflex remediator;
    private HttpServer webhook;
    private final List<Long> children = new ArrayList<>();

    @AfterEach
    void stop() {
        for (long pid : children) {
            ProcessHandle.of(pid).ifPresent(p -> {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            });
        }
        if (remediator != null) {
            remediator.close();
        }
        if (webhook != null) {
            webhook.stop(0);
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void killingTheRulesProcessAndRestartingTheBrokerMidStreamLosesNoAlertAndRepeatsNoAction() throws Exception {
        kafka = new EmbeddedKafka(dir.resolve("broker"), 0, 0);
        kafka.start();
        String bootstrap = kafka.bootstrapServers();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            TopicSetup.ensure(admin, (short) 1);
        }

        // Each call of the notification webhook, by action id: an action executed twice shows here too.
        Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
        webhook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        webhook.createContext("/hook", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Matcher m = ACTION_ID.matcher(body);
            calls.computeIfAbsent(m.find() ? m.group(1) : "(no action id) " + body, k -> new AtomicInteger())
                    .incrementAndGet();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        webhook.start();

        Path drl = Files.writeString(dir.resolve("dr.drl"), RULES);
        Path config = Files.writeString(dir.resolve("reflex.yaml"), """
                rules:
                  rulesFile: "%s"
                connectors:
                  http:
                    endpoints:
                      drops:
                        url: "http://127.0.0.1:%d/hook"
                        body: '{"actionId": "${actionId}", "incident": "${incidentId}"}'
                """.formatted(drl, webhook.getAddress().getPort()));

        remediator = new Reflex(new ConfigLoader(new Demo()).load(new CliOverrides(config, 0, dir.resolve("remediator"),
                bootstrap, "remediator", true), Map.of()), Clock.systemUTC()).start();

        Path pidFile = dir.resolve("run/rules.pid");
        List<String> rulesCommand = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-cp", System.getProperty("java.class.path"), WithPidFile.class.getName(),
                pidFile.toString(), "up", "--kafka", bootstrap, "--roles", "rules", "--no-demo",
                "--data-dir", dir.resolve("rules").toString(), "--port", "0", "--config", config.toString());
        Path firstLog = dir.resolve("run/rules-first.log");
        Files.createDirectories(firstLog.getParent());
        Process rules = new ProcessBuilder(rulesCommand).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(firstLog.toFile())).start();
        children.add(rules.pid());
        await("the rules JVM writes its pid").atMost(BOUND).until(() -> Files.exists(pidFile)
                && Files.readString(pidFile).trim().equals(String.valueOf(rules.pid())));
        await("the rules JVM is up").atMost(BOUND).until(() -> {
            assertThat(rules.isAlive()).as("rules JVM exited early:\n%s", Files.readString(firstLog)).isTrue();
            return Files.readString(firstLog).contains("Reflex is up.");
        });
        awaitDeciding(bootstrap);

        String drillFile = """
                name: kill-rules
                kind: dr
                traffic: {alerts: 600, over: 20s, alert: DrTest, resource: "service:dr-{i}", execute: true}
                kill:
                  role: rules
                  pidFile: run/rules.pid
                  signal: KILL
                  after: 6s
                  restart: [%s]
                  restartAfter: 2s
                restartBroker: {after: 12s}
                timeout: 4m
                """.formatted(rulesCommand.stream().map(a -> "\"" + a.replace("\\", "\\\\").replace("\"", "\\\"") + "\"")
                .collect(Collectors.joining(", ")));
        Path file = Files.writeString(dir.resolve("kill-rules.yaml"), drillFile);
        DrDrill drill = DrDrillFile.read(file);

        DrDrillRunner runner = new DrDrillRunner(Map.of("bootstrap.servers", bootstrap), kafka::restart,
                Clock.systemUTC());
        DrDrillReport report = runner.run(drill);
        if (report.restartedPid() != null) {
            children.add(report.restartedPid());
        }
        System.out.println(report.readable());
        System.out.println("webhook: " + calls.size() + " actions executed, "
                + calls.values().stream().mapToInt(AtomicInteger::get).sum() + " calls");
        System.out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(report));

        assertThat(rules.isAlive()).as("the first rules JVM was killed").isFalse();
        assertThat(report.killedAt()).isNotNull();
        assertThat(report.killed()).contains("pid " + rules.pid());
        assertThat(report.alertsDecidedBeforeKill()).as("the kill hit a rules process at work").isPositive()
                .isLessThan(600);
        assertThat(report.restartedAt()).isAfter(report.killedAt());
        assertThat(ProcessHandle.of(report.restartedPid())).as("the restarted rules JVM runs")
                .hasValueSatisfying(p -> assertThat(p.isAlive()).isTrue());
        assertThat(report.brokerRestartedAt()).isNotNull();
        assertThat(report.alertsSent()).isEqualTo(600);
        assertThat(report.alertsAcked()).isEqualTo(600);
        assertThat(report.alertsLost()).as(report.readable()).isZero();
        assertThat(report.alertsDecidedTwice()).as(report.readable()).isZero();
        assertThat(report.actionsDuplicated()).as(report.readable()).isZero();
        assertThat(report.resultsDuplicated()).as(report.readable()).isZero();
        assertThat(report.actionsDecided()).as("one notify per alert").isEqualTo(600);
        assertThat(report.caughtUpAt()).isNotNull();
        assertThat(report.passed()).as(report.readable()).isTrue();
        assertThat(report.executed()).isTrue();
        assertThat(report.readable()).contains("real incidents labelled drillId=" + report.id());
        // Every action the drill's alerts caused reached the webhook exactly once: a connector ran none twice, and
        // none was skipped (an action recorded as ended but never executed).
        Map<String, Long> drillActions = drillActionIds(bootstrap, report.id());
        assertThat(drillActions).as("actions with label drillId").hasSize(600);
        await("every action reached the webhook").atMost(BOUND).until(() -> calls.keySet().containsAll(drillActions.keySet()));
        assertThat(calls.entrySet().stream().filter(e -> e.getValue().get() != 1).map(e -> e.getKey() + " x"
                + e.getValue().get()).toList()).as("actions the webhook got other than once").isEmpty();
        assertThat(calls.keySet()).as("webhook calls are the drill's actions").isEqualTo(drillActions.keySet());
        // The drill resolves its alerts at the end, so their incidents do not stay open for good.
        assertThat(resolvedAlerts(bootstrap, report.id())).as("RESOLVED alerts of the drill").hasSize(600);
        assertThat(Files.readString(DrDrillRunner.restartLog(drill.kill()))).as("the restarted JVM's output")
                .contains("Reflex is up.");
    }

    /** The drill's actions on reflex.actions (label drillId), with how many times each id was written. */
    private static Map<String, Long> drillActionIds(String bootstrap, String drillId) {
        return readAll(bootstrap, Topics.ACTIONS.name(), Topics.ACTIONS.valueSerde().deserializer()).stream()
                .filter(a -> drillId.equals(a.label("drillId")))
                .collect(Collectors.groupingBy(io.reflex.model.Action::id, Collectors.counting()));
    }

    /** Fingerprints of the RESOLVED alerts with label drillId on reflex.alerts. */
    private static List<String> resolvedAlerts(String bootstrap, String drillId) {
        return readAll(bootstrap, Topics.ALERTS.name(), Topics.ALERTS.valueSerde().deserializer()).stream()
                .filter(a -> a.status() == AlertStatus.RESOLVED && drillId.equals(a.label("drillId")))
                .map(AlertEvent::fingerprint).distinct().toList();
    }

    private static <V> List<V> readAll(String bootstrap, String topic,
            org.apache.kafka.common.serialization.Deserializer<V> deserializer) {
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap, ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(),
                deserializer)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, BOUND).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, BOUND);
            List<V> out = new ArrayList<>();
            await("read " + topic).atMost(BOUND).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> out.add(r.value()));
                return partitions.stream().allMatch(p -> consumer.position(p) >= ends.get(p));
            });
            return out;
        }
    }

    /** "Reflex is up" comes before the Streams app has its partitions: wait until an alert is decided. */
    private static void awaitDeciding(String bootstrap) throws Exception {
        Instant now = Instant.now();
        AlertEvent warmUp = new AlertEvent(AlertEvent.idFor("it", "warm-up", now, AlertStatus.FIRING), "it",
                "WarmUp", AlertStatus.FIRING, "info", Resource.of("service", "warm-up"), Map.of(), Map.of(), now, null,
                now, "warm-up", null);
        try (var producer = new KafkaProducer<>(Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), Topics.ALERTS.valueSerde().serializer());
                var consumer = new KafkaConsumer<>(Map.<String, Object>of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrap, ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(),
                        Topics.TIMELINE.valueSerde().deserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.TIMELINE.name(), BOUND).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            producer.send(new ProducerRecord<>(Topics.ALERTS.name(), warmUp.resource().key(), warmUp))
                    .get(30, TimeUnit.SECONDS);
            await("the rules JVM decides an alert").atMost(BOUND).until(() -> {
                for (ConsumerRecord<String, TimelineEntry> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.value().kind() == TimelineKind.ALERT_RECEIVED
                            && warmUp.id().equals(record.value().refs().get("alertId"))) {
                        return true;
                    }
                }
                return false;
            });
        }
    }
}
