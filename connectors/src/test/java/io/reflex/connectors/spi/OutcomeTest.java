package io.reflex.connectors.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reflex.model.ActionStatus;
import org.junit.jupiter.api.Test;

class OutcomeTest {

    @Test
    void factoriesGiveTheStatusTheirNameSays() {
        assertThat(Outcome.succeeded("restarted x")).isEqualTo(new Outcome(ActionStatus.SUCCEEDED, "restarted x", false));
        assertThat(Outcome.failed("x did not come up", true)).isEqualTo(new Outcome(ActionStatus.FAILED, "x did not come up", true));
        assertThat(Outcome.failed("no such program", false).retriable()).isFalse();
        assertThat(Outcome.refused("unknown service")).isEqualTo(new Outcome(ActionStatus.REJECTED, "unknown service", false));
    }

    @Test
    void onlyFailuresCanBeRetriable() {
        assertThatThrownBy(() -> new Outcome(ActionStatus.REJECTED, "no", true))
                .hasMessageContaining("only a FAILED outcome can be retriable");
    }

    @Test
    void statesOwnedByTheRemediatorAreNotOutcomes() {
        for (ActionStatus status : new ActionStatus[] {ActionStatus.PENDING, ActionStatus.STARTED,
                ActionStatus.TIMED_OUT, ActionStatus.AWAITING_APPROVAL, ActionStatus.SKIPPED}) {
            assertThatThrownBy(() -> new Outcome(status, "x", false)).hasMessageContaining(status.name());
        }
    }

    @Test
    void detailIsRequired() {
        assertThatThrownBy(() -> Outcome.succeeded(" ")).hasMessageContaining("detail");
        assertThatThrownBy(() -> Outcome.refused(null)).hasMessageContaining("detail");
    }
}
