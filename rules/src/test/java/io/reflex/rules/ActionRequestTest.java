package io.reflex.rules;

import static io.reflex.rules.Alerts.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.reflex.model.ActionStatus;
import io.reflex.model.ActionType;
import io.reflex.model.AlertEvent;
import io.reflex.model.AlertStatus;
import io.reflex.model.Resource;
import io.reflex.rules.vocabulary.ActionOutcome;
import io.reflex.rules.vocabulary.Throttle;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** How a request names the facts of its match for the timeline. */
class ActionRequestTest {
    private static final AlertEvent DISK = Alerts.alert("DiskFull", Resource.of("host", "web-1"), Map.of(),
            AlertStatus.FIRING, T0);

    private static ActionRequest requestMatching(List<?> objects) {
        return new ActionRequest("rule", ActionType.ESCALATE, DISK, "host", "web-1", Map.of("reason", "full"),
                false, ActionRequest.MatchedFact.ofMatch(objects));
    }

    @Test
    void namesAlertsOutcomesThrottlesAndOtherFactsEachItsOwnWay() {
        ActionOutcome restarted = new ActionOutcome("act-7", "inc-1", ActionType.RESTART_SERVICE,
                ActionStatus.FAILED, "exit 1", Resource.of("host", "web-1"), "DiskFull");
        ActionOutcome untyped = new ActionOutcome("act-8", "inc-1", null, ActionStatus.SUCCEEDED, null,
                Resource.of("host", "web-1"), "DiskFull");
        record Maintenance(String host) {
        }

        ActionRequest request = requestMatching(List.of(DISK, restarted, untyped, new Throttle("clean", "web-1"),
                new Maintenance("web-1")));

        assertThat(request.matchedSummary()).isEqualTo(DISK.id() + " (DiskFull FIRING on host:web-1), "
                + "act-7 (restart_service FAILED), act-8 (SUCCEEDED), throttle clean/web-1, Maintenance");
        assertThat(request.matchedIds()).isEqualTo(DISK.id() + ",act-7,act-8");
    }

    @Test
    void namesTenFactsAtMostAndCountsTheRest() {
        List<ActionOutcome> outcomes = IntStream.range(0, 12).mapToObj(i -> new ActionOutcome("act-" + i, "inc-1",
                null, ActionStatus.SUCCEEDED, null, Resource.of("host", "web-1"), "DiskFull")).toList();

        ActionRequest request = requestMatching(List.of(outcomes));

        assertThat(request.matched()).hasSize(12);
        assertThat(request.matchedSummary()).isEqualTo(IntStream.range(0, 10)
                .mapToObj(i -> "act-" + i + " (SUCCEEDED)").collect(Collectors.joining(", ")) + ", … and 2 more");
        assertThat(request.matchedIds()).isEqualTo(IntStream.range(0, 12).mapToObj(i -> "act-" + i)
                .collect(Collectors.joining(",")));
    }

    @Test
    void keepsTheSummaryToAboutFiveHundredCharacters() {
        List<AlertEvent> alerts = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            alerts.add(Alerts.alert("Disk" + "Full".repeat(20), Resource.of("host", "h" + i), Map.of(),
                    AlertStatus.FIRING, T0));
        }

        String summary = requestMatching(alerts).matchedSummary();

        assertThat(summary.length()).isLessThanOrEqualTo(ActionRequest.MAX_SUMMARY_CHARS + 20);
        assertThat(summary).contains(alerts.get(0).id()).endsWith(" more");
        int named = summary.split("\\), ").length - 1;
        assertThat(summary).endsWith(", … and " + (alerts.size() - named) + " more");
    }

    @Test
    void cutsASingleFactLongerThanTheBound() {
        AlertEvent huge = Alerts.alert("X".repeat(800), Resource.of("host", "web-1"), Map.of(), AlertStatus.FIRING,
                T0);

        String summary = requestMatching(List.of(huge)).matchedSummary();

        assertThat(summary).hasSize(ActionRequest.MAX_SUMMARY_CHARS).startsWith(huge.id()).endsWith("…");
    }

    @Test
    void aRequestWithoutKnownFactsNamesNone() {
        ActionRequest request = new ActionRequest("rule", ActionType.ESCALATE, DISK, "host", "web-1", Map.of());

        assertThat(request.matched()).isEmpty();
        assertThat(request.matchedSummary()).isEmpty();
        assertThat(request.matchedIds()).isEmpty();
    }

    @Test
    void requestsAskingTheSameThingAreEqualWhateverFactsMadeThem() {
        AlertEvent other = Alerts.alert("DiskFull", Resource.of("host", "web-2"), Map.of(), AlertStatus.FIRING, T0);

        ActionRequest one = requestMatching(List.of(DISK));
        ActionRequest two = requestMatching(List.of(DISK, other));

        assertThat(one).isEqualTo(two).hasSameHashCodeAs(two);
        assertThat(one.matched()).isNotEqualTo(two.matched());
        assertThat(one).isNotEqualTo(new ActionRequest("rule", ActionType.ESCALATE, DISK, "host", "web-2",
                Map.of("reason", "full"), false, one.matched()));
    }
}
