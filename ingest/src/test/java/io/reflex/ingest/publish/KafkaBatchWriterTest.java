package io.reflex.ingest.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The transaction protocol and the producer's lifecycle, against Kafka's MockProducer. */
class KafkaBatchWriterTest {

    private static final Duration BOUND = Duration.ofSeconds(30);
    private static final List<TopicRecord> THREE = List.of(record("a"), record("b"), record("c"));

    private final List<MockProducer<String, byte[]>> producers = new CopyOnWriteArrayList<>();
    private KafkaBatchWriter writer;

    @AfterEach
    void close() {
        if (writer != null) {
            writer.close();
        }
    }

    private KafkaBatchWriter writer(Supplier<MockProducer<String, byte[]>> newProducer) {
        writer = new KafkaBatchWriter(() -> {
            MockProducer<String, byte[]> producer = newProducer.get();
            producers.add(producer);
            return producer;
        }, "reflex-ingest-test", Duration.ofSeconds(20), Duration.ofSeconds(1), PublisherMetrics.unregistered());
        return writer;
    }

    private static MockProducer<String, byte[]> autoCompleting() {
        return new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
    }

    @Test
    void commitsEveryRecordOfABatchInOneTransaction() throws Exception {
        writer(KafkaBatchWriterTest::autoCompleting).write(THREE);

        MockProducer<String, byte[]> producer = producers.get(0);
        assertThat(producer.transactionInitialized()).isTrue();
        assertThat(producer.transactionCommitted()).isTrue();
        assertThat(producer.commitCount()).isEqualTo(1);
        assertThat(producer.history()).extracting(r -> r.key()).containsExactly("a", "b", "c");
    }

