package io.reflex.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * The rulesets the rules benchmark measures, generated as DRL text so they need nothing but the
 * model and the {@code remediate} global (no shared rule vocabulary).
 *
 * @param key          the name given to {@code --rulesets}
 * @param description  what it is, for the report
 * @param ruleCount    how many rules the package holds
 * @param matchingNames the alert names some rule reacts to; the load cycles through them for its matching alerts
 * @param drl          the package text
 */
record RulesDrl(String key, String description, int ruleCount, List<String> matchingNames, String drl) {

    /** Every ruleset, in the order they run by default. */
    static final List<String> KEYS = List.of("10", "100", "10-throttle", "10-join", "1000");

    private static final String HEADER = """
            package io.reflex.bench.rules;

            import io.reflex.model.AlertEvent;
            import io.reflex.model.AlertStatus;

            global io.reflex.rules.Remediate remediate;

            """;

    /*
     * The throttle outlives the alerts (30 min) on purpose: with @expires(10s) it would leave while
     * the alerts it held back are still in the session, the `not` would turn true again for them,
     * and an old alert would act again every 10 s. The window lives in the temporal constraint.
     */
    private static final String THROTTLE = """
            declare Throttle
                @role(event)
                @expires(31m)
                alertname : String
                instance : String
            end

            """;

    static RulesDrl of(String key) {
        return switch (key) {
            case "10" -> plain(key, 10);
            case "100" -> plain(key, 100);
            case "1000" -> plain(key, 1000);
            case "10-throttle" -> throttled();
            case "10-join" -> joined();
            default -> throw new IllegalArgumentException("unknown ruleset '" + key + "'; choose among "
                    + String.join(",", KEYS));
        };
    }

    static String alertName(int rule) {
        return "Alert" + rule;
    }

    private static RulesDrl plain(String key, int rules) {
        StringBuilder drl = new StringBuilder(HEADER);
        for (int k = 0; k < rules; k++) {
            drl.append(simpleRule(k));
        }
        return new RulesDrl(key, rules + " rules: alertname is X and firing -> restart", rules, names(rules),
                drl.toString());
    }

    private static RulesDrl throttled() {
        StringBuilder drl = new StringBuilder(HEADER).append(THROTTLE);
        for (int k = 0; k < 10; k++) {
            String name = alertName(k);
            drl.append("rule \"restart on ").append(name).append(", once within 10s per alertname and instance\"\n")
                    .append("when\n")
                    .append("    $a : AlertEvent(name == \"").append(name)
                    .append("\", status == AlertStatus.FIRING, $i : label(\"instance\"))\n")
                    .append("    not Throttle(alertname == \"").append(name)
                    .append("\", instance == $i, this before[0s, 10s] $a)\n")
                    .append("then\n")
                    .append("    insert(new Throttle(\"").append(name).append("\", $i));\n")
                    .append("    remediate.restartService($a, \"svc-").append(k).append("\");\n")
                    .append("end\n\n");
        }
        return new RulesDrl("10-throttle", "the 10 rules, each once within 10 s per alertname and instance", 10,
                names(10), drl.toString());
    }

    /** The resource is the instance: joining on it (not on a label call) lets Drools index the join. */
    private static RulesDrl joined() {
        StringBuilder drl = new StringBuilder(HEADER);
        for (int k = 0; k < 10; k++) {
            drl.append(simpleRule(k));
        }
        drl.append("""
                rule "restart kubelet: PodCrashLooping within 1m after NodeNotReady on the same instance"
                when
                    $n : AlertEvent(name == "NodeNotReady", status == AlertStatus.FIRING)
                    $p : AlertEvent(name == "PodCrashLooping", status == AlertStatus.FIRING,
                                    resource == $n.resource, this after[0s, 1m] $n)
                then
                    remediate.restartService($p, "kubelet");
                end
                """);
        List<String> matching = new ArrayList<>(names(10));
        matching.add("NodeNotReady");
        matching.add("PodCrashLooping");
        return new RulesDrl("10-join", "the 10 rules + NodeNotReady then PodCrashLooping on one instance within 1 m",
                11, List.copyOf(matching), drl.toString());
    }

    private static String simpleRule(int k) {
        String name = alertName(k);
        return "rule \"restart on " + name + "\"\n"
                + "when\n"
                + "    $a : AlertEvent(name == \"" + name + "\", status == AlertStatus.FIRING)\n"
                + "then\n"
                + "    remediate.restartService($a, \"svc-" + k + "\");\n"
                + "end\n\n";
    }

    private static List<String> names(int rules) {
        List<String> names = new ArrayList<>(rules);
        for (int k = 0; k < rules; k++) {
            names.add(alertName(k));
        }
        return List.copyOf(names);
    }
}
