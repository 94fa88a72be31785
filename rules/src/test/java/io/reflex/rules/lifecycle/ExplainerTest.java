package io.reflex.rules.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reflex.model.AlertEvent;
import io.reflex.model.AlertStatus;
import io.reflex.model.Json;
import io.reflex.model.Resource;
import io.reflex.rules.RuleCompiler;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The explain heuristic: rule blocks and their lines, rules that fire, nearest rules and the note. */
class ExplainerTest {
    private static final Instant NOW = Instant.parse("2026-11-26T10:00:05Z");
    private static final String DEMO = RuleCompiler.demoPackage();

    private static final String PACKAGE = """
            package io.reflex.rules.test;

            import io.reflex.model.AlertEvent;
            import io.reflex.model.AlertStatus;

            global io.reflex.rules.Remediate remediate;

            // rule "commented out"
            /* rule "also commented out"
            when
            then
            end */
            rule "disk full on a database host"
                salience 10
            when
                $a : AlertEvent(name == "DiskFull",
                                label("role") == "database")
            then
                remediate.runScript($a, $a.label("host"), "cleanup-logs", java.util.Map.of());
            end

            rule noted when AlertEvent(label("team") == "storage") then end

            rule 'any DiskFull'
            when

                $a : AlertEvent(name == "DiskFull")

            then
            end
            """;

