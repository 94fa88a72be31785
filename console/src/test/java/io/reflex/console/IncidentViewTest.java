package io.reflex.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reflex.model.Action;
import io.reflex.model.ActionMode;
import io.reflex.model.ActionResult;
import io.reflex.model.ActionStatus;
import io.reflex.model.ActionSummary;
import io.reflex.model.ActionType;
import io.reflex.model.Incident;
import io.reflex.model.IncidentStatus;
import io.reflex.model.Resource;
import io.reflex.model.RuleRef;
import io.reflex.model.Target;
import io.reflex.model.TimelineEntry;
import io.reflex.model.TimelineKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IncidentViewTest {
    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
    private final IncidentView view = new IncidentView(100);

    private static Incident incident(String id, int minute, IncidentStatus status) {
        return new Incident(id, status, "ServiceDown on service:" + id, Resource.of("service", id), "ServiceDown",
                T0.plusSeconds(60L * minute), null, List.of(), List.of());
    }

    private static Action action(String id, String incidentId) {
        return new Action(id, incidentId, new RuleRef("restart", 1), ActionType.RESTART_SERVICE,
                new Target("process", "service", "demo-shop"), Map.of(), ActionMode.EXECUTE, false, T0, T0.plusSeconds(60));
    }

    private static ActionResult result(String actionId, ActionStatus status) {
        return new ActionResult(actionId, "inc-1", status, 1, null, T0, null);
    }

    @Test
    void joinsActionsAndTheirLatestResultIntoTheIncident() {
        view.incident(incident("inc-1", 0, IncidentStatus.REMEDIATING));
        view.result(result("act-1", ActionStatus.STARTED)); // a result may arrive before its action
        view.action(action("act-1", "inc-1"));
        assertThat(view.find("inc-1").orElseThrow().actions()).extracting(ActionSummary::status)
                .containsExactly(ActionStatus.STARTED);
        view.result(result("act-1", ActionStatus.SUCCEEDED));
        view.result(result("act-1", ActionStatus.STARTED)); // a late, repeated STARTED does not undo success
        assertThat(view.find("inc-1").orElseThrow().actions()).extracting(ActionSummary::status)
                .containsExactly(ActionStatus.SUCCEEDED);
    }

    @Test
    void anActionWithoutResultIsPendingAndARepeatedActionIsListedOnce() {
        view.incident(incident("inc-1", 0, IncidentStatus.REMEDIATING));
        view.action(action("act-1", "inc-1"));
        view.action(action("act-1", "inc-1"));
        assertThat(view.find("inc-1").orElseThrow().actions()).extracting(ActionSummary::status)
                .containsExactly(ActionStatus.PENDING);
    }

    @Test
    void timelineIsInTimeOrderWhateverTheArrivalOrder() {
        view.incident(incident("inc-1", 0, IncidentStatus.OPEN));
        view.timeline(new TimelineEntry("inc-1", T0.plusSeconds(2), TimelineKind.ACTION_RESULT, "done", Map.of()));
        view.timeline(new TimelineEntry("inc-1", T0, TimelineKind.ALERT_RECEIVED, "alert", Map.of()));
        view.timeline(new TimelineEntry("inc-1", T0.plusSeconds(1), TimelineKind.RULE_FIRED, "rule", Map.of()));
        assertThat(view.find("inc-1").orElseThrow().timeline()).extracting(TimelineEntry::kind).containsExactly(
                TimelineKind.ALERT_RECEIVED, TimelineKind.RULE_FIRED, TimelineKind.ACTION_RESULT);
    }

    @Test
    void laterIncidentStateReplacesEarlier() {
        view.incident(incident("inc-1", 0, IncidentStatus.OPEN));
        view.incident(incident("inc-1", 0, IncidentStatus.RESOLVED));
        assertThat(view.find("inc-1").orElseThrow().status()).isEqualTo(IncidentStatus.RESOLVED);
        assertThat(view.size()).isEqualTo(1);
    }

    @Test
    void pagesNewestFirstWithACursorAndFiltersByStatus() {
        for (int i = 0; i < 5; i++) {
            view.incident(incident("inc-" + i, i, i % 2 == 0 ? IncidentStatus.OPEN : IncidentStatus.RESOLVED));
        }
        List<String> seen = new ArrayList<>();
        IncidentView.Cursor cursor = null;
        do {
            IncidentView.Page page = view.list(null, 2, cursor);
            page.items().forEach(i -> seen.add(i.id()));
            cursor = page.next() == null ? null : IncidentView.Cursor.decode(page.next().encode());
        } while (cursor != null);
        assertThat(seen).containsExactly("inc-4", "inc-3", "inc-2", "inc-1", "inc-0");
        assertThat(view.list(IncidentStatus.OPEN, 10, null).items()).extracting(Incident::id)
                .containsExactly("inc-4", "inc-2", "inc-0");
        assertThat(view.list(IncidentStatus.OPEN, 10, null).next()).isNull();
    }

    @Test
    void forgetsTheOldestResolvedIncidentFirstWhenFull() {
        IncidentView small = new IncidentView(2);
        small.incident(incident("old-open", 0, IncidentStatus.OPEN));
        small.incident(incident("old-resolved", 1, IncidentStatus.RESOLVED));
        small.incident(incident("new", 2, IncidentStatus.OPEN));
        assertThat(small.find("old-resolved")).isEmpty();
        assertThat(small.find("old-open")).isPresent();
        assertThat(small.find("new")).isPresent();
    }

    @Test
    void aForeignCursorIsRefusedWithAHint() {
        assertThatThrownBy(() -> IncidentView.Cursor.decode("not-a-cursor"))
                .hasMessageContaining("not one this server gave out");
    }
}
