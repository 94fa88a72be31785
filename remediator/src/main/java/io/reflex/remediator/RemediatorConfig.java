package io.reflex.remediator;

import io.reflex.model.ActionType;
import io.reflex.remediator.guard.GuardrailsConfig;
import io.reflex.remediator.rollout.RolloutConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The remediator role's settings (YAML section {@code remediator}). Missing values take the
 * defaults below; {@link #validate()} lists every problem, each with its key path.
 *
 * <pre>
 * remediator:
 *   groupId: reflex-remediator
 *   maxConcurrent: 8            # actions running at once in this process (one per target at most)
 *   maxQueuedPerPartition: 100  # a partition with more unfinished actions is paused
 *   commitInterval: 1s
 *   timeoutGrace: 5s            # how long past its deadline a connector may take before it is interrupted
 *   timeouts: {restart_service: 2m, run_playbook: 15m}   # default: the action's own deadline
 *   retries: {maxAttempts: 3, initialBackoff: 1s, maxBackoff: 30s}
 *   circuitBreaker: {failures: 5, coolDown: 1m}
 *   approvals: {expireAfter: 1h}   # an action waiting for approval longer is SKIPPED
 *   guardrails: {...}           # see GuardrailsConfig
 *   rollouts: {groups: {...}}   # see RolloutConfig
 * </pre>
 *
 * @param groupId        the consumer group: every remediator process of one deployment shares it,
 *                       so each action is handed to one of them
 * @param maxPollRecords how many actions one poll may hand over
 * @param timeouts       per action type (wire name): the longest one attempt may take; the
 *                       effective deadline is the earlier of this and the action's deadline
 */
public record RemediatorConfig(
        String groupId,
        Integer maxPollRecords,
        Integer maxConcurrent,
        Integer maxQueuedPerPartition,
        Duration commitInterval,
        Duration timeoutGrace,
        Map<String, Duration> timeouts,
        Retries retries,
        CircuitBreaker circuitBreaker,
        Approvals approvals,
        GuardrailsConfig guardrails,
        RolloutConfig rollouts) {

    /**
     * Actions that need a person's yes ({@code requiresApproval}) wait at most {@code expireAfter}
     * (default 1h); then they are SKIPPED.
     */
    public record Approvals(Duration expireAfter) {
        public Approvals {
            expireAfter = expireAfter == null ? Duration.ofHours(1) : expireAfter;
        }
    }

    /**
     * Retries of retriable failures, with exponential backoff: {@code initialBackoff},
     * doubled each attempt, at most {@code maxBackoff}.
     *
     * @param maxAttempts attempts in all, the first included (1 = no retry)
     */
    public record Retries(Integer maxAttempts, Duration initialBackoff, Duration maxBackoff) {
        public Retries {
            maxAttempts = maxAttempts == null ? 3 : maxAttempts;
            initialBackoff = initialBackoff == null ? Duration.ofSeconds(1) : initialBackoff;
            maxBackoff = maxBackoff == null ? Duration.ofSeconds(30) : maxBackoff;
        }
    }

    /**
     * A breaker per connector: after {@code failures} failed or timed-out attempts in a row the
     * connector gets no action for {@code coolDown}; then one trial action decides.
     */
    public record CircuitBreaker(Integer failures, Duration coolDown) {
        public CircuitBreaker {
            failures = failures == null ? 5 : failures;
            coolDown = coolDown == null ? Duration.ofMinutes(1) : coolDown;
        }
    }

    public RemediatorConfig {
        groupId = groupId == null ? "reflex-remediator" : groupId;
        maxPollRecords = maxPollRecords == null ? 50 : maxPollRecords;
        maxConcurrent = maxConcurrent == null ? 8 : maxConcurrent;
        maxQueuedPerPartition = maxQueuedPerPartition == null ? 100 : maxQueuedPerPartition;
        commitInterval = commitInterval == null ? Duration.ofSeconds(1) : commitInterval;
        timeoutGrace = timeoutGrace == null ? Duration.ofSeconds(5) : timeoutGrace;
        // YAML may hold "restart_service:" with no value; keep the nulls for validate() to name.
        timeouts = timeouts == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(timeouts));
        retries = retries == null ? new Retries(null, null, null) : retries;
        circuitBreaker = circuitBreaker == null ? new CircuitBreaker(null, null) : circuitBreaker;
        approvals = approvals == null ? new Approvals(null) : approvals;
        guardrails = guardrails == null ? GuardrailsConfig.defaults() : guardrails;
        rollouts = rollouts == null ? RolloutConfig.none() : rollouts;
    }

    public static RemediatorConfig defaults() {
        return new RemediatorConfig(null, null, null, null, null, null, null, null, null, null, null, null);
    }

    /** The configured timeout of one attempt of this type, if any. */
    public Optional<Duration> timeoutFor(ActionType type) {
        return Optional.ofNullable(timeouts.get(type.wireName()));
    }

    public List<String> validate() {
        List<String> problems = new ArrayList<>();
        if (groupId.isBlank()) {
            problems.add("remediator.groupId must not be empty");
        }
        atLeast(problems, "remediator.maxPollRecords", maxPollRecords, 1);
        atLeast(problems, "remediator.maxConcurrent", maxConcurrent, 1);
        atLeast(problems, "remediator.maxQueuedPerPartition", maxQueuedPerPartition, 1);
        positive(problems, "remediator.commitInterval", commitInterval);
        if (timeoutGrace.isNegative()) {
            problems.add("remediator.timeoutGrace must not be negative, got " + timeoutGrace);
        }
        String known = Arrays.stream(ActionType.values()).map(ActionType::wireName).collect(Collectors.joining(", "));
        timeouts.forEach((type, timeout) -> {
            if (Arrays.stream(ActionType.values()).noneMatch(t -> t.wireName().equals(type))) {
                problems.add("remediator.timeouts." + type + ": unknown action type; known: " + known);
            }
            positive(problems, "remediator.timeouts." + type, timeout);
        });
        atLeast(problems, "remediator.retries.maxAttempts", retries.maxAttempts(), 1);
        positive(problems, "remediator.retries.initialBackoff", retries.initialBackoff());
        positive(problems, "remediator.retries.maxBackoff", retries.maxBackoff());
        if (retries.maxBackoff().compareTo(retries.initialBackoff()) < 0) {
            problems.add("remediator.retries.maxBackoff (" + retries.maxBackoff()
                    + ") must not be shorter than remediator.retries.initialBackoff (" + retries.initialBackoff() + ")");
        }
        atLeast(problems, "remediator.circuitBreaker.failures", circuitBreaker.failures(), 1);
        positive(problems, "remediator.circuitBreaker.coolDown", circuitBreaker.coolDown());
        positive(problems, "remediator.approvals.expireAfter", approvals.expireAfter());
        problems.addAll(guardrails.validate("remediator.guardrails"));
        problems.addAll(rollouts.validate("remediator.rollouts"));
        return problems;
    }

    private static void atLeast(List<String> problems, String key, int value, int min) {
        if (value < min) {
            problems.add(key + " must be at least " + min + ", got " + value);
        }
    }

    private static void positive(List<String> problems, String key, Duration value) {
        if (value == null) {
            problems.add(key + " needs a duration such as 500ms, 2s, 5m or PT30S");
        } else if (value.isNegative() || value.isZero()) {
            problems.add(key + " must be a positive duration, got " + value);
        }
    }
}
