package io.reflex.ingest.publish;

import static io.reflex.ingest.publish.TestAlerts.alert;
import static io.reflex.ingest.publish.TestAlerts.alerts;
import static io.reflex.ingest.publish.TestAlerts.large;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.reflex.ingest.publish.PublishFailedException.Reason;
import io.reflex.ingest.publish.RecordsRefusedException.Refusal;
import io.reflex.model.AlertEvent;
import io.reflex.model.DeadLetter;
import io.reflex.model.Topics;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Group commit, bounds, deadlines and dead letters, on an in-memory writer: no Kafka. */
class GroupCommitterTest {

    private static final Duration BOUND = Duration.ofSeconds(30);
    private static final Duration ACK_TIMEOUT = Duration.ofSeconds(15);

    private final FakeWriter writer = new FakeWriter();
    private final ManualDeadlines deadlines = new ManualDeadlines();
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private GroupCommitter committer;

    @AfterEach
    void close() {
        writer.release();
        if (committer != null) {
            committer.close();
        }
    }

    private GroupCommitter start(PublishLimits limits) {
        return start(limits, 1 << 20);
    }

    private GroupCommitter start(PublishLimits limits, int maxRecordBytes) {
        AlertRecords records = new AlertRecords(maxRecordBytes, limits.deadLetterMaxBytes(),
                Clock.fixed(TestAlerts.NOW, ZoneOffset.UTC));
        committer = new GroupCommitter(writer, records, limits, ACK_TIMEOUT, new PublisherMetrics(registry), deadlines,
                "test-committer");
        committer.start();
        return committer;
    }

    private static PublishLimits limits(Integer maxBatchAlerts, Integer maxQueuedAlerts) {
        return new PublishLimits(maxBatchAlerts, null, maxQueuedAlerts, null, null, 1);
    }

    @Test
    void groupsRequestsThatArriveDuringACommitIntoTheNextTransaction() throws Exception {
        start(PublishLimits.defaults());
        writer.hold();
        CompletionStage<PublishResult> first = committer.submit(alerts("a", 1));
        await().atMost(BOUND).until(() -> writer.writes.size() == 1);

        List<CompletionStage<PublishResult>> waiting = List.of(
                committer.submit(alerts("b", 2)), committer.submit(alerts("c", 1)), committer.submit(alerts("d", 3)));
        writer.release();

        assertThat(result(first).stored()).extracting(AlertEvent::id).containsExactly(alert("a-0").id());
        for (CompletionStage<PublishResult> stage : waiting) {
            assertThat(result(stage).allStored()).isTrue();
        }
        assertThat(writer.committed).hasSize(2);
        assertThat(writer.committed.get(1)).hasSize(6);
        assertThat(result(waiting.get(2)).stored()).extracting(AlertEvent::id)
                .containsExactlyElementsOf(alerts("d", 3).stream().map(AlertEvent::id).toList());
        assertThat(writer.committed.get(1)).extracting(TopicRecord::key).startsWith("host:db-b-0", "host:db-b-1");
        assertThat(deadlines.pending()).as("answered callers leave no deadline behind").isZero();
        assertThat(MetricValues.sample(registry, "reflex_ingest_kafka_batch_records_count")).isEqualTo(2);
        assertThat(MetricValues.sample(registry, "reflex_ingest_kafka_commit_seconds_count", "outcome=\"committed\""))
                .isEqualTo(2);
    }

    @Test
    void neverPutsMoreAlertsThanTheBatchBoundIntoOneTransactionNorSplitsARequest() throws Exception {
        start(limits(3, null));
        writer.hold();
        CompletionStage<PublishResult> first = committer.submit(alerts("a", 1));
        await().atMost(BOUND).until(() -> writer.writes.size() == 1);
        CompletionStage<PublishResult> two = committer.submit(alerts("b", 2));
        CompletionStage<PublishResult> twoMore = committer.submit(alerts("c", 2));
        CompletionStage<PublishResult> one = committer.submit(alerts("d", 1));
        CompletionStage<PublishResult> big = committer.submit(alerts("e", 5));
        writer.release();

        for (CompletionStage<PublishResult> stage : List.of(first, two, twoMore, one, big)) {
            assertThat(result(stage).allStored()).isTrue();
        }
        assertThat(writer.committed).extracting(List::size).containsExactly(1, 2, 3, 5);
    }

