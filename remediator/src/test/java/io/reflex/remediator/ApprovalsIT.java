package io.reflex.remediator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflex.model.Action;
import io.reflex.model.ActionResult;
import io.reflex.model.ActionStatus;
import io.reflex.model.ActionType;
import io.reflex.model.Approval;
import io.reflex.model.Json;
import io.reflex.model.TimelineEntry;
import io.reflex.model.TimelineKind;
import io.reflex.model.Topics;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Actions that need approval, against a real broker: parked as AWAITING_APPROVAL without
 * stalling their partition, listed, approved (runs once) or rejected over HTTP, expired when
 * unanswered, and still run once when the remediator restarts between request and approval.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApprovalsIT {
    private static final String GROUP = "it-approvals";

    private Harness harness;

    @BeforeAll
    void start(@TempDir Path dir) {
        harness = new Harness(dir);
    }

    @AfterAll
    void stop() {
        harness.close();
    }

    private static RemediatorConfig config(Duration expireAfter) {
        return new RemediatorConfig(GROUP, null, null, null, Duration.ofMillis(200), null, null, null, null,
                new RemediatorConfig.Approvals(expireAfter), null, null);
    }

    private static Action isolate(String id, String host) {
        return Harness.action(id, "inc-" + id, ActionType.ISOLATE_HOST, "host", host, true, Map.of());
    }

    private void awaitAwaiting(String id) {
        await(id + " awaiting approval").atMost(Duration.ofSeconds(30))
                .until(() -> harness.statuses(id).contains(ActionStatus.AWAITING_APPROVAL));
    }

    private static List<String> listed(Harness.Running running) throws Exception {
        HttpResponse<String> list = running.call("GET", "/api/actions?status=AWAITING_APPROVAL", null, null);
        assertThat(list.statusCode()).isEqualTo(200);
        return Json.MAPPER.readTree(list.body()).findValuesAsText("actionId");
    }

    @Test
    void approvedOverHttpItRunsOnceAndADecisionIsFinal() throws Exception {
        try (Harness.Running running = harness.start(config(Duration.ofHours(1)))) {
            harness.deliver(isolate("ap-1", "web-1"));
            // The partition is not stalled: a later action on the same target runs meanwhile.
            harness.deliver(Harness.action("ap-next", "inc-next", ActionType.RESTART_SERVICE, "host", "web-1", false,
                    Map.of()));
            awaitAwaiting("ap-1");
            assertThat(harness.awaitTerminal("ap-next").status()).isEqualTo(ActionStatus.SUCCEEDED);
            assertThat(harness.fake.runs("ap-1")).isZero();
            assertThat(harness.awaitEntry("ap-1", TimelineKind.APPROVAL).summary()).contains("needs approval");
            await().atMost(Duration.ofSeconds(10)).until(() -> listed(running).contains("ap-1"));

            HttpResponse<String> approved = running.call("POST", "/api/actions/ap-1/approve",
                    "{\"reason\":\"confirmed compromise\"}", "alice");
            assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
            assertThat(Json.MAPPER.readTree(approved.body()).get("state").asText()).isEqualTo("APPROVED");

            assertThat(harness.awaitTerminal("ap-1").status()).isEqualTo(ActionStatus.SUCCEEDED);
            assertThat(harness.fake.runs("ap-1")).isEqualTo(1);
            assertThat(harness.timeline("ap-1", TimelineKind.APPROVAL)).extracting(TimelineEntry::summary)
                    .anyMatch(s -> s.contains("approved by alice: confirmed compromise"));
            assertThat(listed(running)).doesNotContain("ap-1");

            HttpResponse<String> again = running.call("POST", "/api/actions/ap-1/reject", null, "bob");
            assertThat(again.statusCode()).isEqualTo(409);
            assertThat(Json.MAPPER.readTree(again.body()).get("message").asText()).contains("already APPROVED by alice");
            HttpResponse<String> unknown = running.call("POST", "/api/actions/nope/approve", null, "bob");
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(Json.MAPPER.readTree(unknown.body()).get("message").asText())
                    .contains("GET /api/actions?status=AWAITING_APPROVAL");
            assertThat(harness.fake.runs("ap-1")).isEqualTo(1);
        }
    }

    @Test
    void rejectedOverHttpItIsReportedWithWhoAndWhy() throws Exception {
        try (Harness.Running running = harness.start(config(Duration.ofHours(1)))) {
            harness.deliver(isolate("rj-1", "web-2"));
            awaitAwaiting("rj-1");
            await().atMost(Duration.ofSeconds(10)).until(() -> listed(running).contains("rj-1"));
            HttpResponse<String> rejected = running.call("POST", "/api/actions/rj-1/reject",
                    "{\"reason\":\"wrong host\"}", "bob");
            assertThat(rejected.statusCode()).as(rejected.body()).isEqualTo(200);
            ActionResult result = harness.awaitTerminal("rj-1");
            assertThat(result.status()).isEqualTo(ActionStatus.REJECTED);
            assertThat(result.detail()).isEqualTo("rejected by bob: wrong host");
            assertThat(harness.fake.runs("rj-1")).isZero();
        }
    }

    @Test
    void unansweredItExpiresAndIsSkipped() {
        try (Harness.Running running = harness.start(config(Duration.ofSeconds(2)))) {
            harness.deliver(isolate("ex-1", "web-3"));
            awaitAwaiting("ex-1");
            ActionResult result = harness.awaitTerminal("ex-1");
            assertThat(result.status()).isEqualTo(ActionStatus.SKIPPED);
            assertThat(result.detail()).startsWith("approval expired after 2s");
            assertThat(harness.timeline("ex-1", TimelineKind.APPROVAL)).extracting(TimelineEntry::summary)
                    .anyMatch(s -> s.contains("approval expired after 2s"));
            assertThat(running.call("POST", "/api/actions/ex-1/approve", null, "alice").statusCode()).isEqualTo(409);
            assertThat(harness.fake.runs("ex-1")).isZero();
        }
    }

    @Test
    void aRestartBetweenRequestAndApprovalStillRunsItOnce() throws Exception {
        try (Harness.Running first = harness.start(config(Duration.ofHours(1)))) {
            harness.deliver(isolate("rs-1", "web-4"));
            awaitAwaiting("rs-1");
        }
        try (Harness.Running second = harness.start(config(Duration.ofHours(1)))) {
            await("the parked action listed after the restart").atMost(Duration.ofSeconds(30))
                    .until(() -> listed(second).contains("rs-1"));
            assertThat(second.call("POST", "/api/actions/rs-1/approve", null, "alice").statusCode()).isEqualTo(200);
            assertThat(harness.awaitTerminal("rs-1").status()).isEqualTo(ActionStatus.SUCCEEDED);
            assertThat(harness.fake.runs("rs-1")).isEqualTo(1);
            assertThat(harness.statuses("rs-1")).containsExactly(ActionStatus.AWAITING_APPROVAL, ActionStatus.STARTED,
                    ActionStatus.SUCCEEDED);
        }
        // Started once more, the decided approval is read again and not carried out twice.
        try (Harness.Running third = harness.start(config(Duration.ofHours(1)))) {
            harness.deliver(Harness.action("rs-marker", "inc-marker", ActionType.RESTART_SERVICE, "host", "web-4",
                    false, Map.of()));
            harness.awaitTerminal("rs-marker");
            assertThat(harness.fake.runs("rs-1")).isEqualTo(1);
            List<Approval> approvals = harness.kafka.readAll(Topics.APPROVALS, Duration.ofMillis(300)).stream()
                    .map(ConsumerRecord::value).filter(a -> a.actionId().equals("rs-1")).toList();
            assertThat(approvals).extracting(Approval::state)
                    .containsExactly(Approval.State.AWAITING, Approval.State.APPROVED);
        }
    }

    @Test
    void theListShowsWhoWaitsSinceWhenAndUntilWhen() throws Exception {
        try (Harness.Running running = harness.start(config(Duration.ofHours(1)))) {
            harness.deliver(isolate("ls-1", "web-5"));
            awaitAwaiting("ls-1");
            await().atMost(Duration.ofSeconds(10)).until(() -> listed(running).contains("ls-1"));
            JsonNode list = Json.MAPPER.readTree(running.call("GET", "/api/actions?status=AWAITING_APPROVAL", null,
                    null).body());
            JsonNode item = null;
            for (JsonNode n : list) {
                if (n.get("actionId").asText().equals("ls-1")) {
                    item = n;
                }
            }
            assertThat(item).isNotNull();
            assertThat(item.get("status").asText()).isEqualTo("AWAITING_APPROVAL");
            assertThat(item.get("type").asText()).isEqualTo("isolate_host");
            assertThat(item.get("target").asText()).isEqualTo("host:web-5");
            assertThat(item.at("/approval/expiresAt").asText()).isNotEmpty();
            assertThat(running.call("GET", "/api/actions?status=WAITING", null, null).statusCode()).isEqualTo(400);
            running.call("POST", "/api/actions/ls-1/reject", "{\"reason\":\"cleanup\"}", "test");
            harness.awaitTerminal("ls-1");
        }
    }
}
