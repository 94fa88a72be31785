package io.reflex.remediator;

import io.reflex.model.ActionResult;
import io.reflex.model.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads {@code reflex.results} from the start to its current end and reports every finished action id. */
final class FinishedActions {
    private FinishedActions() {
    }

    static int read(Map<String, Object> kafkaProps, Consumer<String> finishedActionId) {
        Map<String, Object> props = new HashMap<>(kafkaProps);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "reflex-remediator-seed");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        int count = 0;
        try (KafkaConsumer<String, ActionResult> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                Topics.RESULTS.valueSerde().deserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.RESULTS.name(), Duration.ofSeconds(30))
                    .stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                for (ConsumerRecord<String, ActionResult> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.value() != null && record.value().status().terminal()) {
                        finishedActionId.accept(record.value().actionId());
                        count++;
                    }
                }
            }
        }
        return count;
    }
}