    @Test
    void refusesAtOnceWhenTheQueueIsFull() throws Exception {
        start(limits(null, 3));
        writer.hold();
        CompletionStage<PublishResult> inFlight = committer.submit(alerts("a", 1));
        await().atMost(BOUND).until(() -> writer.writes.size() == 1);
        CompletionStage<PublishResult> queued = committer.submit(alerts("b", 2));

        CompletionStage<PublishResult> refused = committer.submit(alerts("c", 2));

        assertThat(refused.toCompletableFuture()).as("answered before the writer moves").isCompletedExceptionally();
        assertThat(failure(refused).reason()).isEqualTo(Reason.QUEUE_FULL);
        assertThat(failure(refused)).hasMessageContaining("maxQueuedAlerts=3");
        assertThat(MetricValues.sample(registry, "reflex_ingest_publish_failures_total", "reason=\"queue_full\""))
                .isEqualTo(2);
        assertThat(MetricValues.sample(registry, "reflex_ingest_publish_queue_alerts")).isEqualTo(2);
        writer.release();
        assertThat(result(inFlight).allStored()).isTrue();
        assertThat(result(queued).allStored()).isTrue();
        assertThat(writer.committed).flatExtracting(w -> w).extracting(TopicRecord::key)
                .doesNotContain("host:db-c-0", "host:db-c-1");
    }

    @Test
    void admitsOneRequestLargerThanTheQueueBoundIntoAnEmptyQueue() throws Exception {
        start(limits(null, 3));

        assertThat(result(committer.submit(alerts("a", 5))).stored()).hasSize(5);
    }

    @Test
    void failsEveryCallerOfAFailedTransactionAndCarriesOnWithTheNext() throws Exception {
        start(PublishLimits.defaults());
        writer.then(records -> {
            throw new WriteFailedException("Kafka did not take the batch: TimeoutException", false, null);
        });
        writer.hold();
        CompletionStage<PublishResult> first = committer.submit(alerts("a", 1));
        await().atMost(BOUND).until(() -> writer.writes.size() == 1);
        writer.release();

        assertThat(failure(first).reason()).isEqualTo(Reason.KAFKA);
        assertThat(failure(first)).hasMessageContaining("TimeoutException");
        assertThat(result(committer.submit(alerts("b", 2))).stored()).hasSize(2);
        assertThat(writer.committed).hasSize(1);
    }

    @Test
    void deadLettersAnAlertTooLargeForKafkaInTheSameTransactionAsTheOthers() throws Exception {
        start(PublishLimits.defaults(), 64 << 10);
        AlertEvent huge = large("huge", 200 << 10);
        List<AlertEvent> events = List.of(alert("a"), huge, alert("b"));

        PublishResult result = result(committer.submit(events));

        assertThat(result.stored()).containsExactly(alert("a"), alert("b"));
        assertThat(result.deadLettered()).singleElement().satisfies(d -> {
            assertThat(d.alert()).isEqualTo(huge);
            assertThat(d.reason()).isEqualTo(AlertRecords.RECORD_TOO_LARGE);
            assertThat(d.detail()).contains("kafka.max.request.size");
        });
        assertThat(writer.writes).as("decided before the transaction: one attempt").hasSize(1);
        assertThat(writer.committedTopics()).containsExactly(Topics.ALERTS.name(), Topics.ALERTS_DLQ.name(),
                Topics.ALERTS.name());
        TopicRecord letter = writer.committed.get(0).get(1);
        assertThat(letter.value().length).isLessThanOrEqualTo(PublishLimits.DEFAULT_DEAD_LETTER_MAX_BYTES);
        assertThat(deadLetter(letter).alert().id()).isEqualTo(huge.id());
        assertThat(MetricValues.sample(registry, "reflex_ingest_dead_letters_total", "reason=\"record_too_large\""))
                .isEqualTo(1);
    }

