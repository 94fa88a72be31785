package io.reflex.rules;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Configuration of the rules role (the {@code rules:} section of the YAML config). Every field
 * may be left out: a null takes the default.
 *
 * @param applicationId     the Kafka Streams application id, shared by every instance of the role
 *                          (default {@code reflex-rules}); it names the consumer group and the
 *                          changelog topics, so changing it starts from scratch
 * @param rulesFile         a DRL file to run instead of the demo package shipped in the jar
 * @param defaultConnector  the connector actions go through (default {@code process})
 * @param actionTimeout     how long the remediator has for an action: its deadline is its
 *                          creation plus this (ISO-8601, default {@code PT2M})
 * @param dedupeRetention   how long an alert id is remembered to drop redeliveries (default
 *                          {@code PT24H}); longer than any sender resends the same alert
 * @param replicationFactor of the changelog topics; default -1, the broker's
 *                          {@code default.replication.factor}, which a production cluster sets
 *                          to 3 and a single embedded broker to 1. A fixed 1 would lose the
 *                          rule state with one broker.
 */
public record RulesConfig(
        String applicationId,
        Path rulesFile,
        String defaultConnector,
        Duration actionTimeout,
        Duration dedupeRetention,
        Integer replicationFactor) {

    public static final String DEFAULT_APPLICATION_ID = "reflex-rules";
    public static final String DEFAULT_CONNECTOR = "process";
    public static final Duration DEFAULT_ACTION_TIMEOUT = Duration.ofMinutes(2);
    public static final Duration DEFAULT_DEDUPE_RETENTION = Duration.ofHours(24);
    public static final int BROKER_DEFAULT_REPLICATION = -1;

    public RulesConfig {
        applicationId = applicationId == null ? DEFAULT_APPLICATION_ID : applicationId;
        defaultConnector = defaultConnector == null ? DEFAULT_CONNECTOR : defaultConnector;
        actionTimeout = actionTimeout == null ? DEFAULT_ACTION_TIMEOUT : actionTimeout;
        dedupeRetention = dedupeRetention == null ? DEFAULT_DEDUPE_RETENTION : dedupeRetention;
        replicationFactor = replicationFactor == null ? BROKER_DEFAULT_REPLICATION : replicationFactor;
    }

    /** Every default. */
    public static RulesConfig defaults() {
        return new RulesConfig(null, null, null, null, null, null);
    }

    public RulesConfig withRulesFile(Path file) {
        return new RulesConfig(applicationId, file, defaultConnector, actionTimeout, dedupeRetention,
                replicationFactor);
    }

    /**
     * Every problem at once, each naming its field; empty when the configuration can run.
     * Compiles the rules file, if one is set.
     */
    public List<String> validate() {
        List<String> problems = settingsProblems();
        if (rulesFile != null && Files.isRegularFile(rulesFile) && Files.isReadable(rulesFile)) {
            try {
                RuleCompiler.compile(rulesFile.toString(), rulesText());
            } catch (RuleCompilationException e) {
                e.errors().forEach(err -> problems.add("rulesFile: " + rulesFile + " " + err));
            }
        }
        return problems;
    }

    /** The problems {@link #validate()} finds without compiling the rules. */
    List<String> settingsProblems() {
        List<String> problems = new ArrayList<>();
        if (applicationId.isBlank()) {
            problems.add("applicationId: must not be empty (default " + DEFAULT_APPLICATION_ID + ")");
        }
        if (defaultConnector.isBlank()) {
            problems.add("defaultConnector: must not be empty (default " + DEFAULT_CONNECTOR + ")");
        }
        if (actionTimeout.isNegative() || actionTimeout.isZero()) {
            problems.add("actionTimeout: must be positive, e.g. PT2M; got " + actionTimeout);
        }
        if (dedupeRetention.isNegative() || dedupeRetention.isZero()) {
            problems.add("dedupeRetention: must be positive, e.g. PT24H; got " + dedupeRetention);
        }
        if (replicationFactor != BROKER_DEFAULT_REPLICATION && replicationFactor < 1) {
            problems.add("replicationFactor: must be -1 (the broker's default) or at least 1; got "
                    + replicationFactor);
        }
        if (rulesFile != null && (!Files.isRegularFile(rulesFile) || !Files.isReadable(rulesFile))) {
            problems.add("rulesFile: " + rulesFile.toAbsolutePath()
                    + " is not a readable file; fix the path or leave it out to run the demo rules");
        }
        return problems;
    }

    /** Where the rules come from, for messages. */
    public String rulesOrigin() {
        return rulesFile == null ? "the demo package (" + RuleCompiler.DEMO_PACKAGE + ")" : rulesFile.toString();
    }

    /** The DRL to run: the configured file, or the demo package. */
    public String rulesText() {
        if (rulesFile == null) {
            return RuleCompiler.demoPackage();
        }
        try {
            return Files.readString(rulesFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read rulesFile " + rulesFile.toAbsolutePath() + ": " + e
                    + "; fix the path or leave it out to run the demo rules", e);
        }
    }
}
