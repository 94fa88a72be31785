package io.reflex.remediator;

import io.reflex.model.Json;
import java.io.UncheckedIOException;
import com.fasterxml.jackson.core.JsonProcessingException;
import org.apache.kafka.common.serialization.Serializer;

/** One producer writes two record types (results and timeline entries), both in the Reflex JSON dialect. */
final class AnySerializer implements Serializer<Object> {
    @Override
    public byte[] serialize(String topic, Object data) {
        try {
            return data == null ? null : Json.MAPPER.writeValueAsBytes(data);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot write a record for " + topic, e);
        }
    }
}
