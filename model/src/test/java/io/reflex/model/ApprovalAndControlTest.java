package io.reflex.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ApprovalAndControlTest {
    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

    private static Action isolate() {
        return new Action("act-1", "inc-1", new RuleRef("isolate", 1), ActionType.ISOLATE_HOST,
                new Target("ssh", "host", "web-1"), Map.of(), ActionMode.EXECUTE, true, T0, T0.plusSeconds(300));
    }

    @Test
    void anApprovalRoundTripsThroughItsTopicSerdeBeforeAndAfterTheDecision() {
        Approval request = Approval.request(isolate(), T0, T0.plusSeconds(3600));
        Approval decided = request.decide(Approval.State.REJECTED, "alice", T0.plusSeconds(60), "wrong host");
        for (Approval a : new Approval[] {request, decided}) {
            byte[] bytes = Topics.APPROVALS.valueSerde().serializer().serialize("t", a);
            assertThat(Topics.APPROVALS.valueSerde().deserializer().deserialize("t", bytes)).isEqualTo(a);
        }
        assertThat(decided.requestedAt()).isEqualTo(T0);
        assertThat(decided.actionId()).isEqualTo("act-1");
        assertThat(Topics.APPROVALS.compacted()).isTrue();
        assertThat(Topics.all()).contains(Topics.APPROVALS, Topics.CONTROL);
    }

    @Test
    void aDecisionNamesWhoDecidedAndIsNotAwaiting() {
        Approval request = Approval.request(isolate(), T0, T0.plusSeconds(3600));
        assertThatThrownBy(() -> request.decide(Approval.State.AWAITING, "alice", T0, null))
                .hasMessageContaining("APPROVED, REJECTED or EXPIRED");
        assertThatThrownBy(() -> request.decide(Approval.State.APPROVED, " ", T0, null))
                .hasMessage("decidedBy must not be empty");
    }

    @Test
    void controlEventsAreKeyedSoTheLatestPerSwitchWins() {
        ControlEvent pause = new ControlEvent(ControlEvent.Kind.PAUSE, "bob", T0, "incident storm", null);
        ControlEvent resume = new ControlEvent(ControlEvent.Kind.RESUME, "bob", T0, null, Map.of());
        assertThat(pause.key()).isEqualTo(resume.key()).isEqualTo("pause");
        assertThat(new ControlEvent(ControlEvent.Kind.UNSILENCE, "bob", T0, null, Map.of("id", "s1")).key())
                .isEqualTo("silence:s1");
        assertThat(new ControlEvent(ControlEvent.Kind.RELEASE, "bob", T0, null, Map.of("target", "host:web-1")).key())
                .isEqualTo("release:host:web-1");
        assertThatThrownBy(() -> new ControlEvent(ControlEvent.Kind.RELEASE, "bob", T0, null, Map.of()).key())
                .hasMessage("data.target must not be empty");
        byte[] bytes = Topics.CONTROL.valueSerde().serializer().serialize("t", pause);
        assertThat(Topics.CONTROL.valueSerde().deserializer().deserialize("t", bytes)).isEqualTo(pause);
    }
}
