package io.reflex.rules.replay;

import static io.reflex.rules.replay.ReplayAlerts.alert;
import static io.reflex.rules.replay.ReplayAlerts.restartTakenFor;
import static org.assertj.core.api.Assertions.assertThat;

import io.reflex.model.Action;
import io.reflex.model.ActionMode;
import io.reflex.model.ActionType;
import io.reflex.model.AlertEvent;
import io.reflex.rules.replay.ReplayReport.Decision;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AttributionTest {
    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

    @Test
    void findsTheTriggerOfEachActionFromItsId() {
        AlertEvent first = alert("ServiceDown", "cart", "critical", T0);
        AlertEvent second = alert("ServiceDown", "shop", "warning", T0.plusSeconds(5));
        Action forFirst = restartTakenFor(first);
        Action forSecond = restartTakenFor(second);

        Attribution.Result result = Attribution.attribute(List.of(forSecond, forFirst), List.of(first, second));

        assertThat(result.byAlert()).containsOnlyKeys(first.id(), second.id());
        assertThat(result.byAlert().get(first.id())).containsExactly(
                new Decision(ActionType.RESTART_SERVICE, "service:cart", ReplayAlerts.DEMO_RULE));
        assertThat(result.unattributed()).isEmpty();
    }

    @Test
    void anActionForAnAlertBeforeTheRangeIsUnattributedAndAShadowOneIsNoAction() {
        AlertEvent before = alert("ServiceDown", "cart", "critical", T0);
        AlertEvent inRange = alert("ServiceDown", "shop", "critical", T0.plusSeconds(5));
        Action shadow = restartTakenFor(inRange);
        shadow = new Action(shadow.id(), shadow.incidentId(), shadow.rule(), shadow.type(), shadow.target(),
                shadow.params(), ActionMode.SHADOW, false, shadow.createdAt(), shadow.deadline());

        Attribution.Result result = Attribution.attribute(List.of(restartTakenFor(before), shadow), List.of(inRange));

        assertThat(result.byAlert()).isEmpty();
        assertThat(result.unattributed()).extracting(Decision::target).containsExactly("service:cart");
    }
}
