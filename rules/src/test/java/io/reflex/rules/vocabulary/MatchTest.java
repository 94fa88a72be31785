package io.reflex.rules.vocabulary;

import static io.reflex.rules.RuleHarness.firing;
import static io.reflex.rules.RuleHarness.resolved;
import static java.time.Duration.ofMinutes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.reflex.model.ActionType;
import io.reflex.rules.RuleHarness;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Matching one alert on its name, status, severity, resource and labels. */
class MatchTest {
    static final String RULE = """
            rule "restart cart when it is down in prod"
            when
                $a : AlertEvent(name == "ServiceDown", firing, severity == "critical",
                                resource.name == "cart", label("env") == "prod")
            then
                remediate.restartService($a, $a.resource().name());
            end
            """;

    @Test
    void actsOnlyOnAlertsMatchingEveryConstraint() {
        List<RuleHarness.In> in = List.of(
                firing(ofMinutes(0), "ServiceDown", Map.of("service", "cart", "env", "prod")),
                firing(ofMinutes(1), "ServiceDown", Map.of("service", "cart", "env", "staging")),
                firing(ofMinutes(2), "ServiceDown", Map.of("service", "checkout", "env", "prod")),
                firing(ofMinutes(3), "ServiceSlow", Map.of("service", "cart", "env", "prod")),
                resolved(ofMinutes(4), "ServiceDown", Map.of("service", "cart", "env", "prod")));

        List<RuleHarness.Out> out = RuleHarness.run(Drl.HEADER + RULE, in, ofMinutes(5));

        assertThat(out).extracting(RuleHarness.Out::at, o -> o.request().type(), o -> o.request().targetName())
                .containsExactly(tuple(ofMinutes(0), ActionType.RESTART_SERVICE, "cart"));
    }
}
