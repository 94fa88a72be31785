package io.reflex.rules;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.reflex.model.ActionType;
import io.reflex.model.Durations;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

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
 * @param connectors        action type (wire name, e.g. {@code scale}) -> the connector its actions
 *                          go through; a type not named here goes through {@code defaultConnector}.
 *                          Default {@code {notify: http, escalate: http}}, so a notification or an
 *                          escalation pages people rather than touching a process
 * @param verifyWithin      how long an incident has to recover (its alert to resolve) after one of
 *                          its actions succeeded, before it is escalated to a person (default
 *                          {@code 5m}); {@code 0} or {@code off} turns verification off
 */
public record RulesConfig(
        String applicationId,
        Path rulesFile,
        String defaultConnector,
        Duration actionTimeout,
        Duration dedupeRetention,
        Integer replicationFactor,
        Map<String, String> connectors,
        @JsonDeserialize(using = RulesConfig.SwitchableDuration.class) Duration verifyWithin) {

    public static final String DEFAULT_APPLICATION_ID = "reflex-rules";
    public static final String DEFAULT_CONNECTOR = "process";
    public static final Duration DEFAULT_ACTION_TIMEOUT = Duration.ofMinutes(2);
    public static final Duration DEFAULT_DEDUPE_RETENTION = Duration.ofHours(24);
    public static final int BROKER_DEFAULT_REPLICATION = -1;
    public static final Map<String, String> DEFAULT_CONNECTORS = Map.of(
            ActionType.NOTIFY.wireName(), "http",
            ActionType.ESCALATE.wireName(), "http");
    public static final Duration DEFAULT_VERIFY_WITHIN = Duration.ofMinutes(5);

    public RulesConfig {
        applicationId = applicationId == null ? DEFAULT_APPLICATION_ID : applicationId;
        defaultConnector = defaultConnector == null ? DEFAULT_CONNECTOR : defaultConnector;
        actionTimeout = actionTimeout == null ? DEFAULT_ACTION_TIMEOUT : actionTimeout;
        dedupeRetention = dedupeRetention == null ? DEFAULT_DEDUPE_RETENTION : dedupeRetention;
        replicationFactor = replicationFactor == null ? BROKER_DEFAULT_REPLICATION : replicationFactor;
        // Not Map.copyOf: a key without a connector (null) must reach validate() to be reported there.
        connectors = connectors == null ? DEFAULT_CONNECTORS : Collections.unmodifiableMap(new LinkedHashMap<>(connectors));
        verifyWithin = verifyWithin == null ? DEFAULT_VERIFY_WITHIN : verifyWithin;
    }

    /** Without the settings that came later: the routing and verification take their defaults. */
    public RulesConfig(String applicationId, Path rulesFile, String defaultConnector, Duration actionTimeout,
            Duration dedupeRetention, Integer replicationFactor) {
        this(applicationId, rulesFile, defaultConnector, actionTimeout, dedupeRetention, replicationFactor, null,
                null);
    }

    /** Every default. */
    public static RulesConfig defaults() {
        return new RulesConfig(null, null, null, null, null, null, null, null);
    }

    public RulesConfig withRulesFile(Path file) {
        return new RulesConfig(applicationId, file, defaultConnector, actionTimeout, dedupeRetention,
                replicationFactor, connectors, verifyWithin);
    }

    public RulesConfig withConnectors(Map<String, String> routes) {
        return new RulesConfig(applicationId, rulesFile, defaultConnector, actionTimeout, dedupeRetention,
                replicationFactor, routes, verifyWithin);
    }

    public RulesConfig withVerifyWithin(Duration within) {
        return new RulesConfig(applicationId, rulesFile, defaultConnector, actionTimeout, dedupeRetention,
                replicationFactor, connectors, within);
    }

    /** The connector actions of this type go through. */
    public String connectorFor(ActionType type) {
        String connector = connectors.get(type.wireName());
        return connector == null || connector.isBlank() ? defaultConnector : connector;
    }

    /** Whether a successful action's incident must recover within {@link #verifyWithin()}. */
    public boolean verifies() {
        return !verifyWithin.isNegative() && !verifyWithin.isZero();
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
        if (verifyWithin.isNegative()) {
            problems.add("verifyWithin: must be a duration such as 5m, or 0 or off to turn verification off; got "
                    + verifyWithin);
        }
        connectors.forEach((type, connector) -> {
            if (Arrays.stream(ActionType.values()).noneMatch(known -> known.wireName().equals(type))) {
                problems.add("connectors." + type + ": not an action type; expected one of "
                        + Arrays.stream(ActionType.values()).map(ActionType::wireName)
                        .collect(Collectors.joining(", ")));
            }
            if (connector == null || connector.isBlank()) {
                problems.add("connectors." + type + ": must name a connector, e.g. http; leave the type out to use"
                        + " defaultConnector (" + defaultConnector + ")");
            }
        });
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

    /**
     * A duration as {@link Durations} reads it, or {@code off} (also YAML's boolean false) for
     * zero, which turns the setting off.
     */
    static final class SwitchableDuration extends JsonDeserializer<Duration> {
        private final Durations.Deserializer durations = new Durations.Deserializer();

        @Override
        public Duration deserialize(JsonParser parser, DeserializationContext ctx) throws IOException {
            if (parser.currentToken() == JsonToken.VALUE_FALSE) {
                return Duration.ZERO;
            }
            if (parser.currentToken() == JsonToken.VALUE_STRING
                    && parser.getText().trim().toLowerCase(Locale.ROOT).equals("off")) {
                return Duration.ZERO;
            }
            return durations.deserialize(parser, ctx);
        }

        @Override
        public Class<?> handledType() {
            return Duration.class;
        }
    }
}
