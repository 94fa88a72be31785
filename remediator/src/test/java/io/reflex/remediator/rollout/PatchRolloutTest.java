package io.reflex.remediator.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.reflex.connectors.spi.Outcome;
import io.reflex.model.Action;
import io.reflex.model.ActionMode;
import io.reflex.model.ActionStatus;
import io.reflex.model.ActionType;
import io.reflex.model.RuleRef;
import io.reflex.model.Target;
import io.reflex.remediator.rollout.RolloutConfig.Gate;
import io.reflex.remediator.rollout.RolloutConfig.Group;
import io.reflex.remediator.rollout.RolloutConfig.Member;
import io.reflex.remediator.rollout.RolloutConfig.Step;
import io.reflex.remediator.rollout.RolloutFakes.FakeConnector;
import io.reflex.remediator.rollout.RolloutFakes.FakeProbe;
import io.reflex.remediator.rollout.RolloutFakes.Journal;
import io.reflex.remediator.rollout.RolloutFakes.MovingClock;
import io.reflex.remediator.rollout.RolloutFakes.RecordingListener;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PatchRolloutTest {

    private final Journal journal = new Journal();
    private final MovingClock clock = new MovingClock();
    private final FakeConnector connector = new FakeConnector(journal, clock);
    private final FakeProbe probe = new FakeProbe(journal);
    private final RecordingListener listener = new RecordingListener();

    private static List<Member> members(int n) {
        return IntStream.rangeClosed(1, n).mapToObj(i -> new Member("web-" + i)).toList();
    }

    private static Group group(List<Member> members, int batchSize, Duration pause) {
        return new Group(members, batchSize,
                new Step("fake", "restart_service", "service", null, Map.of("patch", "{patch}", "host", "{member}")),
                Gate.http("http://gate/{member}"), Duration.ofSeconds(30), Duration.ofSeconds(1), pause);
    }

    private PatchRollout rollout(Group group) {
        return new PatchRollout(new RolloutConfig(Map.of("web", group)), RolloutFakes.only(connector), probe, clock,
                listener, clock.sleeper());
    }

    private static Action patch(String name) {
        return RolloutFakes.rotatePatch("web", Map.of("patch", name), Duration.ofMinutes(10));
    }

    @Test
    void patchesBatchesInConfigOrderAndGatesEachBatchBeforeTheNextStarts() throws Exception {
        final Outcome outcome = rollout(group(members(6), 2, Duration.ZERO)).run(patch("2026.11-1"));

        assertThat(outcome.status()).as(outcome.detail()).isEqualTo(ActionStatus.SUCCEEDED);
        assertThat(outcome.detail()).isEqualTo("rolled out patch 2026.11-1 to group web: 6 members in 3 batches,"
                + " each healthy after its step (took 3.0s)");
        assertThat(journal.events).containsExactly(
                "step web-1", "step web-2", "gate web-1", "gate web-2",
                "step web-3", "step web-4", "gate web-3", "gate web-4",
                "step web-5", "step web-6", "gate web-5", "gate web-6");
        assertThat(listener.steps).contains(
                "inc-1: batch 2/3: restart_service service:web-3 SUCCEEDED: restarted web-3",
                "inc-1: gate web-3 healthy after 0.0s");
        assertThat(listener.escalations).isEmpty();
    }

    @Test
    void eachStepIsAChildActionOfTheRolloutWithItsTemplatesFilledIn() throws Exception {
        final Action parent = patch("2026.11-1");
        rollout(group(members(2), 1, Duration.ZERO)).run(parent);

        final Action child = connector.executed.get(1);
        assertThat(child.id()).isEqualTo("act-1/web-2");
        assertThat(child.incidentId()).isEqualTo("inc-1");
        assertThat(child.type()).isEqualTo(ActionType.RESTART_SERVICE);
        assertThat(child.target()).isEqualTo(new Target("fake", "service", "web-2"));
        assertThat(child.params()).isEqualTo(Map.of("patch", "2026.11-1", "host", "web-2"));
        assertThat(child.deadline()).isEqualTo(parent.deadline());
        assertThat(child.mode()).isEqualTo(ActionMode.EXECUTE);
        assertThat(child.resultKey()).isEqualTo(parent.resultKey());
        assertThat(child.labels()).isEqualTo(parent.labels());
        assertThat(listener.refs).anySatisfy(refs -> assertThat(refs).containsEntry("childActionId", "act-1/web-2")
                .containsEntry("member", "web-2").containsEntry("batch", "2/2").containsEntry("actionId", "act-1"));
    }

    @Test
    void haltsAtTheFirstFailingGateAndLeavesLaterBatchesUntouched() throws Exception {
        probe.neverHealthy("web-4");

        final Outcome outcome = rollout(group(members(6), 2, Duration.ZERO)).run(patch("2026.11-1"));

        assertThat(outcome).isEqualTo(Outcome.failed("halted at batch 2/3: gate of web-4 failed (HTTP 503 for 30.0s);"
                + " batches 3..3 not started (web-5 and web-6 untouched); web-3 and web-4 were patched;"
                + " patched and healthy in earlier batches: web-1 and web-2", false));
        assertThat(connector.targets()).containsExactly("web-1", "web-2", "web-3", "web-4");
        assertThat(probe.checks).doesNotContainKeys("web-5", "web-6");
        assertThat(probe.checks.get("web-3")).isEqualTo(1);
        // Checked every gateInterval (1s) from 0s to 30s.
        assertThat(probe.checks.get("web-4")).isEqualTo(31);
        assertThat(listener.escalations).containsExactly("inc-1: rollout of patch 2026.11-1 to group web "
                + outcome.detail() + ". Look at the failed member before rolling out again: the group is half patched");
        assertThat(listener.steps).contains("inc-1: gate web-4 unhealthy after 30.0s: GET http://gate/web-4 - HTTP 503");
    }

    @Test
    void aMemberThatNeedsSomeChecksPassesWithinTheGateTimeout() throws Exception {
        probe.failuresBeforeHealthy.put("web-2", 3);

        final Outcome outcome = rollout(group(members(3), 3, Duration.ZERO)).run(patch("p1"));

        assertThat(outcome.status()).as(outcome.detail()).isEqualTo(ActionStatus.SUCCEEDED);
        assertThat(listener.steps).contains("inc-1: gate web-1 healthy after 0.0s", "inc-1: gate web-2 healthy after 3.0s",
                "inc-1: gate web-3 healthy after 0.0s");
        assertThat(probe.checks).containsEntry("web-1", 1).containsEntry("web-2", 4).containsEntry("web-3", 1);
    }

    @Test
    void aFailedStepHaltsTheRestOfItsBatchWithoutCheckingGates() throws Exception {
        connector.outcomes.put("web-3", Outcome.failed("restart of web-3 failed: exited (exit code 1)", true));

        final Outcome outcome = rollout(group(members(6), 3, Duration.ZERO)).run(patch("p1"));

        assertThat(outcome).isEqualTo(Outcome.failed("halted at batch 1/2: step restart_service service:web-3 failed"
                + " (restart of web-3 failed: exited (exit code 1)); batches 2..2 not started (web-4, web-5 and web-6"
                + " untouched); web-1 and web-2 were patched", false));
        assertThat(connector.targets()).containsExactly("web-1", "web-2", "web-3");
        assertThat(probe.checks).isEmpty();
        assertThat(listener.escalations).hasSize(1);
    }

    @Test
    void aFailureInTheLastBatchSaysSoAndNamesTheMembersNotStarted() throws Exception {
        connector.outcomes.put("web-3", Outcome.refused("service 'web-3' is not managed by the process connector"));

        final Outcome outcome = rollout(group(members(4), 3, Duration.ZERO)).run(patch("p1"));

        assertThat(outcome.detail()).startsWith("halted at batch 1/2: step restart_service service:web-3 was refused"
                + " (service 'web-3' is not managed by the process connector); batches 2..2 not started (web-4 untouched);"
                + " web-1 and web-2 were patched");
        connector.outcomes.clear();
        probe.neverHealthy("web-4");
        listener.escalations.clear();

        final Outcome last = rollout(group(members(4), 3, Duration.ZERO)).run(patch("p2"));

        assertThat(last.detail()).isEqualTo("halted at batch 2/2: gate of web-4 failed (HTTP 503 for 30.0s);"
                + " it was the last batch; web-4 was patched; patched and healthy in earlier batches: web-1, web-2 and web-3");
        assertThat(listener.escalations).hasSize(1);
    }

    @Test
    void theGateWaitEndsAtTheActionsDeadlineWhenThatComesFirst() throws Exception {
        probe.neverHealthy("web-1");
        final Action action = RolloutFakes.rotatePatch("web", Map.of("patch", "p1"), Duration.ofSeconds(10));

        final Outcome outcome = rollout(group(members(2), 1, Duration.ZERO)).run(action);

        assertThat(outcome.detail()).startsWith("halted at batch 1/2: gate of web-1 failed (HTTP 503 for 9.5s, cut short"
                + " by the action's deadline); batches 2..2 not started (web-2 untouched)");
        assertThat(clock.instant()).isEqualTo(action.deadline());
    }

    @Test
    void waitsBetweenBatchesButNotBeforeTheFirstOrAfterTheLast() throws Exception {
        final Outcome outcome = rollout(group(members(3), 1, Duration.ofSeconds(5))).run(patch("p1"));

        assertThat(outcome.status()).isEqualTo(ActionStatus.SUCCEEDED);
        assertThat(clock.sleeps).containsExactly(Duration.ofSeconds(5), Duration.ofSeconds(5));
    }

    @ParameterizedTest
    @ValueSource(strings = {"x; touch /tmp/pwned", "$(touch /tmp/pwned)", "`touch /tmp/pwned`", "../../etc/passwd",
            "..", "-rf", "--config=/tmp/evil", "a b", "p1\nX-Injected: 1", "http://evil/", "{member}"})
    void hostilePatchNamesAreRefusedBeforeAnythingIsTouched(String hostile) throws Exception {
        final Outcome outcome = rollout(group(members(4), 2, Duration.ZERO)).run(patch(hostile));

        assertThat(outcome.status()).isEqualTo(ActionStatus.REJECTED);
        assertThat(outcome.detail()).startsWith("patch name '").contains("is not allowed").endsWith("; nothing was done");
        assertThat(connector.executed).isEmpty();
        assertThat(probe.gates).isEmpty();
        assertThat(listener.steps).isEmpty();
        assertThat(listener.escalations).isEmpty();
    }

    @Test
    void hostileMemberNamesAndVarsAreRefusedForTheWholeRollout() throws Exception {
        final List<Member> members = List.of(new Member("web-1"), new Member("web-2; touch /tmp/pwned"));
        final Outcome badName = rollout(group(members, 1, Duration.ZERO)).run(patch("p1"));

        final Group withVars = new Group(List.of(new Member("web-1", Map.of("port", "8081")),
                new Member("web-2", Map.of("port", "8082/../admin"))), 1,
                new Step("fake", "restart_service", "service", null, Map.of()),
                Gate.http("http://127.0.0.1:{port}/{member}"), null, null, null);
        final Outcome badVar = rollout(withVars).run(patch("p1"));

        assertThat(badName.status()).isEqualTo(ActionStatus.REJECTED);
        assertThat(badName.detail()).contains("remediator.rollouts.groups.web.members[1].name: member name"
                + " 'web-2; touch /tmp/pwned' is not allowed");
        assertThat(badVar.status()).isEqualTo(ActionStatus.REJECTED);
        assertThat(badVar.detail()).contains("remediator.rollouts.groups.web.members[1].vars.port: value"
                + " '8082/../admin' is not allowed");
        assertThat(connector.executed).isEmpty();
        assertThat(probe.gates).isEmpty();
    }

    @Test
    void theTargetNameTemplateIsFilledPerMemberAndTheResultChecked() throws Exception {
        final Group named = new Group(members(2), 1, new Step("fake", "restart_service", "service", "{member}.{patch}x",
                Map.of()), Gate.http("http://gate/{member}"), null, null, null);
        final Group pathLike = new Group(members(2), 1, new Step("fake", "restart_service", "service", "/opt/{member}",
                Map.of()), Gate.http("http://gate/{member}"), null, null, null);

        final Outcome ok = rollout(named).run(patch("p1"));
        assertThat(ok.status()).as(ok.detail()).isEqualTo(ActionStatus.SUCCEEDED);
        assertThat(connector.targets()).containsExactly("web-1.p1x", "web-2.p1x");

        // Each value is safe, yet the filled-in name is checked too: the template itself may add a path.
        connector.executed.clear();
        final Outcome refused = rollout(pathLike).run(patch("p1"));
        assertThat(refused).isEqualTo(Outcome.refused("rollout of group web refused: target name '/opt/web-1' is not"
                + " allowed: it must start with a letter or digit, have at most 128 characters and use only letters,"
                + " digits, '.', '_' and '-'; nothing was done"));
        assertThat(connector.executed).isEmpty();
    }

    @Test
    void anUnknownGroupIsRefusedNamingTheConfiguredGroups() throws Exception {
        final PatchRollout rollout = new PatchRollout(new RolloutConfig(Map.of("web", group(members(2), 1, Duration.ZERO),
                "db", group(members(1), 1, Duration.ZERO))), RolloutFakes.only(connector), probe, clock, listener,
                clock.sleeper());

        final Outcome outcome = rollout.run(RolloutFakes.rotatePatch("cache", Map.of("patch", "p1"), Duration.ofMinutes(1)));

        assertThat(outcome.status()).isEqualTo(ActionStatus.REJECTED);
        assertThat(outcome.detail()).startsWith("unknown rollout group 'cache'; configured groups: ")
                .contains("web").contains("db").contains("(remediator.rollouts.groups)");
        assertThat(connector.executed).isEmpty();
    }

    @Test
    void refusesActionsItCannotCarryOut() throws Exception {
        final PatchRollout rollout = rollout(group(members(2), 1, Duration.ZERO));
        final Action notAGroup = new Action("act-2", "inc-1", new RuleRef("r", 1), ActionType.ROTATE_PATCH,
                new Target("rollout", "service", "web"), Map.of("patch", "p1"), ActionMode.EXECUTE, false,
                RolloutFakes.T0, RolloutFakes.T0.plusSeconds(60));
        final Action noPatch = RolloutFakes.rotatePatch("web", Map.of(), Duration.ofMinutes(1));
        final Group otherConnector = new Group(members(1), 1, new Step("ssh", "run_script", "host", null, Map.of()),
                Gate.tcp("{member}:22"), null, null, null);

        assertThat(rollout.run(notAGroup).detail()).startsWith("rotate_patch acts on a group (target group:NAME), not on 'service'");
        assertThat(rollout.run(noPatch).detail()).startsWith("rotate_patch needs the param 'patch'");
        final Outcome missing = rollout(otherConnector).run(patch("p1"));
        assertThat(missing).isEqualTo(Outcome.refused("the connector 'ssh' named by remediator.rollouts.groups.web.step.connector"
                + " is not configured; configure connectors.ssh or fix the name; nothing was done"));
        assertThat(connector.executed).isEmpty();
    }

    @Test
    void aDryRunReportsThePlanAndTouchesNothing() throws Exception {
        final Outcome outcome = rollout(group(members(5), 2, Duration.ZERO)).run(patch("p1").withMode(ActionMode.DRY_RUN));

        assertThat(outcome).isEqualTo(Outcome.succeeded("DRY_RUN: would roll out patch p1 to group web in 3 batches:"
                + " 1/3 [web-1, web-2], 2/3 [web-3, web-4], 3/3 [web-5]; nothing was done"));
        assertThat(connector.executed).isEmpty();
        assertThat(probe.gates).isEmpty();
    }

    @Test
    void aConnectorThatThrowsHaltsTheRolloutLikeAFailedStep() throws Exception {
        final FakeConnector throwing = new FakeConnector(journal, clock) {
            @Override
            public Outcome execute(Action action) {
                throw new IllegalStateException("boom");
            }
        };
        final PatchRollout rollout = new PatchRollout(new RolloutConfig(Map.of("web", group(members(2), 1, Duration.ZERO))),
                RolloutFakes.only(throwing), probe, clock, listener, clock.sleeper());

        final Outcome outcome = rollout.run(patch("p1"));

        assertThat(outcome.detail()).startsWith("halted at batch 1/2: step restart_service service:web-1 failed"
                + " (connector fake threw java.lang.IllegalStateException: boom)");
        assertThat(listener.escalations).hasSize(1);
    }

    @Test
    void aListenerThatThrowsDoesNotStopTheRolloutNorMakeItRetriable() throws Exception {
        probe.neverHealthy("web-2");
        final RolloutListener broken = new RolloutListener() {
            @Override
            public void step(String incidentId, String summary, Map<String, String> refs) {
                throw new IllegalStateException("timeline unavailable");
            }

            @Override
            public void escalate(String incidentId, String reason) {
                throw new IllegalStateException("timeline unavailable");
            }
        };
        final PatchRollout rollout = new PatchRollout(new RolloutConfig(Map.of("web", group(members(3), 1, Duration.ZERO))),
                RolloutFakes.only(connector), probe, clock, broken, clock.sleeper());

        final Outcome outcome = rollout.run(patch("p1"));

        assertThat(outcome.status()).isEqualTo(ActionStatus.FAILED);
        assertThat(outcome.retriable()).isFalse();
        assertThat(outcome.detail()).startsWith("halted at batch 2/3: gate of web-2 failed");
        assertThat(connector.targets()).containsExactly("web-1", "web-2");
    }
}
