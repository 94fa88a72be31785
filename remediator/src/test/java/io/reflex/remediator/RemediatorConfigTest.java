package io.reflex.remediator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.reflex.model.ActionType;
import io.reflex.model.Durations;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code remediator} section as the application binds it: Jackson convertValue, people's durations. */
class RemediatorConfigTest {
    /** Bound like the application's config loader: durations as people write them, unknown keys rejected. */
    private final ObjectMapper mapper = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .addModule(new SimpleModule().addDeserializer(Duration.class, new Durations.Deserializer()))
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    @Test
    void anEmptySectionGivesValidDefaultsThatSurviveARoundTrip() {
        RemediatorConfig defaults = mapper.convertValue(JsonNodeFactory.instance.objectNode(), RemediatorConfig.class);
        assertThat(defaults.validate()).isEmpty();
        assertThat(defaults.maxConcurrent()).isEqualTo(8);
        assertThat(defaults.retries()).isEqualTo(new RemediatorConfig.Retries(3, Duration.ofSeconds(1),
                Duration.ofSeconds(30)));
        assertThat(defaults.timeoutFor(ActionType.RESTART_SERVICE)).isEmpty();
        // The loader writes the defaults into the tree and reads them back with the user's values merged in.
        assertThat(mapper.convertValue(mapper.valueToTree(defaults), RemediatorConfig.class)).isEqualTo(defaults);
    }

    @Test
    void readsTimeoutsRetriesAndTheBreakerAsPeopleWriteThem() {
        RemediatorConfig config = mapper.convertValue(Map.of(
                "maxConcurrent", 4,
                "timeouts", Map.of("restart_service", "2m", "run_playbook", "PT15M"),
                "retries", Map.of("maxAttempts", 5, "initialBackoff", "500ms", "maxBackoff", "10s"),
                "circuitBreaker", Map.of("failures", 3, "coolDown", "2m")), RemediatorConfig.class);
        assertThat(config.validate()).isEmpty();
        assertThat(config.timeoutFor(ActionType.RESTART_SERVICE)).contains(Duration.ofMinutes(2));
        assertThat(config.timeoutFor(ActionType.RUN_PLAYBOOK)).contains(Duration.ofMinutes(15));
        assertThat(config.retries().initialBackoff()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.circuitBreaker()).isEqualTo(new RemediatorConfig.CircuitBreaker(3, Duration.ofMinutes(2)));
    }

    @Test
    void listsEveryProblemWithItsKeyPath() {
        RemediatorConfig config = mapper.convertValue(Map.of(
                "maxConcurrent", 0,
                "timeouts", Map.of("restart_servce", "2m", "scale", "0s"),
                "retries", Map.of("maxAttempts", 0, "initialBackoff", "1m", "maxBackoff", "1s"),
                "circuitBreaker", Map.of("failures", 0)), RemediatorConfig.class);
        assertThat(config.validate()).containsExactlyInAnyOrder(
                "remediator.maxConcurrent must be at least 1, got 0",
                "remediator.timeouts.restart_servce: unknown action type; known: restart_service, stop_service,"
                        + " start_service, scale, isolate_host, cordon_node, drain_node, uncordon_node, rotate_patch, run_playbook,"
                        + " run_script, notify, escalate",
                "remediator.timeouts.scale must be a positive duration, got PT0S",
                "remediator.retries.maxAttempts must be at least 1, got 0",
                "remediator.retries.maxBackoff (PT1S) must not be shorter than remediator.retries.initialBackoff (PT1M)",
                "remediator.circuitBreaker.failures must be at least 1, got 0");
    }

    @Test
    void guardrailsRolloutsAndApprovalsAreReadAndValidatedWithTheirPaths() {
        RemediatorConfig config = mapper.convertValue(Map.of(
                "approvals", Map.of("expireAfter", "0s"),
                "guardrails", Map.of("rateLimits", java.util.List.of(Map.of("max", 0)),
                        "flapping", Map.of("max", 3, "window", "1h")),
                "rollouts", Map.of("groups", Map.of("web", Map.of("members", java.util.List.of())))),
                RemediatorConfig.class);
        assertThat(config.guardrails().flapping().max()).isEqualTo(3);
        assertThat(config.validate())
                .contains("remediator.approvals.expireAfter must be a positive duration, got PT0S")
                .anyMatch(p -> p.startsWith("remediator.guardrails.rateLimits[0].name is required"))
                .anyMatch(p -> p.startsWith("remediator.guardrails.rateLimits[0].max must be at least 1"))
                .anyMatch(p -> p.startsWith("remediator.rollouts.groups.web"));
        RemediatorConfig defaults = RemediatorConfig.defaults();
        assertThat(defaults.approvals().expireAfter()).isEqualTo(Duration.ofHours(1));
        assertThat(defaults.guardrails().rateLimits()).isEmpty();
        assertThat(defaults.rollouts().groups()).isEmpty();
    }
}
