package io.reflex.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.junit.jupiter.api.Test;

class RulesStageTest {
    private final Path stateDir = Path.of("data", "rules");

    @Test
    void streamsRunExactlyOnceAndSkipUnreadableAlerts() {
        Properties props = RulesStage.streamsProperties(RulesConfig.defaults(), Map.of("bootstrap.servers", "k:9092"),
                stateDir);

        assertThat(props)
                .containsEntry(StreamsConfig.APPLICATION_ID_CONFIG, "reflex-rules")
                .containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2)
                .containsEntry(StreamsConfig.REPLICATION_FACTOR_CONFIG, -1)
                .containsEntry(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100)
                .containsEntry(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                        LogAndContinueExceptionHandler.class.getName())
                .containsEntry(StreamsConfig.STATE_DIR_CONFIG, stateDir.toAbsolutePath().toString())
                .containsEntry("bootstrap.servers", "k:9092");
        // Kafka accepts the whole set.
        assertThat(new StreamsConfig(props).getString(StreamsConfig.PROCESSING_GUARANTEE_CONFIG))
                .isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
    }

    @Test
    void kafkaSettingsWinExceptTheApplicationIdAndStateDir() {
        RulesConfig config = new RulesConfig("rules-eu", null, null, null, null, 3);

        Properties props = RulesStage.streamsProperties(config, Map.of("bootstrap.servers", "k:9092",
                "application.id", "stray", "state.dir", "/elsewhere", "num.stream.threads", 2,
                "replication.factor", 2), stateDir);

        assertThat(props)
                .containsEntry(StreamsConfig.APPLICATION_ID_CONFIG, "rules-eu")
                .containsEntry(StreamsConfig.STATE_DIR_CONFIG, stateDir.toAbsolutePath().toString())
                .containsEntry(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 2)
                .containsEntry(StreamsConfig.REPLICATION_FACTOR_CONFIG, 2);
    }
}
