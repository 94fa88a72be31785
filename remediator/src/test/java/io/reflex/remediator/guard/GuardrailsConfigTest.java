package io.reflex.remediator.guard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.reflex.model.Json;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GuardrailsConfigTest {
    /** Like the app's config loader: unknown keys are errors there. */
    private static final ObjectMapper STRICT = JsonMapper.builder().addModule(new JavaTimeModule())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    /** The section as YAML reads it (maps, lists, strings, numbers), documented in docs. */
    private static Map<String, Object> sample() {
        return Map.of(
                "paused", false,
                "dryRun", Map.of("all", false, "rules", List.of("experimental-rule"), "types", List.of("drain_node")),
                "rateLimits", List.of(
                        Map.of("name", "restarts-per-service", "per", "target", "types", List.of("restart_service"),
                                "max", 3, "window", "1h"),
                        Map.of("name", "per-rule", "per", "rule", "max", 20, "window", "10m")),
                "blastRadius", List.of(Map.of("name", "hosts-per-zone", "label", "zone", "maxPercent", 20,
                        "groups", Map.of("eu-1", List.of("host:web-1", "host:web-2", "web-3")))),
                "flapping", Map.of("max", 5, "window", "30m"),
                "maintenanceWindows", List.of(
                        Map.of("name", "weekly-patching", "days", List.of("SAT", "SUN"), "start", "23:00",
                                "duration", "2h", "timeZone", "Europe/Paris",
                                "matchers", List.of(Map.of("name", "zone", "op", "=~", "value", "eu-.*")))),
                "silences", List.of(Map.of("matchers", List.of(Map.of("name", "target", "value", "host:db-1")),
                        "until", "2026-12-01T06:00:00Z", "createdBy", "ops", "comment", "disk swap")));
    }

    @Test
    void bindsTheYamlSectionWithDefaultsForWhatIsLeftOut() {
        for (ObjectMapper mapper : List.of(Json.MAPPER, STRICT)) {
            GuardrailsConfig config = mapper.convertValue(sample(), GuardrailsConfig.class);

            assertThat(config.validate("remediator.guardrails")).isEmpty();
            assertThat(config.dryRun().types()).containsExactly("drain_node");
            assertThat(config.rateLimits()).extracting(RateLimits.Limit::name, RateLimits.Limit::per, RateLimits.Limit::max)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("restarts-per-service", "target", 3),
                            org.assertj.core.groups.Tuple.tuple("per-rule", "rule", 20));
            BlastRadius.Limit zone = config.blastRadius().get(0);
            assertThat(zone.types()).containsExactlyInAnyOrder("restart_service", "stop_service", "isolate_host",
                    "cordon_node", "drain_node");
            assertThat(zone.recheck()).isEqualTo("5s");
            assertThat(zone.allowed(zone.groups().get("eu-1").size())).isEqualTo(1);
            assertThat(config.maintenanceWindows().get(0).matchers()).containsExactly(new LabelMatcher("zone", "=~", "eu-.*"));
            assertThat(config.silences().get(0).matchers()).containsExactly(new LabelMatcher("target", "=", "host:db-1"));
            assertThat(config.silences().get(0).until()).isEqualTo(Instant.parse("2026-12-01T06:00:00Z"));
        }
    }

    @Test
    void emptySectionMeansNoLimitsAndRoundTripsAsTheAppWritesDefaults() {
        GuardrailsConfig empty = STRICT.convertValue(JsonNodeFactory.instance.objectNode(), GuardrailsConfig.class);

        assertThat(empty).isEqualTo(GuardrailsConfig.defaults());
        assertThat(empty.paused()).isFalse();
        assertThat(empty.dryRun().all()).isFalse();
        assertThat(empty.rateLimits()).isEmpty();
        assertThat(empty.flapping().enabled()).isFalse();
        // The app's loader writes each section's defaults to a tree and binds the tree again.
        assertThat(STRICT.convertValue(STRICT.valueToTree(empty), GuardrailsConfig.class)).isEqualTo(empty);
        GuardrailsConfig full = STRICT.convertValue(sample(), GuardrailsConfig.class);
        assertThat(STRICT.convertValue(STRICT.valueToTree(full), GuardrailsConfig.class)).isEqualTo(full);
    }

    @Test
    void reportsEveryProblemAtOnceWithItsPath() {
        Map<String, Object> bad = Map.of(
                "dryRun", Map.of("types", List.of("reboot")),
                "rateLimits", List.of(
                        Map.of("name", "ok", "max", 3, "window", "1h"),
                        Map.of("per", "zone", "max", 0, "window", "an hour", "types", List.of("restart"))),
                "blastRadius", List.of(Map.of("name", "z", "label", "zone", "maxPercent", 120)),
                "flapping", Map.of("max", 0, "window", "-5m"),
                "maintenanceWindows", List.of(Map.of("name", "w", "start", "25:00", "duration", "2h",
                        "days", List.of("Caturday"), "timeZone", "Mars/Olympus",
                        "matchers", List.of(Map.of("name", "zone", "op", "~=", "value", "x")))),
                "silences", List.of(Map.of("matchers", List.of(), "createdBy", "x")));

        List<String> problems = Json.MAPPER.convertValue(bad, GuardrailsConfig.class).validate("remediator.guardrails");

        String p = "remediator.guardrails.";
        assertThat(problems).containsExactly(
                p + "dryRun.types[0]: unknown action type 'reboot'; expected one of restart_service, stop_service,"
                        + " start_service, scale, isolate_host, cordon_node, drain_node, uncordon_node, rotate_patch, run_playbook,"
                        + " run_script, notify, escalate",
                p + "rateLimits[1].name is required (it names the limit on the timeline), e.g. restarts-per-service",
                p + "rateLimits[1].max must be at least 1, got 0 (use dryRun to stop an action type)",
                p + "rateLimits[1].per: 'zone' is not known; use target (per target key) or rule (per rule name)",
                p + "rateLimits[1].window: 'an hour' is not a duration; write e.g. 500ms, 2s, 5m, 1h, PT30S",
                p + "rateLimits[1].types[0]: unknown action type 'restart'; expected one of restart_service,"
                        + " stop_service, start_service, scale, isolate_host, cordon_node, drain_node, uncordon_node, rotate_patch,"
                        + " run_playbook, run_script, notify, escalate",
                p + "blastRadius[0].maxPercent must be between 1 and 100, got 120",
                p + "blastRadius[0].groups must list each group's members when maxPercent is set: a percentage needs"
                        + " the group's size",
                p + "flapping.max must be at least 1, got 0 (leave it out to turn flapping off)",
                p + "flapping.window: '-5m' is not a duration; write e.g. 500ms, 2s, 5m, 1h, PT30S",
                p + "maintenanceWindows[0].matchers[0].op: '~=' is not an operator; use one of =, !=, =~, !~",
                p + "maintenanceWindows[0].start: '25:00' is not a time of day; write HH:MM such as 02:30",
                p + "maintenanceWindows[0].days[0]: 'Caturday' is not a day; use MON, TUE, WED, THU, FRI, SAT or SUN",
                p + "maintenanceWindows[0].timeZone: 'Mars/Olympus' is not a time zone; use an IANA name such as"
                        + " Europe/Paris or UTC",
                p + "silences[0].matchers must list at least one label matcher (name, op, value), or it would hold"
                        + " every action",
                p + "silences[0].until is required (an ISO-8601 instant such as 2026-12-01T06:00:00Z)");
    }
}
