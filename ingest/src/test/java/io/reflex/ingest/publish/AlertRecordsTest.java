package io.reflex.ingest.publish;

import static io.reflex.ingest.publish.TestAlerts.alert;
import static io.reflex.ingest.publish.TestAlerts.large;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reflex.model.AlertEvent;
import io.reflex.model.AlertStatus;
import io.reflex.model.DeadLetter;
import io.reflex.model.Resource;
import io.reflex.model.Topics;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which alerts Kafka will take, and dead letters that always fit. */
class AlertRecordsTest {

    private static final Clock CLOCK = Clock.fixed(TestAlerts.NOW, ZoneOffset.UTC);
    private static final int DEAD_LETTER_MAX = PublishLimits.DEFAULT_DEAD_LETTER_MAX_BYTES;

    private final AlertRecords records = new AlertRecords(64 << 10, DEAD_LETTER_MAX, CLOCK);

    @Test
    void writesAnAlertWithinTheLimitToTheAlertsTopicKeyedByItsResource() {
        AlertEvent alert = alert("a");

        Planned planned = records.plan(alert);

        assertThat(planned.isDeadLetter()).isFalse();
        assertThat(planned.record().topic()).isEqualTo(Topics.ALERTS.name());
        assertThat(planned.record().key()).isEqualTo("host:db-a");
        assertThat(Topics.ALERTS.valueSerde().deserializer().deserialize("t", planned.record().value())).isEqualTo(alert);
    }

    @Test
    void deadLettersAnAlertOverTheRecordLimitCutSoTheDeadLetterFits() {
        AlertEvent huge = large("huge", 300 << 10);

        Planned planned = records.plan(huge);

        assertThat(planned.isDeadLetter()).isTrue();
        assertThat(planned.deadLettered().reason()).isEqualTo(AlertRecords.RECORD_TOO_LARGE);
        assertThat(planned.record().topic()).isEqualTo(Topics.ALERTS_DLQ.name());
        assertThat(planned.record().key()).isEqualTo(huge.resource().key());
        assertThat(AlertRecords.recordSize(planned.record().key(), planned.record().value()))
                .isLessThanOrEqualTo(DEAD_LETTER_MAX);
        DeadLetter letter = deadLetter(planned);
        assertThat(letter.reason()).isEqualTo(AlertRecords.RECORD_TOO_LARGE);
        assertThat(letter.detail()).contains("kafka.max.request.size");
        assertThat(letter.at()).isEqualTo(TestAlerts.NOW);
        assertThat(letter.alert().id()).isEqualTo(huge.id());
        assertThat(letter.alert().labels()).isEqualTo(huge.labels());
        assertThat(letter.alert().annotations()).isNotEqualTo(huge.annotations());
        assertThat(letter.context()).containsEntry("limitBytes", Integer.toString(64 << 10))
                .containsEntry("annotations", Integer.toString(huge.annotations().size()))
                .containsKeys("recordBytes", "cut");
    }

    @Test
    void cutsNoMoreThanNeeded() {
        Map<String, String> annotations = new LinkedHashMap<>();
        for (int i = 0; i < 10; i++) {
            annotations.put("note" + i, "y".repeat(5_000));
        }
        AlertEvent alert = alert("a", annotations);
        DeadLetter letter = new DeadLetter(alert, "record_too_large", "too large", TestAlerts.NOW, Map.of());

        DeadLetter cut = records.cut(letter);

        assertThat(cut.alert().annotations()).hasSize(10)
                .allSatisfy((key, value) -> assertThat(value).startsWith("y".repeat(1024)).endsWith("…[3976 more]"));
        assertThat(cut.context()).containsEntry("cut", "labels and annotations cut to 1024 characters each, at most 64 "
                + "of each");
        DeadLetter small = new DeadLetter(alert("b"), "record_too_large", "too large", TestAlerts.NOW, Map.of());
        assertThat(records.cut(small)).isSameAs(small);
    }

    @Test
    void keepsTheIdentityOfAnAlertWhoseOwnTextsAreHuge() {
        String name = "n".repeat(50_000);
        AlertEvent alert = new AlertEvent("alt-1", "test", name, AlertStatus.RESOLVED, "critical",
                new Resource("service", "s".repeat(50_000), "ns", null), Map.of("alertname", name), Map.of("d", name),
                TestAlerts.NOW, TestAlerts.NOW, TestAlerts.NOW, "f".repeat(20_000), null);

        Planned planned = records.plan(alert);

        assertThat(AlertRecords.recordSize(planned.record().key(), planned.record().value()))
                .isLessThanOrEqualTo(DEAD_LETTER_MAX);
        DeadLetter letter = deadLetter(planned);
        assertThat(letter.alert().id()).isEqualTo("alt-1");
        assertThat(letter.alert().status()).isEqualTo(AlertStatus.RESOLVED);
        assertThat(letter.alert().endsAt()).isEqualTo(TestAlerts.NOW);
        assertThat(letter.alert().name()).startsWith("nnnn").endsWith("more]");
        assertThat(letter.alert().labels()).isEmpty();
        assertThat(planned.deadLettered().alert()).as("the caller learns of the alert as it came").isEqualTo(alert);
    }

    @Test
    void neverMakesADeadLetterLargerThanTheRecordLimit() {
        AlertRecords tight = new AlertRecords(5_000, DEAD_LETTER_MAX, CLOCK);

        Planned planned = tight.plan(large("huge", 20_000));

        assertThat(planned.isDeadLetter()).isTrue();
        assertThat(AlertRecords.recordSize(planned.record().key(), planned.record().value())).isLessThanOrEqualTo(5_000);
    }

    @Test
    void refusesARecordLimitThatLeavesNoRoomForAnAlert() {
        assertThatThrownBy(() -> new AlertRecords(AlertRecords.RECORD_OVERHEAD_BYTES, DEAD_LETTER_MAX, CLOCK))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("raise kafka.max.request.size");
    }

    @Test
    void cutsTextWithoutSplittingACharacter() {
        String emoji = "\uD83D\uDD25";

        assertThat(AlertRecords.text("ab" + emoji + "cd", 3)).isEqualTo("ab…[4 more]");
        assertThat(AlertRecords.text("short", 10)).isEqualTo("short");
    }

    private static DeadLetter deadLetter(Planned planned) {
        return Topics.ALERTS_DLQ.valueSerde().deserializer().deserialize("t", planned.record().value());
    }
}