    @Test
    void retriesAtOnceWithADeadLetterWhenKafkaRefusesARecordOfTheBatch() throws Exception {
        start(PublishLimits.defaults());
        writer.then(records -> {
            throw new RecordsRefusedException(List.of(new Refusal(1, AlertRecords.RECORD_TOO_LARGE,
                    "RecordTooLargeException: The request included a message larger than the max message size")));
        });
        writer.hold();
        CompletionStage<PublishResult> first = committer.submit(List.of(alert("a"), alert("b")));
        await().atMost(BOUND).until(() -> writer.writes.size() == 1);
        CompletionStage<PublishResult> second = committer.submit(List.of(alert("c")));
        writer.release();

        PublishResult firstResult = result(first);
        assertThat(firstResult.stored()).containsExactly(alert("a"));
        assertThat(firstResult.deadLettered()).singleElement().satisfies(d -> {
            assertThat(d.alert()).isEqualTo(alert("b"));
            assertThat(d.reason()).isEqualTo(AlertRecords.RECORD_TOO_LARGE);
            assertThat(d.detail()).contains("max message size");
        });
        assertThat(result(second).allStored()).isTrue();
        assertThat(writer.committed).as("only the retry committed").hasSize(2);
        assertThat(writer.committedTopics()).containsExactly(Topics.ALERTS.name(), Topics.ALERTS_DLQ.name(),
                Topics.ALERTS.name());
        assertThat(deadLetter(writer.committed.get(0).get(1)).context()).containsKey("error");
    }

    @Test
    void failsOnlyTheRequestWhoseDeadLetterKafkaRefusesToo() throws Exception {
        start(PublishLimits.defaults(), 64 << 10);
        // The second batch holds a's alert (index 0) and the dead letter of the large one (index 1).
        writer.then(FakeWriter.COMMIT, records -> {
            throw new RecordsRefusedException(List.of(new Refusal(1, AlertRecords.RECORD_TOO_LARGE, "too large")));
        });
        writer.hold();
        CompletionStage<PublishResult> first = committer.submit(List.of(alert("first")));
        await().atMost(BOUND).until(() -> writer.writes.size() == 1);
        CompletionStage<PublishResult> innocent = committer.submit(List.of(alert("a")));
        CompletionStage<PublishResult> doomed = committer.submit(List.of(large("huge", 100 << 10)));
        writer.release();

        assertThat(result(first).allStored()).isTrue();
        assertThat(result(innocent).allStored()).isTrue();
        assertThat(failure(doomed).reason()).isEqualTo(Reason.DEAD_LETTER_REFUSED);
        assertThat(writer.writes).extracting(List::size).containsExactly(1, 2, 1);
        assertThat(writer.committedTopics()).containsExactly(Topics.ALERTS.name(), Topics.ALERTS.name());
    }

    @Test
    void aRequestStillQueuedAtItsDeadlineFailsAndIsNeverWritten() throws Exception {
        start(PublishLimits.defaults());
        writer.hold();
        CompletionStage<PublishResult> inFlight = committer.submit(alerts("a", 1));
        await().atMost(BOUND).until(() -> writer.writes.size() == 1);
        CompletionStage<PublishResult> queued = committer.submit(alerts("b", 1));

        deadlines.passAll();

        assertThat(failure(queued).reason()).isEqualTo(Reason.TIMED_OUT);
        assertThat(failure(inFlight).reason()).isEqualTo(Reason.UNCONFIRMED);
        assertThat(MetricValues.sample(registry, "reflex_ingest_publish_queue_alerts")).isZero();
        writer.release();
        CompletionStage<PublishResult> later = committer.submit(alerts("c", 1));
        assertThat(result(later).allStored()).isTrue();
        assertThat(writer.writes).flatExtracting(w -> w).extracting(TopicRecord::key)
                .containsExactly("host:db-a-0", "host:db-c-0");
    }

