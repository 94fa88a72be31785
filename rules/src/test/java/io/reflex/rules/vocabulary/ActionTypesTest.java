package io.reflex.rules.vocabulary;

import static io.reflex.rules.RuleHarness.firing;
import static java.time.Duration.ofMinutes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.reflex.model.ActionType;
import io.reflex.rules.RuleHarness;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every action type of the {@code remediate} helper, its target and params, and what it refuses. */
class ActionTypesTest {
    private static final String ALL = """
            rule "every action type"
            when
                $a : AlertEvent(name == "Everything")
            then
                remediate.restartService($a, "cart");
                remediate.restartService($a, "payments", true);
                remediate.stopService($a, "runaway");
                remediate.startService($a, "cart");
                remediate.scale($a, "deployment", "web", 5);
                remediate.isolateHost($a, "web-1");
                remediate.isolateHost($a, "web-2", false);
                remediate.cordonNode($a, "node-1");
                remediate.cordonNode($a, "node-2", false);
                remediate.drainNode($a, "node-3");
                remediate.drainNode($a, "node-4", false);
                remediate.rotatePatch($a, "linux-fleet", "KB-2026-11");
                remediate.runPlaybook($a, "clean-disk", java.util.Map.of("path", "/var/log", "keep", 3));
                remediate.runScript($a, "web-1", "rotate-logs", java.util.Map.of("keep", 7));
                remediate.runScript($a, "web-2", "uptime", null);
                remediate.notify($a, "#ops", "disk cleaned");
                remediate.escalate($a, "still failing");
            end
            """;

    @Test
    void eachHelperMethodAsksForItsActionTypeWithTargetAndParams() {
        List<RuleHarness.Out> out = RuleHarness.run(Drl.HEADER + ALL,
                List.of(firing(ofMinutes(0), "Everything", Map.of("instance", "h1"))), ofMinutes(0));

        assertThat(out).extracting(o -> o.request().type(), o -> o.request().targetKind(),
                        o -> o.request().targetName(), o -> o.request().params(), o -> o.request().requiresApproval())
                .containsExactly(
                        tuple(ActionType.RESTART_SERVICE, "service", "cart", Map.of(), false),
                        tuple(ActionType.RESTART_SERVICE, "service", "payments", Map.of(), true),
                        tuple(ActionType.STOP_SERVICE, "service", "runaway", Map.of(), false),
                        tuple(ActionType.START_SERVICE, "service", "cart", Map.of(), false),
                        tuple(ActionType.SCALE, "deployment", "web", Map.of("replicas", "5"), false),
                        tuple(ActionType.ISOLATE_HOST, "host", "web-1", Map.of(), true),
                        tuple(ActionType.ISOLATE_HOST, "host", "web-2", Map.of(), false),
                        tuple(ActionType.CORDON_NODE, "node", "node-1", Map.of(), true),
                        tuple(ActionType.CORDON_NODE, "node", "node-2", Map.of(), false),
                        tuple(ActionType.DRAIN_NODE, "node", "node-3", Map.of(), true),
                        tuple(ActionType.DRAIN_NODE, "node", "node-4", Map.of(), false),
                        tuple(ActionType.ROTATE_PATCH, "group", "linux-fleet", Map.of("patch", "KB-2026-11"), false),
                        tuple(ActionType.RUN_PLAYBOOK, "playbook", "clean-disk",
                                Map.of("path", "/var/log", "keep", "3"), false),
                        tuple(ActionType.RUN_SCRIPT, "host", "web-1", Map.of("script", "rotate-logs", "keep", "7"),
                                false),
                        tuple(ActionType.RUN_SCRIPT, "host", "web-2", Map.of("script", "uptime"), false),
                        tuple(ActionType.NOTIFY, "channel", "#ops", Map.of("message", "disk cleaned"), false),
                        tuple(ActionType.ESCALATE, "host", "h1", Map.of("reason", "still failing"), false));
    }

    @Test
    void blankOrMissingParametersFailTheRuleWithWhatIsMissing() {
        Map<String, String> calls = Map.ofEntries(Map.entry(
                "remediate.stopService($a, $a.label(\"service\"));", "stop_service needs a service name, got 'null'"),
                Map.entry("remediate.startService($a, \"\");", "start_service needs a service name, got ''"),
                Map.entry("remediate.cordonNode($a, $a.label(\"node\"));", "cordon_node needs a node name, got 'null'"),
                Map.entry("remediate.drainNode($a, \" \", false);", "drain_node needs a node name, got ' '"),
                Map.entry("remediate.runScript($a, \"web-1\", \"\", null);", "run_script needs a script, got ''"),
                Map.entry("remediate.runScript($a, \"\", \"uptime\", null);", "run_script needs a host name, got ''"),
                Map.entry("remediate.runScript($a, \"web-1\", \"rotate\", java.util.Map.of(\"script\", \"x\"));",
                        "run_script of 'rotate' got an argument named 'script'"),
                Map.entry("remediate.runScript($a, \"web-1\", \"rotate\", java.util.Collections.singletonMap(\"keep\", null));",
                        "run_script of 'rotate' got the argument 'keep' = null"));
        calls = new java.util.HashMap<>(calls);
        calls.putAll(Map.of(
                "remediate.scale($a, \"deployment\", $a.label(\"deployment\"), 2);",
                "scale needs a deployment name, got 'null' (alert Broken on host:h1)",
                "remediate.scale($a, \"deployment\", \"web\", -1);", "scale needs replicas >= 0, got -1",
                "remediate.scale($a, \" \", \"web\", 1);", "scale needs a kind, got ' '",
                "remediate.isolateHost($a, $a.label(\"host\"));", "isolate_host needs a host name, got 'null'",
                "remediate.rotatePatch($a, \"fleet\", \"\");", "rotate_patch needs a patch, got ''",
                "remediate.runPlaybook($a, \"clean\", java.util.Collections.singletonMap(\"path\", null));",
                "run_playbook of 'clean' got the variable 'path' = null",
                "remediate.notify($a, \"#ops\", $a.label(\"summary\"));", "notify needs a message, got 'null'",
                "remediate.escalate($a, \" \");", "escalate needs a reason, got ' '"));
        calls.forEach((call, message) -> {
            String rule = """
                    rule "broken"
                    when $a : AlertEvent(name == "Broken")
                    then
                        %s
                    end
                    """.formatted(call);
            try (RuleHarness harness = RuleHarness.of(Drl.HEADER + rule)) {
                harness.insert(firing(ofMinutes(0), "Broken", Map.of("instance", "h1")));

                assertThat(harness.actions()).as(call).isEmpty();
                assertThat(harness.failures()).as(call).singleElement().satisfies(f -> {
                    assertThat(f.rule()).isEqualTo("broken");
                    assertThat(f.error()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
                });
            }
        });
    }
}