    @Test
    void ruleBlocksHaveTheirNameLinesAndConditionsCommentsAreNoRules() {
        List<Explainer.RuleBlock> blocks = Explainer.ruleBlocks(PACKAGE);

        assertThat(blocks).extracting(Explainer.RuleBlock::name, Explainer.RuleBlock::line,
                        Explainer.RuleBlock::endLine, Explainer.RuleBlock::conditionFrom,
                        Explainer.RuleBlock::conditionTo)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("disk full on a database host", 13, 20, 16, 17),
                        org.assertj.core.groups.Tuple.tuple("noted", 22, 22, 22, 22),
                        org.assertj.core.groups.Tuple.tuple("any DiskFull", 24, 30, 27, 27));
        assertThat(blocks.get(0).conditions()).contains("name == \"DiskFull\"", "label(\"role\") == \"database\"")
                .doesNotContain("remediate");
        assertThat(blocks.get(0).temporal()).isFalse();
    }

    @Test
    void theDemoPackageSplitsIntoItsTwoRulesAndTheEscalationIsTemporal() {
        List<Explainer.RuleBlock> blocks = Explainer.ruleBlocks(DEMO);

        assertThat(blocks).extracting(Explainer.RuleBlock::name).containsExactly(
                "restart service on ServiceDown", "escalate ServiceDown still firing 2m after a successful restart");
        assertThat(blocks).extracting(Explainer.RuleBlock::line).containsExactly(18, 27);
        assertThat(blocks).extracting(Explainer.RuleBlock::conditionFrom, Explainer.RuleBlock::conditionTo)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(20, 20),
                        org.assertj.core.groups.Tuple.tuple(29, 36));
        assertThat(blocks).extracting(Explainer.RuleBlock::temporal).containsExactly(false, true);
    }

    @Test
    void aRuleThatMatchesTheAlertAloneIsListedAsFiredWithNoNearest() {
        Explainer.Explanation explanation = Explainer.explain(3, DEMO, RuleCompiler.compile("demo", DEMO),
                alert("ServiceDown", Resource.of("service", "shop"), java.util.Map.of("service", "shop")));

        assertThat(explanation.version()).isEqualTo(3);
        assertThat(explanation.fired()).containsExactly("restart service on ServiceDown");
        assertThat(explanation.nearest()).isEmpty();
        assertThat(explanation.note()).contains("version 3", "alone");
    }

    @Test
    void aRuleThatAsksForNoActionStillCountsAsFired() {
        Explainer.Explanation explanation = Explainer.explain(1, PACKAGE, RuleCompiler.compile("test", PACKAGE),
                alert("Backup", Resource.of("host", "db-1"), java.util.Map.of("team", "storage")));

        assertThat(explanation.fired()).containsExactly("noted");
        assertThat(explanation.nearest()).isEmpty();
    }

    @Test
    void whenNoRuleFiresTheRulesMentioningTheAlertAreNearestWithTheirConditionLinesAndAnHonestNote() {
        // ServiceDown without the service label: the restart rule requires it.
        Explainer.Explanation explanation = Explainer.explain(1, DEMO, RuleCompiler.compile("demo", DEMO),
                alert("ServiceDown", Resource.of("host", "web-1"), java.util.Map.of("instance", "web-1")));

        assertThat(explanation.fired()).isEmpty();
        assertThat(explanation.nearest()).extracting(Explainer.Nearest::rule, Explainer.Nearest::line)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("restart service on ServiceDown", 18),
                        org.assertj.core.groups.Tuple.tuple(
                                "escalate ServiceDown still firing 2m after a successful restart", 27));
        assertThat(explanation.nearest().get(0).reason()).isEqualTo("mentions \"ServiceDown\" but did not fire for"
                + " this alert: its conditions (line 20) did not all match");
        assertThat(explanation.nearest().get(0).when()).contains("label(\"service\") != null");
        assertThat(explanation.nearest().get(1).reason()).contains("(lines 29-36)", "not, after, before or window");
        assertThat(explanation.note()).contains("heuristic", "does not report which condition",
                "\"escalate ServiceDown still firing 2m after a successful restart\" uses absence or a time window",
                "cannot show whether it fires");
    }

    @Test
    void theAlertsNameRanksAboveALabelValueAboveALabelName() {
        // The alert's name in "any DiskFull" and the first rule, the value "database" only in the first.
        Explainer.Explanation explanation = Explainer.explain(1, PACKAGE, RuleCompiler.compile("test", PACKAGE),
                alert("DiskFull", Resource.of("host", "db-1"), java.util.Map.of("role", "database", "host", "db-1")));

        assertThat(explanation.fired()).containsExactly("disk full on a database host", "any DiskFull");
        assertThat(explanation.nearest()).as("a rule fired: nothing is nearest").isEmpty();

        List<Explainer.Nearest> nearest = Explainer.nearest(Explainer.ruleBlocks(PACKAGE),
                alert("DiskFull", Resource.of("host", "db-1"), java.util.Map.of("role", "database", "host", "db-1")));
        assertThat(nearest).extracting(Explainer.Nearest::rule)
                .containsExactly("disk full on a database host", "any DiskFull");
        assertThat(nearest.get(0).reason()).startsWith("mentions \"DiskFull\", label \"host\" and \"database\" (the"
                + " value of its label role) but did not fire");

        List<Explainer.Nearest> byLabel = Explainer.nearest(Explainer.ruleBlocks(PACKAGE),
                alert("Other", Resource.of("host", "db-1"), java.util.Map.of("team", "web", "role", "cache")));
        assertThat(byLabel).extracting(Explainer.Nearest::rule).containsExactly("disk full on a database host", "noted");
    }

    @Test
    void aRuleWhoseConsequenceThrowsMatchedSoItIsFiredAndTheNoteSaysItThrew() {
        // No host label: runScript refuses a blank host.
        Explainer.Explanation explanation = Explainer.explain(1, PACKAGE, RuleCompiler.compile("test", PACKAGE),
                alert("DiskFull", Resource.of("host", "db-1"), java.util.Map.of("role", "database")));

        assertThat(explanation.fired()).containsExactly("disk full on a database host", "any DiskFull");
        assertThat(explanation.note()).contains("rule \"disk full on a database host\" threw (in its consequence)",
                "host name");
    }

    @Test
    void anAlertNoRuleMentionsHasNoNearestAndTheNoteSaysSo() {
        Explainer.Explanation explanation = Explainer.explain(1, DEMO, RuleCompiler.compile("demo", DEMO),
                alert("HighCPU", Resource.of("host", "web-1"), java.util.Map.of("host", "web-1")));

        assertThat(explanation.fired()).isEmpty();
        assertThat(explanation.nearest()).isEmpty();
        assertThat(explanation.note()).contains("No rule mentions this alert's name or labels");
    }

    @Test
    void anExplainBodyBecomesAnAlertReceivedNow() throws Exception {
        AlertEvent alert = Explainer.alertOf(Json.MAPPER.readTree("""
                {"name": "ServiceDown", "labels": {"service": "shop", "port": 8080},
                 "resource": {"kind": "service", "name": "shop", "namespace": "prod"}, "status": "resolved",
                 "startsAt": "2026-11-26T09:58:00Z"}
                """), NOW);

        assertThat(alert.name()).isEqualTo("ServiceDown");
        assertThat(alert.status()).isEqualTo(AlertStatus.RESOLVED);
        assertThat(alert.labels()).containsEntry("service", "shop").containsEntry("port", "8080")
                .containsEntry("alertname", "ServiceDown");
        assertThat(alert.resource()).isEqualTo(new Resource("service", "shop", "prod", null));
        assertThat(alert.startsAt()).isEqualTo(Instant.parse("2026-11-26T09:58:00Z"));
        assertThat(alert.receivedAt()).isEqualTo(NOW);
        assertThat(alert.source()).isEqualTo(Explainer.SOURCE);

        AlertEvent minimal = Explainer.alertOf(Json.MAPPER.readTree("{\"name\": \"HighCPU\"}"), NOW);
        assertThat(minimal.status()).isEqualTo(AlertStatus.FIRING);
        assertThat(minimal.resource()).isEqualTo(Resource.of("alert", "HighCPU"));
        assertThat(minimal.startsAt()).isEqualTo(NOW);
    }

    @Test
    void aBadExplainBodyNamesTheFieldThatIsWrong() {
        assertThatThrownBy(() -> Explainer.alertOf(Json.MAPPER.readTree("{\"labels\": {}}"), NOW))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("name: missing");
        assertThatThrownBy(() -> Explainer.alertOf(Json.MAPPER.readTree("{\"name\": \"X\", \"status\": \"on\"}"), NOW))
                .hasMessageContaining("status: 'on' is not one of [FIRING, RESOLVED]");
        assertThatThrownBy(() -> Explainer.alertOf(Json.MAPPER.readTree("{\"name\": \"X\", \"labels\": [1]}"), NOW))
                .hasMessageStartingWith("labels: expected an object");
        assertThatThrownBy(() -> Explainer.alertOf(Json.MAPPER.readTree(
                "{\"name\": \"X\", \"resource\": {\"kind\": \"service\"}}"), NOW))
                .hasMessageStartingWith("resource: give it as");
        assertThatThrownBy(() -> Explainer.alertOf(Json.MAPPER.readTree(
                "{\"name\": \"X\", \"startsAt\": \"yesterday\"}"), NOW))
                .hasMessageContaining("startsAt: 'yesterday' is not an ISO-8601 instant");
    }

    private static AlertEvent alert(String name, Resource resource, java.util.Map<String, String> labels) {
        java.util.Map<String, String> all = new java.util.HashMap<>(labels);
        all.put("alertname", name);
        return new AlertEvent(AlertEvent.idFor("test", "fp-" + name, NOW, AlertStatus.FIRING), "test", name,
                AlertStatus.FIRING, null, resource, all, java.util.Map.of(), NOW, null, NOW, "fp-" + name, null);
    }
}
