package io.reflex.app.config;

import io.reflex.app.auth.ApiToken;
import io.reflex.console.ConsoleConfig;
import io.reflex.drill.api.DrillConfig;
import io.reflex.ingest.IngestConfig;
import io.reflex.remediator.RemediatorConfig;
import io.reflex.rules.RulesConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Everything one Reflex process needs to start, built by {@link ConfigLoader} from defaults,
 * the YAML file, {@code REFLEX_*} environment variables and command-line flags (later wins).
 *
 * @param kafka          Kafka client properties, passed straight to every client; without
 *                       {@code bootstrap.servers} Reflex starts its embedded broker
 * @param brokerPort     the embedded broker's client port (0: any free port)
 * @param controllerPort the embedded broker's KRaft controller port (0: any free port)
 * @param connectors     settings per connector name, as the connector plug-ins read them
 * @param drill          the drill role's settings; {@link #drillDir()} is where its files and reports are
 * @param apiTokens      the tokens of {@code auth.tokens}, secrets resolved; empty: Reflex makes
 *                       an admin token under the data dir
 */
public record ReflexConfig(
        String httpHost,
        int httpPort,
        Path dataDir,
        Map<String, Object> kafka,
        int brokerPort,
        int controllerPort,
        Set<Role> roles,
        boolean demo,
        IngestConfig ingest,
        RulesConfig rules,
        RemediatorConfig remediator,
        ConsoleConfig console,
        DrillConfig drill,
        Map<String, Map<String, Object>> connectors,
        List<ApiToken> apiTokens) {

    public ReflexConfig {
        apiTokens = List.copyOf(apiTokens);
        kafka = Map.copyOf(kafka);
        roles = Set.copyOf(roles);
        connectors = Map.copyOf(connectors);
    }

    /** No {@code bootstrap.servers}: Reflex runs its own single-node broker under the data dir. */
    public boolean embeddedKafka() {
        return !kafka.containsKey("bootstrap.servers");
    }

    public boolean runs(Role role) {
        return roles.contains(role);
    }

    /** Where drill files are read from and run reports kept ({@code drill.dir}, default {@code <dataDir>/drills}). */
    public java.nio.file.Path drillDir() {
        return drill.dir(dataDir);
    }

    /** The Kafka properties with secrets masked, for logs. */
    public Map<String, Object> kafkaForLog() {
        Map<String, Object> masked = new TreeMap<>();
        kafka.forEach((key, value) -> masked.put(key, isSecret(key) ? "****" : value));
        return masked;
    }

    static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("password") || k.contains("secret") || k.contains("token") || k.contains("jaas")
                || k.endsWith(".key");
    }

    @Override
    public String toString() {
        return "ReflexConfig[http=" + httpHost + ":" + httpPort + ", dataDir=" + dataDir + ", kafka=" + kafkaForLog()
                + ", roles=" + roles + ", demo=" + demo + ", apiTokens=" + apiTokens + "]";
    }
}
