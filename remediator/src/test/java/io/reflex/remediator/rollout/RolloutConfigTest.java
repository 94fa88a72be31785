package io.reflex.remediator.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.reflex.model.ActionType;
import io.reflex.model.Json;
import io.reflex.remediator.rollout.RolloutConfig.Gate;
import io.reflex.remediator.rollout.RolloutConfig.Group;
import io.reflex.remediator.rollout.RolloutConfig.Member;
import io.reflex.remediator.rollout.RolloutConfig.Step;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RolloutConfigTest {

    private static final String PATH = "remediator.rollouts";

    @Test
    void bindsTheDocumentedShapeAndFillsDefaults() throws Exception {
        // The shape YAML parses to; the loader binds YAML and JSON the same way.
        final String json = """
                {"groups": {
                  "web": {
                    "members": [{"name": "web-1", "vars": {"port": "8081"}}, {"name": "web-2", "vars": {"port": "8082"}},
                                {"name": "web-3", "vars": {"port": "8083"}}],
                    "batchSize": 2,
                    "step": {"connector": "process", "type": "restart_service", "kind": "service",
                             "params": {"patch": "{patch}"}},
                    "gate": {"http": "http://127.0.0.1:{port}/ready"},
                    "gateInterval": "500ms",
                    "pauseBetweenBatches": 5
                  },
                  "db": {
                    "members": [{"name": "db-1"}],
                    "step": {"connector": "ssh", "type": "run_script", "kind": "host", "params": {"script": "patch-{patch}"}},
                    "gate": {"command": ["/usr/local/bin/check-db", "{member}"]}
                  }
                }}""";

        final RolloutConfig config = Json.MAPPER.readValue(json, RolloutConfig.class);

        assertThat(config.validate(PATH)).isEmpty();
        final Group web = config.group("web").orElseThrow();
        assertThat(web.batchSize()).isEqualTo(2);
        assertThat(web.gateTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(web.gateInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(web.pauseBetweenBatches()).isEqualTo(Duration.ofSeconds(5));
        assertThat(web.step().target()).isEqualTo("{member}");
        assertThat(web.step().actionType()).isEqualTo(ActionType.RESTART_SERVICE);
        assertThat(web.batches()).extracting(b -> b.stream().map(Member::name).toList())
                .containsExactly(List.of("web-1", "web-2"), List.of("web-3"));
        final Group db = config.group("db").orElseThrow();
        assertThat(db.batchSize()).isEqualTo(1);
        assertThat(db.gateInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(db.pauseBetweenBatches()).isZero();
        assertThat(db.gate().resolve(db.members().get(0).values("p1")))
                .isEqualTo(new HealthGate.Command(List.of("/usr/local/bin/check-db", "db-1")));
    }

    @Test
    void validateListsEveryProblemAtOnceEachWithItsPath() {
        final Map<String, Group> groups = new LinkedHashMap<>();
        groups.put("web", new Group(
                Arrays.asList(new Member("web-1", Map.of("port", "80;81")), new Member("web-1"), null, new Member("../x")),
                0,
                new Step(" ", "reboot_everything", "my service", "", Map.of("patch", "{patch}")),
                new Gate("http://{member}:{port}/health", "{member}:22", null),
                Duration.ZERO, Duration.ofSeconds(-1), Duration.ofSeconds(-5)));
        groups.put("db;x", null);
        groups.put("empty", new Group(null, null, null, null, null, null, null));

        final List<String> problems = new RolloutConfig(groups).validate(PATH);

        final String g = PATH + ".groups.web";
        final String safe = " is not allowed: it must start with a letter or digit, have at most 128 characters and use"
                + " only letters, digits, '.', '_' and '-'";
        assertThat(problems).containsExactlyInAnyOrder(
                g + ".members[0].vars.port: value '80;81'" + safe,
                g + ".members[1].name: 'web-1' is listed twice; a member is patched once",
                g + ".members[2] is empty; give it a name",
                g + ".members[3].name: member name '../x'" + safe,
                g + ".batchSize: must be at least 1, got 0",
                g + ".gateTimeout: must be a positive duration such as 500ms, 2s or 1m, got PT0S",
                g + ".gateInterval: must be a positive duration such as 500ms, 2s or 1m, got PT-1S",
                g + ".pauseBetweenBatches: must not be negative, got PT-5S",
                g + ".step.connector: missing; name a configured connector (process, ssh, ansible, ...)",
                g + ".step.type: unknown action type 'reboot_everything'; known: " + knownTypes(),
                g + ".step.kind: target kind 'my service'" + safe + "; e.g. service or host",
                g + ".step.target: must not be empty; default {member}",
                g + ".gate: give exactly one of http, tcp or command, not 2",
                g + ".members[1].vars: has no 'port', which the templates use as {port}",
                g + ".members[3].vars: has no 'port', which the templates use as {port}",
                PATH + ".groups.db;x: group name 'db;x'" + safe,
                PATH + ".groups.db;x is empty; give it members, step and gate",
                PATH + ".groups.empty.members: must list at least one member, e.g. [{name: web-1}]",
                PATH + ".groups.empty.step: missing; e.g. {connector: process, type: restart_service, kind: service}",
                PATH + ".groups.empty.gate: missing; give one of http, tcp or command, e.g. {http: \"http://{member}:8080/health\"}");
    }

    @Test
    void templatesMayOnlyUseMemberPatchAndVarsEveryMemberHas() {
        final Group group = new Group(List.of(new Member("web-1", Map.of("port", "8081")), new Member("web-2")), 1,
                new Step("process", "restart_service", "service", "{member}-{color}", Map.of("version", "{patch}-{build}")),
                Gate.http("http://{member}:{port}/ready"), null, null, null);

        final List<String> problems = new RolloutConfig(Map.of("web", group)).validate(PATH);

        final String g = PATH + ".groups.web";
        assertThat(problems).containsExactlyInAnyOrder(
                g + ".step.target: unknown placeholder {color}; known: {member}, {patch} and the members' vars {port}",
                g + ".step.params.version: unknown placeholder {build}; known: {member}, {patch} and the members' vars {port}",
                g + ".members[1].vars: has no 'port', which the templates use as {port}");
    }

    @Test
    void theFilledInGateMustBeAUsableUrlOrAddress() {
        final Step step = new Step("process", "restart_service", "service", null, null);
        final List<Member> members = List.of(new Member("web-1", Map.of("port", "8081")), new Member("web-2", Map.of("port", "http")));
        final Map<String, Group> groups = new LinkedHashMap<>();
        groups.put("ftp", new Group(members, null, step, Gate.http("ftp://{member}/ready"), null, null, null));
        groups.put("tcp", new Group(members, null, step, Gate.tcp("{member}:{port}"), null, null, null));
        groups.put("reserved", new Group(List.of(new Member("web-1", Map.of("patch", "p0"))), null, step,
                Gate.command(List.of()), null, null, null));

        final List<String> problems = new RolloutConfig(groups).validate(PATH);

        assertThat(problems).containsExactlyInAnyOrder(
                PATH + ".groups.ftp.gate: for members[0] (web-1): 'ftp://web-1/ready' must be an http or https URL",
                PATH + ".groups.ftp.gate: for members[1] (web-2): 'ftp://web-2/ready' must be an http or https URL",
                PATH + ".groups.tcp.gate: for members[1] (web-2): 'web-2:http': the port must be a number",
                PATH + ".groups.reserved.members[0].vars.patch: reserved; {patch} is filled in by the rollout",
                PATH + ".groups.reserved.gate.command: is empty; give at least the program, e.g. [/usr/local/bin/check, \"{member}\"]");
    }

    @Test
    void aStepCannotBeARolloutItself() {
        final Group group = new Group(List.of(new Member("web-1")), 1, new Step("process", "rotate_patch", "group", null, null),
                Gate.tcp("{member}:80"), null, null, null);

        assertThat(new RolloutConfig(Map.of("web", group)).validate(PATH))
                .containsExactly(PATH + ".groups.web.step.type: a rollout step cannot itself be rotate_patch");
    }

    private static String knownTypes() {
        return String.join(", ", Arrays.stream(ActionType.values()).filter(t -> t != ActionType.ROTATE_PATCH)
                .map(ActionType::wireName).toList());
    }
}
