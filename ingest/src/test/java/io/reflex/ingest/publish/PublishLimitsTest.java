package io.reflex.ingest.publish;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PublishLimitsTest {
    @Test
    void committersShareTheQueueBoundsSoTheirSumStaysWithinTheConfiguredOnes() {
        PublishLimits limits = new PublishLimits(100, 1_000L, 10_000, 64_000L, null, 4);
        PublishLimits share = limits.perCommitter();
        assertThat(share.maxQueuedAlerts()).isEqualTo(2_500);
        assertThat(share.maxQueuedBytes()).isEqualTo(16_000L);
        assertThat(share.maxBatchAlerts()).isEqualTo(100);
        assertThat(share.committers()).isEqualTo(1);
    }

    @Test
    void aShareNeverDropsBelowOneBatch() {
        PublishLimits share = new PublishLimits(500, 1L << 20, 600, 2L << 20, null, 4).perCommitter();
        assertThat(share.maxQueuedAlerts()).isEqualTo(500);
        assertThat(share.maxQueuedBytes()).isEqualTo(1L << 20);
    }

    @Test
    void atLeastOneCommitter() {
        assertThat(new PublishLimits(null, null, null, null, null, 0).validate())
                .anySatisfy(problem -> assertThat(problem).contains("committers"));
        assertThat(PublishLimits.defaults().committers()).isEqualTo(PublishLimits.DEFAULT_COMMITTERS);
    }
}
