package io.reflex.app.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.reflex.model.Topics;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

class TopicSetupTest {

    @Test
    void compactedTopicsAreCreatedWithCompaction() {
        NewTopic incidents = TopicSetup.newTopic(Topics.INCIDENTS, (short) 1);

        assertThat(incidents.name()).isEqualTo("reflex.incidents");
        assertThat(incidents.numPartitions()).isEqualTo(Topics.INCIDENTS.partitions());
        assertThat(incidents.replicationFactor()).isEqualTo((short) 1);
        assertThat(incidents.configs()).containsEntry("cleanup.policy", "compact");
    }

    @Test
    void otherTopicsKeepTheClusterCleanupPolicy() {
        assertThat(TopicSetup.newTopic(Topics.ALERTS, (short) 3).configs()).isNullOrEmpty();
    }

    @Test
    void replicationFactorZeroOrLessLeavesItToTheCluster() {
        // -1 in a CreateTopics request means "use the broker's default.replication.factor".
        assertThat(TopicSetup.newTopic(Topics.ALERTS, (short) -1).replicationFactor()).isEqualTo((short) -1);
        assertThat(TopicSetup.newTopic(Topics.ALERTS, (short) 0).replicationFactor()).isEqualTo((short) -1);
    }
}