    @Test
    void reportsTheRecordsKafkaRefusesForThemselvesAndAbortsTheTransaction() throws Exception {
        // Sends complete when the test says; MockProducer's flush would complete them all successfully.
        MockProducer<String, byte[]> manual = new MockProducer<>(false, null, new StringSerializer(),
                new ByteArraySerializer()) {
            @Override
            public synchronized void flush() {
            }
        };
        writer(() -> manual);
        CompletableFuture<Void> write = CompletableFuture.runAsync(() -> {
            try {
                writer.write(THREE);
            } catch (RecordsRefusedException | WriteFailedException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        await().atMost(BOUND).until(() -> manual.uncommittedRecords().size() == 3);
        manual.completeNext();
        manual.errorNext(new RecordTooLargeException("The message is 2000000 bytes when serialized"));
        manual.completeNext();

        assertThatThrownBy(() -> write.get(BOUND.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfSatisfying(RecordsRefusedException.class, refused ->
                        assertThat(refused.refusals()).singleElement().satisfies(refusal -> {
                            assertThat(refusal.index()).isEqualTo(1);
                            assertThat(refusal.reason()).isEqualTo(AlertRecords.RECORD_TOO_LARGE);
                            assertThat(refusal.error()).contains("2000000 bytes");
                        }));
        assertThat(manual.transactionAborted()).isTrue();
        assertThat(manual.history()).isEmpty();
        assertThat(producers).as("an aborted transaction keeps its producer").hasSize(1);
    }

    @Test
    void abortsOnAnErrorOfTheBatchAndKeepsTheProducer() throws Exception {
        writer(KafkaBatchWriterTest::autoCompleting);
        producers.get(0).sendException = new KafkaException("Cannot perform send: buffer exhausted");

        assertThatThrownBy(() -> writer.write(THREE))
                .isInstanceOfSatisfying(WriteFailedException.class, e -> assertThat(e.inDoubt()).isFalse())
                .hasMessageContaining("buffer exhausted");
        assertThat(producers.get(0).transactionAborted()).isTrue();

        producers.get(0).sendException = null;
        writer.write(THREE);
        assertThat(producers).hasSize(1);
        assertThat(producers.get(0).history()).hasSize(3);
    }

    @Test
    void replacesAFencedProducerWithAFreshOneBeforeSendingAnything() throws Exception {
        writer(KafkaBatchWriterTest::autoCompleting);
        writer.write(List.of(record("first")));
        producers.get(0).fenceProducer();

        writer.write(THREE);

        assertThat(producers).hasSize(2);
        assertThat(producers.get(0).closed()).isTrue();
        assertThat(producers.get(1).transactionInitialized()).isTrue();
        assertThat(producers.get(1).history()).extracting(r -> r.key()).containsExactly("a", "b", "c");
    }

    @Test
    void aFatalCommitErrorFailsTheBatchAndTheNextBatchGetsAFreshProducer() throws Exception {
        writer(KafkaBatchWriterTest::autoCompleting);
        producers.get(0).commitTransactionException = new ProducerFencedException("There is a newer producer");

        assertThatThrownBy(() -> writer.write(THREE))
                .isInstanceOfSatisfying(WriteFailedException.class, e -> assertThat(e.inDoubt()).isFalse())
                .hasMessageContaining("newer producer");
        assertThat(producers.get(0).closed()).isTrue();

        writer.write(THREE);
        assertThat(producers).hasSize(2);
        assertThat(producers.get(1).commitCount()).isEqualTo(1);
    }

    @Test
    void retriesACommitThatTimedOutUntilKafkaAnswers() throws Exception {
        AtomicInteger timeouts = new AtomicInteger(2);
        writer(() -> new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer()) {
            @Override
            public void commitTransaction() {
                if (timeouts.getAndDecrement() > 0) {
                    throw new TimeoutException("Timeout expired after 5000ms while awaiting EndTxn(true)");
                }
                super.commitTransaction();
            }
        });

        writer.write(THREE);

        assertThat(timeouts.get()).isNegative();
        assertThat(producers).as("a commit in doubt may not be abandoned").hasSize(1);
        assertThat(producers.get(0).transactionAborted()).isFalse();
        assertThat(producers.get(0).commitCount()).isEqualTo(1);
    }

    @Test
    void closingWhileACommitIsInDoubtEndsTheWriteAsInDoubt() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        writer(() -> new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer()) {
            @Override
            public void commitTransaction() {
                attempts.incrementAndGet();
                throw new TimeoutException("Timeout expired after 5000ms while awaiting EndTxn(true)");
            }
        });
        CompletableFuture<Void> write = CompletableFuture.runAsync(() -> {
            try {
                writer.write(THREE);
            } catch (RecordsRefusedException | WriteFailedException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        await().atMost(BOUND).until(() -> attempts.get() >= 2);

        writer.close();

        assertThatThrownBy(() -> write.get(BOUND.toSeconds(), TimeUnit.SECONDS))
                .cause().isInstanceOfSatisfying(WriteFailedException.class, e -> assertThat(e.inDoubt()).isTrue());
    }

    @Test
    void aRegistrationTimeoutFailsTheWriteAndTheNextWriteRetriesWithTheSameProducer() throws Exception {
        writer(KafkaBatchWriterTest::autoCompleting);
        producers.get(0).initTransactionException = new TimeoutException("Timeout expired after 5000ms while awaiting "
                + "InitProducerId");

        assertThatThrownBy(() -> writer.write(THREE))
                .isInstanceOf(WriteFailedException.class)
                .hasMessageContaining("is Kafka reachable?");

        producers.get(0).initTransactionException = null;
        writer.write(THREE);
        assertThat(producers).hasSize(1);
        assertThat(producers.get(0).commitCount()).isEqualTo(1);
    }

    @Test
    void refusesToWriteOnceClosed() {
        writer(KafkaBatchWriterTest::autoCompleting).close();

        assertThatThrownBy(() -> writer.write(THREE)).isInstanceOf(WriteFailedException.class)
                .hasMessageContaining("closed");
        assertThat(producers).hasSize(1);
        assertThat(producers.get(0).closed()).isTrue();
    }

    @Test
    void tellsRecordErrorsFromBatchErrorsAndFatalOnesFromTheRest() {
        assertThat(KafkaBatchWriter.reason(new RecordTooLargeException("big"))).isEqualTo(AlertRecords.RECORD_TOO_LARGE);
        assertThat(KafkaBatchWriter.reason(new TimeoutException("slow"))).isNull();
        assertThat(KafkaBatchWriter.fatal(new KafkaException("Cannot execute transactional method because we are in "
                + "an error state", new ProducerFencedException("fenced")))).isTrue();
        assertThat(KafkaBatchWriter.fatal(new TimeoutException("slow"))).isFalse();
    }

    private static TopicRecord record(String key) {
        return new TopicRecord("reflex.alerts", key, ("{\"id\":\"" + key + "\"}").getBytes(StandardCharsets.UTF_8));
    }
}
