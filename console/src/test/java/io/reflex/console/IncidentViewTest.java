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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IncidentViewTest {
    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
    private final MutableClock clock = new MutableClock(T0.plusSeconds(3600));
    private final IncidentView view = new IncidentView(ConsoleConfig.withMaxIncidents(100), clock);

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
            IncidentView.Page page = view.list(IncidentFilter.ALL, 2, cursor);
            page.items().forEach(i -> seen.add(i.incident().id()));
            cursor = page.next() == null ? null : IncidentView.Cursor.decode(page.next().encode());
        } while (cursor != null);
        assertThat(seen).containsExactly("inc-4", "inc-3", "inc-2", "inc-1", "inc-0");
        IncidentFilter open = new IncidentFilter(IncidentStatus.OPEN, null, null, null, null, null, null);
        assertThat(view.list(open, 10, null).items()).extracting(i -> i.incident().id())
                .containsExactly("inc-4", "inc-2", "inc-0");
        assertThat(view.list(open, 10, null).next()).isNull();
    }

    @Test
    void forgetsTheOldestResolvedIncidentFirstWhenFull() {
        IncidentView small = new IncidentView(ConsoleConfig.withMaxIncidents(2), clock);
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

    private static TimelineEntry entry(String incidentId, int second, TimelineKind kind, Map<String, String> refs) {
        return new TimelineEntry(incidentId, T0.plusSeconds(second), kind, kind + " step", refs);
    }

    /** Records what listeners hear, in order. */
    private static final class Heard implements IncidentView.Listener {
        final List<String> events = new ArrayList<>();

        @Override
        public void timeline(TimelineEntry entry) {
            events.add("timeline " + entry.incidentId() + " " + entry.kind());
        }

        @Override
        public void incident(IncidentItem item) {
            events.add("incident " + item.incident().id() + " " + item.incident().status()
                    + item.incident().actions().stream().map(a -> " " + a.status()).reduce("", String::concat));
        }
    }

    @Test
    void listenersHearOpeningsStatusChangesActionsAndTimelineStepsButNotRepeats() {
        Heard heard = new Heard();
        Runnable unsubscribe = view.subscribe(heard);
        view.incident(incident("inc-1", 0, IncidentStatus.OPEN));
        view.incident(incident("inc-1", 0, IncidentStatus.OPEN)); // same state again: nothing new to show
        view.timeline(entry("inc-1", 1, TimelineKind.RULE_FIRED, Map.of()));
        view.action(action("act-1", "inc-1"));
        view.action(action("act-1", "inc-1"));
        view.result(result("act-1", ActionStatus.STARTED));
        view.result(result("act-1", ActionStatus.STARTED));
        view.result(result("act-1", ActionStatus.SUCCEEDED));
        view.incident(incident("inc-1", 0, IncidentStatus.RESOLVED));
        unsubscribe.run();
        view.incident(incident("inc-2", 1, IncidentStatus.OPEN));
        assertThat(heard.events).containsExactly(
                "incident inc-1 OPEN",
                "timeline inc-1 RULE_FIRED",
                "incident inc-1 OPEN PENDING",
                "incident inc-1 OPEN STARTED",
                "incident inc-1 OPEN SUCCEEDED",
                "incident inc-1 RESOLVED SUCCEEDED");
        assertThat(view.listenerCount()).isZero();
    }

    @Test
    void aFailingListenerIsRemovedAndTheOthersStillHear() {
        Heard heard = new Heard();
        view.subscribe(new IncidentView.Listener() {
            @Override
            public void timeline(TimelineEntry entry) {
                throw new IllegalStateException("broken client");
            }

            @Override
            public void incident(IncidentItem item) {
                throw new IllegalStateException("broken client");
            }
        });
        view.subscribe(heard);
        view.incident(incident("inc-1", 0, IncidentStatus.OPEN));
        view.timeline(entry("inc-1", 1, TimelineKind.RULE_FIRED, Map.of()));
        assertThat(heard.events).containsExactly("incident inc-1 OPEN", "timeline inc-1 RULE_FIRED");
        assertThat(view.listenerCount()).isEqualTo(1);
    }

    @Test
    void learnsThatAnIncidentIsADrillFromItsTimelineAndSaysSo() {
        Heard heard = new Heard();
        view.incident(incident("inc-1", 0, IncidentStatus.OPEN));
        view.subscribe(heard);
        view.timeline(entry("inc-1", 1, TimelineKind.ALERT_RECEIVED, Map.of("drillId", "drl-7")));
        assertThat(view.findItem("inc-1").orElseThrow().drillId()).isEqualTo("drl-7");
        assertThat(heard.events).containsExactly("timeline inc-1 ALERT_RECEIVED", "incident inc-1 OPEN");
        assertThat(view.findItem("inc-1").orElseThrow().summaryJson().get("drillId").asText()).isEqualTo("drl-7");
    }

    @Test
    void filtersByResourceAlertTimeDrillAndText() {
        view.incident(new Incident("a", IncidentStatus.OPEN, "ServiceDown on service:checkout",
                Resource.of("service", "checkout"), "ServiceDown", T0, null, List.of(), List.of()));
        view.incident(new Incident("b", IncidentStatus.RESOLVED, "DiskFull on host:web-1",
                Resource.of("host", "web-1"), "DiskFull", T0.plusSeconds(60), null, List.of(), List.of()));
        view.incident(new Incident("c", IncidentStatus.OPEN, "ServiceDown on service:cart",
                Resource.of("service", "cart"), "ServiceDown", T0.plusSeconds(120), null, List.of(), List.of()));
        view.timeline(entry("c", 121, TimelineKind.ALERT_RECEIVED, Map.of("drillId", "drl-1")));

        assertThat(ids(filter("resource", "SERVICE:"))).containsExactly("c", "a");
        assertThat(ids(filter("alert", "DiskFull"))).containsExactly("b");
        assertThat(ids(filter("alert", "diskfull"))).as("the alert name matches exactly").isEmpty();
        assertThat(ids(filter("from", T0.plusSeconds(60).toString()))).containsExactly("c", "b");
        assertThat(ids(filter("to", T0.plusSeconds(60).toString()))).as("to is exclusive").containsExactly("a");
        assertThat(ids(filter("drill", "true"))).containsExactly("c");
        assertThat(ids(filter("drill", "false"))).containsExactly("b", "a");
        assertThat(ids(filter("q", "web"))).containsExactly("b");
        assertThat(ids(filter("q", "servicedown"))).containsExactly("c", "a");
        assertThat(ids(IncidentFilter.parse(Map.of("alert", "ServiceDown", "status", "open")::get)))
                .containsExactly("c", "a");
    }

    private static IncidentFilter filter(String name, String value) {
        return IncidentFilter.parse(Map.of(name, value)::get);
    }

    private List<String> ids(IncidentFilter filter) {
        return view.list(filter, 10, null).items().stream().map(i -> i.incident().id()).toList();
    }

    @Test
    void theDetailGivesEachStepTheTimeSinceThePreviousOneAndThePhases() {
        view.incident(incident("inc-1", 0, IncidentStatus.RESOLVED));
        view.timeline(entry("inc-1", 12, TimelineKind.RULE_FIRED, Map.of()));
        view.timeline(entry("inc-1", 10, TimelineKind.ALERT_RECEIVED,
                Map.of("startsAt", T0.plusSeconds(4).toString())));
        view.timeline(entry("inc-1", 13, TimelineKind.ACTION_DISPATCHED, Map.of()));
        view.timeline(entry("inc-1", 20, TimelineKind.VERIFIED, Map.of()));
        view.timeline(entry("inc-1", 50, TimelineKind.RESOLVED, Map.of()));

        var detail = view.findItem("inc-1").orElseThrow().detailJson();
        List<String> since = new ArrayList<>();
        detail.get("timeline").forEach(step -> since.add(step.get("kind").asText() + " " + step.get("sincePrevious")));
        assertThat(since).containsExactly("ALERT_RECEIVED null", "RULE_FIRED \"PT2S\"", "ACTION_DISPATCHED \"PT1S\"",
                "VERIFIED \"PT7S\"", "RESOLVED \"PT30S\"");
        var phases = detail.get("phases");
        assertThat(phases.get("detectedAt").asText()).isEqualTo(T0.plusSeconds(4).toString());
        assertThat(phases.get("timeToDetect").asText()).isEqualTo("PT6S");
        assertThat(phases.get("timeToDecide").asText()).isEqualTo("PT2S");
        assertThat(phases.get("timeToAct").asText()).isEqualTo("PT1S");
        assertThat(phases.get("recoveredAt").asText()).as("RESOLVED wins over VERIFIED").isEqualTo(T0.plusSeconds(50).toString());
        assertThat(phases.get("timeToRecover").asText()).isEqualTo("PT37S");
        assertThat(detail.get("alert").asText()).isEqualTo("ServiceDown");
        assertThat(detail.has("drillId")).isFalse();
    }

    /** A clock the test moves by hand. */
    private static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException("the view needs no zone");
        }
    }

    private static Incident resolved(String id, int minute, Instant resolvedAt) {
        return new Incident(id, IncidentStatus.RESOLVED, "ServiceDown on service:" + id, Resource.of("service", id),
                "ServiceDown", T0.plusSeconds(60L * minute), resolvedAt, List.of(), List.of());
    }

    private IncidentView bounded(Integer maxIncidents, Integer maxOrphans, Integer maxTimeline, Integer maxActions,
            Duration retention) {
        return new IncidentView(new ConsoleConfig(maxIncidents, maxOrphans, maxTimeline, maxActions, retention), clock);
    }

    @Test
    void stepsActionsAndResultsThatArriveBeforeTheirIncidentAreJoinedInWhenItArrives() {
        Heard heard = new Heard();
        view.subscribe(heard);
        view.timeline(entry("inc-1", 1, TimelineKind.ALERT_RECEIVED, Map.of("drillId", "drl-1")));
        view.result(result("act-1", ActionStatus.SUCCEEDED));
        view.action(action("act-1", "inc-1"));
        assertThat(view.stats().orphans()).isEqualTo(3);
        assertThat(heard.events).as("nothing to show of an unknown incident but its live step")
                .containsExactly("timeline inc-1 ALERT_RECEIVED");

        view.incident(incident("inc-1", 0, IncidentStatus.REMEDIATING));

        IncidentItem item = view.findItem("inc-1").orElseThrow();
        assertThat(item.incident().timeline()).extracting(TimelineEntry::kind).containsExactly(TimelineKind.ALERT_RECEIVED);
        assertThat(item.incident().actions()).extracting(ActionSummary::status).containsExactly(ActionStatus.SUCCEEDED);
        assertThat(item.drillId()).isEqualTo("drl-1");
        assertThat(view.stats().orphans()).isZero();
        assertThat(heard.events).last().isEqualTo("incident inc-1 REMEDIATING SUCCEEDED");
    }

    @Test
    void pastMaxOrphanEntriesTheOldestWaitingRecordsAreDroppedFirstAndTheRestStillFindTheirIncident() {
        IncidentView view = bounded(null, 3, null, null, null);
        view.timeline(entry("inc-1", 1, TimelineKind.ALERT_RECEIVED, Map.of()));   // oldest: dropped
        view.action(action("act-1", "inc-1"));                                     // dropped
        view.timeline(entry("inc-2", 2, TimelineKind.ALERT_RECEIVED, Map.of()));
        view.action(action("act-2", "inc-2"));
        view.result(new ActionResult("act-2", "inc-2", ActionStatus.FAILED, 1, "exit 1", T0, null));
        assertThat(view.stats()).isEqualTo(new IncidentView.Stats(0, 3, 2));

        view.incident(incident("inc-1", 0, IncidentStatus.OPEN));
        view.incident(incident("inc-2", 1, IncidentStatus.REMEDIATING));

        assertThat(view.find("inc-1").orElseThrow().timeline()).isEmpty();
        assertThat(view.find("inc-1").orElseThrow().actions()).isEmpty();
        Incident kept = view.find("inc-2").orElseThrow();
        assertThat(kept.timeline()).extracting(TimelineEntry::incidentId).containsExactly("inc-2");
        assertThat(kept.actions()).extracting(ActionSummary::status).containsExactly(ActionStatus.FAILED);
        assertThat(view.stats()).isEqualTo(new IncidentView.Stats(2, 0, 2));
    }

    @Test
    void droppedOrphansAreReportedAtMostOncePerMinuteWithTheNumberDroppedSinceTheLastReport() {
        IncidentView view = bounded(null, 1, null, null, null);
        view.timeline(entry("inc-1", 1, TimelineKind.ALERT_RECEIVED, Map.of()));
        view.timeline(entry("inc-2", 1, TimelineKind.ALERT_RECEIVED, Map.of()));
        view.timeline(entry("inc-3", 1, TimelineKind.ALERT_RECEIVED, Map.of()));
        assertThat(view.housekeep()).as("within the first minute").isEmpty();
        clock.advance(IncidentView.HOUSEKEEPING_EVERY);
        assertThat(view.housekeep()).contains(new IncidentView.Sweep(0, 2));
        view.timeline(entry("inc-4", 1, TimelineKind.ALERT_RECEIVED, Map.of()));
        assertThat(view.housekeep()).as("reported a moment ago").isEmpty();
        clock.advance(IncidentView.HOUSEKEEPING_EVERY);
        assertThat(view.housekeep()).contains(new IncidentView.Sweep(0, 1));
        assertThat(view.stats()).isEqualTo(new IncidentView.Stats(0, 1, 3));
    }

    @Test
    void aVeryLongTimelineKeepsItsFirstTenthAndItsMostRecentStepsAndSaysHowManyWereDropped() {
        IncidentView view = bounded(null, null, 20, null, null);
        view.incident(incident("inc-1", 0, IncidentStatus.REMEDIATING));
        for (int second = 0; second < 50; second++) {
            view.timeline(entry("inc-1", second, second == 0 ? TimelineKind.ALERT_RECEIVED : TimelineKind.ACTION_RESULT,
                    Map.of()));
        }
        IncidentItem item = view.findItem("inc-1").orElseThrow();
        List<Instant> expected = new ArrayList<>();
        expected.add(T0);
        expected.add(T0.plusSeconds(1));
        for (int second = 32; second < 50; second++) {
            expected.add(T0.plusSeconds(second));
        }
        assertThat(item.incident().timeline()).extracting(TimelineEntry::at).containsExactlyElementsOf(expected);
        assertThat(item.timelineTruncated()).isEqualTo(30);
        var detail = item.detailJson();
        assertThat(detail.get("timelineTruncated").asInt()).isEqualTo(30);
        assertThat(detail.get("timeline")).hasSize(20);
        assertThat(detail.get("phases").get("detectedAt").asText()).as("the first step is kept for the phases")
                .isEqualTo(T0.toString());
    }

    @Test
    void aShortTimelineIsNotTruncated() {
        view.incident(incident("inc-1", 0, IncidentStatus.OPEN));
        view.timeline(entry("inc-1", 1, TimelineKind.ALERT_RECEIVED, Map.of()));
        assertThat(view.findItem("inc-1").orElseThrow().detailJson().get("timelineTruncated").asInt()).isZero();
        assertThat(view.findItem("inc-1").orElseThrow().summaryJson().has("actionsTruncated")).isFalse();
    }

    @Test
    void aVeryLongActionListKeepsItsFirstAndMostRecentActionsWithTheirResults() {
        IncidentView view = bounded(null, null, null, 10, null);
        view.incident(incident("inc-1", 0, IncidentStatus.REMEDIATING));
        for (int i = 0; i < 15; i++) {
            view.action(action("act-" + i, "inc-1"));
            view.result(new ActionResult("act-" + i, "inc-1", ActionStatus.FAILED, 1, null, T0, null));
        }
        IncidentItem item = view.findItem("inc-1").orElseThrow();
        assertThat(item.incident().actions()).extracting(ActionSummary::id).containsExactly(
                "act-0", "act-6", "act-7", "act-8", "act-9", "act-10", "act-11", "act-12", "act-13", "act-14");
        assertThat(item.incident().actions()).extracting(ActionSummary::status).containsOnly(ActionStatus.FAILED);
        assertThat(item.actionsTruncated()).isEqualTo(5);
        assertThat(view.list(IncidentFilter.ALL, 10, null).items().get(0).summaryJson().get("actionsTruncated").asInt())
                .isEqualTo(5);
    }

    @Test
    void retentionForgetsResolvedIncidentsResolvedLongerAgoButNeverOpenOnes() {
        IncidentView view = bounded(100, null, null, null, Duration.ofDays(30));
        clock.advance(Duration.ofDays(90));
        Instant now = clock.instant();
        view.incident(incident("open-for-long", 0, IncidentStatus.OPEN)); // opened 90 days ago
        view.incident(resolved("resolved-lately", 1, now.minus(Duration.ofDays(29))));
        view.incident(resolved("resolved-long-ago", 2, now.minus(Duration.ofDays(31))));
        assertThat(view.find("resolved-long-ago")).as("expired already when read").isEmpty();
        assertThat(view.find("resolved-lately")).isPresent();

        clock.advance(Duration.ofDays(2));
        assertThat(view.housekeep()).contains(new IncidentView.Sweep(1, 0));

        assertThat(view.find("resolved-lately")).as("now resolved 31 days ago").isEmpty();
        assertThat(view.find("open-for-long")).isPresent();
        assertThat(view.size()).isEqualTo(1);
    }

    @Test
    void lateStepsOfAnIncidentForgottenByRetentionAreNotKeptWaiting() {
        IncidentView view = bounded(100, null, null, null, Duration.ofDays(30));
        view.incident(resolved("old", 0, clock.instant().minus(Duration.ofDays(31))));
        view.timeline(entry("old", 5, TimelineKind.RESOLVED, Map.of()));
        view.action(action("act-1", "old"));
        assertThat(view.stats()).isEqualTo(new IncidentView.Stats(0, 0, 0));
    }

    @Test
    void anIncidentForgottenWhenFullTakesItsActionsResultsAndStepsWithIt() {
        IncidentView small = bounded(1, null, null, null, null);
        small.incident(incident("a", 0, IncidentStatus.RESOLVED));
        small.action(action("act-a", "a"));
        small.result(new ActionResult("act-a", "a", ActionStatus.SUCCEEDED, 1, null, T0, null));
        small.timeline(entry("a", 1, TimelineKind.RESOLVED, Map.of()));
        small.incident(incident("b", 1, IncidentStatus.OPEN));
        small.timeline(entry("a", 2, TimelineKind.VERIFIED, Map.of()));
        assertThat(small.find("a")).isEmpty();
        assertThat(small.stats()).isEqualTo(new IncidentView.Stats(1, 0, 0));
    }

    @Test
    void configurationProblemsNameTheirKeys() {
        assertThat(new ConsoleConfig(0, -1, 5, 9, Duration.ZERO).validate()).containsExactly(
                "console.maxIncidents must be at least 1, got 0",
                "console.maxOrphanEntries must be 0 or more (0 drops every record that arrives before its incident),"
                        + " got -1",
                "console.maxTimelineEntriesPerIncident must be at least 10 (the first tenth and the most recent rest"
                        + " are kept), got 5",
                "console.maxActionsPerIncident must be at least 10 (the first tenth and the most recent rest are kept),"
                        + " got 9",
                "console.retention must be a positive duration such as 30d or 12h, got PT0S");
        assertThat(ConsoleConfig.defaults().validate()).isEmpty();
        assertThat(ConsoleConfig.defaults()).isEqualTo(
                new ConsoleConfig(10_000, 10_000, 1_000, 100, Duration.ofDays(30)));
        assertThatThrownBy(() -> new IncidentView(new ConsoleConfig(null, null, null, null, Duration.ofDays(-1)), clock))
                .hasMessageContaining("console.retention");
    }
}