    @Test
    void anAlertCommittedAfterItsCallerWasToldOtherwiseIsAcknowledgedWithoutASecondCopyOnResend() throws Exception {
        start(PublishLimits.defaults());
        writer.hold();
        List<AlertEvent> events = List.of(alert("a"), alert("b"));
        CompletionStage<PublishResult> first = committer.submit(events);
        await().atMost(BOUND).until(() -> writer.writes.size() == 1);
        deadlines.passAll();
        assertThat(failure(first).reason()).isEqualTo(Reason.UNCONFIRMED);
        writer.release();
        await().atMost(BOUND).until(() -> writer.committed.size() == 1);

        PublishResult resent = result(committer.submit(List.of(alert("b"), alert("c"))));

        assertThat(resent.stored()).containsExactly(alert("b"), alert("c"));
        assertThat(writer.committed).flatExtracting(w -> w).extracting(TopicRecord::key)
                .containsExactly("host:db-a", "host:db-b", "host:db-c");
        PublishResult again = result(committer.submit(List.of(alert("a"))));
        assertThat(again.stored()).containsExactly(alert("a"));
        assertThat(writer.writes).as("nothing left to write for a").hasSize(2);
    }

    @Test
    void anAlertWhoseLateTransactionFailedIsWrittenOnResend() throws Exception {
        start(PublishLimits.defaults());
        writer.then(records -> {
            throw new WriteFailedException("Kafka did not commit", false, null);
        });
        writer.hold();
        CompletionStage<PublishResult> first = committer.submit(List.of(alert("a")));
        await().atMost(BOUND).until(() -> writer.writes.size() == 1);
        deadlines.passAll();
        writer.release();
        assertThat(failure(first).reason()).isEqualTo(Reason.UNCONFIRMED);

        PublishResult resent = result(committer.submit(List.of(alert("a"))));

        assertThat(resent.stored()).containsExactly(alert("a"));
        assertThat(writer.committed).flatExtracting(w -> w).extracting(TopicRecord::key).containsExactly("host:db-a");
    }

    @Test
    void closeFinishesWhatIsQueuedAndRefusesWhatComesAfter() throws Exception {
        start(PublishLimits.defaults());
        writer.hold();
        CompletionStage<PublishResult> inFlight = committer.submit(alerts("a", 1));
        await().atMost(BOUND).until(() -> writer.writes.size() == 1);
        CompletionStage<PublishResult> queued = committer.submit(alerts("b", 1));
        CompletableFuture<Void> closing = CompletableFuture.runAsync(committer::close);
        await().atMost(BOUND).until(() -> failureOrNull(committer.submit(alerts("c", 1))) != null);
        writer.release();
        closing.get(BOUND.toSeconds(), TimeUnit.SECONDS);

        assertThat(result(inFlight).allStored()).isTrue();
        assertThat(result(queued).allStored()).isTrue();
        assertThat(failure(committer.submit(alerts("d", 1))).reason()).isEqualTo(Reason.CLOSED);
        assertThat(writer.closed).isTrue();
    }

    private static PublishResult result(CompletionStage<PublishResult> stage) throws Exception {
        return stage.toCompletableFuture().get(BOUND.toSeconds(), TimeUnit.SECONDS);
    }

    private static PublishFailedException failure(CompletionStage<PublishResult> stage) throws Exception {
        try {
            PublishResult result = stage.toCompletableFuture().get(BOUND.toSeconds(), TimeUnit.SECONDS);
            throw new AssertionError("expected a failure, got " + result);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(PublishFailedException.class);
            return (PublishFailedException) e.getCause();
        }
    }

    private static PublishFailedException failureOrNull(CompletionStage<PublishResult> stage) throws Exception {
        CompletableFuture<PublishResult> future = stage.toCompletableFuture();
        return future.isCompletedExceptionally() ? failure(stage) : null;
    }

    private static DeadLetter deadLetter(TopicRecord record) {
        return Topics.ALERTS_DLQ.valueSerde().deserializer().deserialize(record.topic(), record.value());
    }
}
