package io.reflex.ingest.publish;

import io.reflex.model.AlertEvent;
import io.reflex.model.DeadLetter;
import io.reflex.model.Resource;
import io.reflex.model.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Turns alerts into records, and decides per alert, before any transaction, whether Kafka will
 * take it: one record over the producer's limit would otherwise fail the whole transaction, and
 * with it every other request of the batch. An alert over the limit becomes a
 * {@link DeadLetter} on {@code reflex.alerts.dlq}, cut until it fits {@code deadLetterMaxBytes}.
 */
public final class AlertRecords {

    /** Reason of an alert larger than Kafka accepts. */
    public static final String RECORD_TOO_LARGE = "record_too_large";
    /** Reason of an alert the broker refused as an invalid record. */
    public static final String INVALID_RECORD = "invalid_record";

    /**
     * What Kafka adds around a record's key and value when it checks the size against
     * {@code max.request.size}: a batch header of 61 bytes and at most 21 bytes of record header;
     * rounded up so the check here never passes a record the producer would refuse.
     */
    public static final int RECORD_OVERHEAD_BYTES = 128;

    /** The steps of cutting a dead letter down: label and annotation values (and keys) first. */
    private static final int[] VALUE_CAPS = {1024, 256, 64};
    /** Entries kept per map while cutting; Limits allows 64 by default. */
    private static final int MAX_ENTRIES = 64;
    /** The last step shortens the alert's own texts (name, resource, fingerprint…). */
    private static final int TEXT_CAP = 256;

    private final int maxRecordBytes;
    private final int deadLetterMaxBytes;
    private final Clock clock;
    private final Serializer<AlertEvent> alerts = Topics.ALERTS.valueSerde().serializer();
    private final Serializer<DeadLetter> deadLetters = Topics.ALERTS_DLQ.valueSerde().serializer();

    /**
     * @param maxRecordBytes     the largest record (key, value and {@link #RECORD_OVERHEAD_BYTES})
     *                           the producer takes: {@code min(max.request.size, buffer.memory)}
     * @param deadLetterMaxBytes the largest dead letter, the same way; capped at {@code maxRecordBytes}
     */
    public AlertRecords(int maxRecordBytes, int deadLetterMaxBytes, Clock clock) {
        if (maxRecordBytes <= RECORD_OVERHEAD_BYTES) {
            throw new IllegalArgumentException("the largest Kafka record (" + maxRecordBytes + " bytes) leaves no room "
                    + "for an alert; raise kafka.max.request.size");
        }
        this.maxRecordBytes = maxRecordBytes;
        this.deadLetterMaxBytes = Math.min(deadLetterMaxBytes, maxRecordBytes);
        this.clock = clock;
    }

    public int maxRecordBytes() {
        return maxRecordBytes;
    }

    /** The size Kafka checks, with margin, for a record of this key and value. */
    public static int recordSize(String key, byte[] value) {
        return utf8Length(key) + value.length + RECORD_OVERHEAD_BYTES;
    }

    static int utf8Length(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    /** The alert's record on {@code reflex.alerts}, or its dead letter when it is too large for Kafka. */
    Planned plan(AlertEvent alert) {
        String key = alert.resource().key();
        byte[] value = alerts.serialize(Topics.ALERTS.name(), alert);
        int size = recordSize(key, value);
        if (size <= maxRecordBytes) {
            return Planned.store(alert, new TopicRecord(Topics.ALERTS.name(), key, value));
        }
        Map<String, String> context = new LinkedHashMap<>();
        context.put("topic", Topics.ALERTS.name());
        context.put("recordBytes", Integer.toString(size));
        context.put("limitBytes", Integer.toString(maxRecordBytes));
        return deadLetter(alert, RECORD_TOO_LARGE, "The alert is " + size + " bytes as a Kafka record, over the "
                + maxRecordBytes + " bytes the producer accepts (kafka.max.request.size). Shorten its annotations or "
                + "labels at the source, or raise kafka.max.request.size and max.message.bytes of "
                + Topics.ALERTS.name() + ".", context);
    }

    /** The dead letter of an alert that Kafka refused (or would refuse), cut to fit. */
    Planned deadLetter(AlertEvent alert, String reason, String detail, Map<String, String> context) {
        DeadLetter letter = cut(new DeadLetter(alert, reason, detail, clock.instant(), context));
        String key = letter.alert().resource().key();
        byte[] value = deadLetters.serialize(Topics.ALERTS_DLQ.name(), letter);
        return new Planned(alert, new TopicRecord(Topics.ALERTS_DLQ.name(), key, value),
                new DeadLettered(alert, reason, detail));
    }

    /**
     * The dead letter itself when it fits {@code deadLetterMaxBytes}; otherwise a copy whose alert
     * is cut step by step (values, then annotations, then labels, then its own texts) until it
     * does. The context says what was cut. Its id, status and times are never cut: they identify it.
     */
    DeadLetter cut(DeadLetter letter) {
        if (fits(letter)) {
            return letter;
        }
        AlertEvent alert = letter.alert();
        String original = Integer.toString(size(letter));
        DeadLetter cut = letter;
        for (int cap : VALUE_CAPS) {
            cut = with(letter, shorten(alert, capped(alert.labels(), cap), capped(alert.annotations(), cap), false),
                    original, "labels and annotations cut to " + cap + " characters each, at most " + MAX_ENTRIES
                            + " of each");
            if (fits(cut)) {
                return cut;
            }
        }
        int last = VALUE_CAPS[VALUE_CAPS.length - 1];
        cut = with(letter, shorten(alert, capped(alert.labels(), last), Map.of(), false), original,
                "annotations dropped; labels cut to " + last + " characters each");
        if (fits(cut)) {
            return cut;
        }
        cut = with(letter, shorten(alert, Map.of(), Map.of(), false), original, "labels and annotations dropped");
        if (fits(cut)) {
            return cut;
        }
        // deadLetterMaxBytes is at least 4 KiB, which holds any alert cut this far.
        return with(letter, shorten(alert, Map.of(), Map.of(), true), original,
                "labels and annotations dropped; name, resource and fingerprint cut to " + TEXT_CAP + " characters");
    }

    private boolean fits(DeadLetter letter) {
        return size(letter) <= deadLetterMaxBytes;
    }

    private int size(DeadLetter letter) {
        return recordSize(letter.alert().resource().key(), deadLetters.serialize(Topics.ALERTS_DLQ.name(), letter));
    }

    private static DeadLetter with(DeadLetter letter, AlertEvent alert, String originalBytes, String what) {
        Map<String, String> context = new LinkedHashMap<>(letter.context());
        context.put("cut", what);
        context.put("deadLetterBytesBeforeCut", originalBytes);
        context.put("labels", Integer.toString(letter.alert().labels().size()));
        context.put("annotations", Integer.toString(letter.alert().annotations().size()));
        return new DeadLetter(alert, letter.reason(), letter.detail(), letter.at(), context);
    }

    private static Map<String, String> capped(Map<String, String> map, int cap) {
        // Sorted, so the same alert is always cut the same way.
        Map<String, String> cut = new TreeMap<>();
        for (Map.Entry<String, String> entry : new TreeMap<>(map).entrySet()) {
            if (cut.size() == MAX_ENTRIES) {
                break;
            }
            cut.put(text(entry.getKey(), cap), text(entry.getValue(), cap));
        }
        return cut;
    }

    private static AlertEvent shorten(AlertEvent a, Map<String, String> labels, Map<String, String> annotations,
            boolean texts) {
        Resource r = a.resource();
        Resource resource = texts
                ? new Resource(text(r.kind(), TEXT_CAP), text(r.name(), TEXT_CAP), text(r.namespace(), TEXT_CAP),
                        text(r.host(), TEXT_CAP))
                : r;
        return new AlertEvent(a.id(), texts ? text(a.source(), TEXT_CAP) : a.source(),
                texts ? text(a.name(), TEXT_CAP) : a.name(), a.status(),
                texts ? text(a.severity(), TEXT_CAP) : a.severity(), resource, labels, annotations, a.startsAt(),
                a.endsAt(), a.receivedAt(), texts ? text(a.fingerprint(), TEXT_CAP) : a.fingerprint(),
                texts ? text(a.drillId(), TEXT_CAP) : a.drillId());
    }

    /** The text cut to {@code cap} characters, saying how much was cut. */
    static String text(String value, int cap) {
        if (value == null || value.length() <= cap) {
            return value;
        }
        int end = Character.isHighSurrogate(value.charAt(cap - 1)) ? cap - 1 : cap; // never half a character
        return value.substring(0, end) + "…[" + (value.length() - end) + " more]";
    }
}
